"""The message shortcut "Propose as initiative": an idea posted in a channel becomes a
proposal, through the same form as `/roadmap propose`."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks import ids
from bot.commands import execute
from bot.listeners.context import context_of, keeps_ack, string_field, trigger_of
from bot.parsing.tokens import unescape
from bot.posting import respond_with
from bot.reply import error_reply
from catalog.usecases import commands as c
from catalog.usecases.context import UowFactory

log = logging.getLogger(__name__)


def propose_from_message(text: str) -> c.Propose:
    """The proposal a message makes: the first non-empty line is the title, the rest
    the summary (Slack's `&amp;`, `&lt;`, `&gt;` turned back into characters)."""
    lines = unescape(text or "").strip().splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return c.Propose()
    summary = "\n".join(lines[1:]).strip()
    return c.Propose(title=lines[0].strip(), summary=summary or None)


def register(app: App, *, uow_factory: UowFactory, slash: str) -> None:
    """Listen to the "Propose as initiative" message shortcut."""

    @app.shortcut(ids.PROPOSE_FROM_MESSAGE)
    @keeps_ack
    def on_propose_from_message(
        ack: Any, body: dict[str, Any], client: WebClient, respond: Any
    ) -> None:
        ack()
        try:
            ctx = context_of(body, uow_factory=uow_factory)
            message = body.get("message")
            text = (
                string_field(message, "text", what="message") if isinstance(message, dict) else ""
            )
            reply = execute(propose_from_message(text), ctx, slash=slash)
            if reply.modal is not None:
                client.views_open(trigger_id=trigger_of(body), view=reply.modal)
                return
        except Exception as exc:
            reply = error_reply(exc, slash=slash)
        if respond is None or not body.get("response_url"):  # Bolt's respond would raise
            log.warning("the Propose as initiative shortcut failed: %s", reply.text)
            return
        respond_with(respond, reply)
