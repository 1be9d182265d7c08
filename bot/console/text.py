"""Replies as terminal text: what Slack would show, without mrkdwn marks and without
the buttons a terminal cannot press."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.console.mrkdwn import mrkdwn_to_plain
from bot.reply import Reply

_EMOJI = re.compile(r"(?<![\w:]):[a-z0-9_+-]+:(?![\w:])\s?")


def mrkdwn_to_text(text: str) -> str:
    """Slack mrkdwn as terminal text (`bot.console.mrkdwn.mrkdwn_to_plain`), without
    emoji codes such as `:warning:`."""
    return mrkdwn_to_plain(_EMOJI.sub("", text))


def _text_of(obj: Mapping[str, Any] | None) -> str:
    if not obj:
        return ""
    text = str(obj.get("text", ""))
    return mrkdwn_to_text(text) if obj.get("type") == "mrkdwn" else text


def _element_text(element: Mapping[str, Any]) -> str | None:
    """An element as text; None for controls the console cannot use (buttons, menus)."""
    if element.get("type") == "image":
        return f"(image: {element.get('alt_text', '')})"
    if element.get("type") in ("mrkdwn", "plain_text"):
        return _text_of(element)
    return None


def block_to_lines(block: Mapping[str, Any]) -> list[str]:
    """One block as lines of text (buttons and menus left out)."""
    kind = block.get("type")
    if kind == "header":
        title = _text_of(block.get("text"))
        return ["", title, "═" * min(len(title), 78)]
    if kind == "divider":
        return ["─" * 40]
    if kind == "section":
        lines = _text_of(block.get("text")).splitlines() if block.get("text") else []
        for field in block.get("fields", []):
            lines += ["  " + line for line in _text_of(field).splitlines()]
        return lines
    if kind == "context":
        texts = [t for e in block.get("elements", []) if (t := _element_text(e))]
        return ["  " + " · ".join(texts)] if texts else []
    if kind == "image":
        return [f"(image: {block.get('alt_text', '')})"]
    return []


def blocks_to_text(blocks: Iterable[Mapping[str, Any]]) -> str:
    """A message's blocks as plain text."""
    lines: list[str] = []
    for block in blocks:
        lines += block_to_lines(block)
    return "\n".join(lines).strip("\n")


def reply_to_text(reply: Reply) -> str:
    """A reply as text: the message and the DMs and files it sends."""
    out = blocks_to_text(reply.blocks) if reply.blocks else mrkdwn_to_text(reply.text)
    for notice in reply.notices:
        out += f"\n→ DM to @{notice.user_id}: {mrkdwn_to_text(notice.text)}"
    for upload in reply.uploads:
        out += (
            f"\n→ file {upload.filename} ({len(upload.content):,} bytes) shared in the channel"
            " (`townhall export` writes it to disk)"
        )
    return out
