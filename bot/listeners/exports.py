"""The roadmap's Export… menu: the chosen format of that roadmap, shared in the channel.

The same command as `/roadmap export FORMAT` (PMO, approvers and admins only); the file
is rendered in the background and uploaded with files_upload_v2.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks import ids
from bot.commands import execute
from bot.jobs.starter import JobStarter
from bot.listeners.buttons import answer, answer_or_start
from bot.listeners.context import chosen_value, context_of, keeps_ack, roadmap_ref
from bot.reply import error_reply
from catalog.usecases import commands as c
from catalog.usecases.context import UowFactory


def register(app: App, *, uow_factory: UowFactory, jobs: JobStarter, slash: str) -> None:
    """Listen to the Export… menu of roadmap messages."""

    @app.action(ids.EXPORT_ROADMAP)
    @keeps_ack
    def on_export(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Any
    ) -> None:
        ack()
        try:
            ctx = context_of(body, uow_factory=uow_factory)
            roadmap_id, fmt = roadmap_ref(chosen_value(action), what="menu")
            reply = execute(c.Export(fmt, roadmap_id=roadmap_id), ctx, slash=slash)
            answer_or_start(reply, ctx=ctx, body=body, client=client, respond=respond, jobs=jobs)
        except Exception as exc:
            answer(error_reply(exc, slash=slash), body=body, client=client, respond=respond)
