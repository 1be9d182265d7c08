"""The message shortcut "Propose as initiative": an idea posted in a channel becomes a
proposal, through the same modal as `/roadmap propose`."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks import ids
from bot.listeners.context import context_of
from bot.listeners.delivery import respond_with
from bot.parsing.tokens import unescape
from bot.service import UowFactory, error_reply, propose_modal
from catalog import services

log = logging.getLogger(__name__)


def prefill_from_message(text: str) -> dict[str, str]:
    """Modal fields taken from a message: the first non-empty line is the title, the
    rest the summary (Slack's `&amp;`, `&lt;`, `&gt;` turned back into characters)."""
    lines = unescape(text or "").strip().splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return {}
    out = {"title": lines[0].strip()}
    summary = "\n".join(lines[1:]).strip()
    if summary:
        out["summary"] = summary
    return out


def register(app: App, *, uow_factory: UowFactory, slash: str) -> None:
    """Listen to the "Propose as initiative" message shortcut."""

    @app.shortcut(ids.PROPOSE_FROM_MESSAGE)
    def on_propose_from_message(
        ack: Any, body: dict[str, Any], client: WebClient, respond: Any
    ) -> None:
        ack()
        ctx = context_of(body, uow_factory=uow_factory, slash=slash)
        try:
            with ctx.uow() as uow:
                services.ensure_workspace(uow, team_id=ctx.team_id)
            prefill = prefill_from_message((body.get("message") or {}).get("text", ""))
            modal = propose_modal(ctx, prefill=prefill or None)
            client.views_open(trigger_id=body["trigger_id"], view=modal)
        except Exception as exc:
            if respond is None:
                log.exception("the Propose as initiative shortcut failed")
                return
            respond_with(respond, error_reply(exc, slash=slash))
