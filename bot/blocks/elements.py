"""Block Kit building blocks as plain dicts, each cut to Slack's limits.

`mrkdwn` texts passed in here must already be escaped (see `bot.blocks.text.escape`);
`plain_text` is shown verbatim by Slack and needs no escaping.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.blocks.text import (
    ACTIONS_ELEMENTS,
    BUTTON_TEXT,
    BUTTON_VALUE,
    CONTEXT_ELEMENTS,
    FIELD_TEXT,
    HEADER_TEXT,
    ID_LENGTH,
    OPTION_TEXT,
    OPTION_VALUE,
    OPTIONS,
    SECTION_FIELDS,
    SECTION_TEXT,
    truncate,
    truncate_mrkdwn,
)

Block = dict[str, Any]


def plain(text: str, *, limit: int = SECTION_TEXT) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text or " ", limit), "emoji": True}


def mrkdwn(text: str, *, limit: int = SECTION_TEXT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": truncate_mrkdwn(text or " ", limit)}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, limit=HEADER_TEXT)}


def divider() -> Block:
    return {"type": "divider"}


def section(
    text: str | None = None,
    *,
    fields: Sequence[str] = (),
    accessory: dict[str, Any] | None = None,
    block_id: str | None = None,
) -> Block:
    """A section of mrkdwn text and/or up to ten mrkdwn fields."""
    block: Block = {"type": "section"}
    if text is not None:
        block["text"] = mrkdwn(text)
    if fields:
        block["fields"] = [mrkdwn(f, limit=FIELD_TEXT) for f in fields[:SECTION_FIELDS]]
    if accessory is not None:
        block["accessory"] = accessory
    if block_id is not None:
        block["block_id"] = truncate(block_id, ID_LENGTH)
    return block


def context(*texts: str) -> Block:
    return {
        "type": "context",
        "elements": [mrkdwn(t) for t in texts[:CONTEXT_ELEMENTS]],
    }


def actions(elements: Sequence[dict[str, Any]], *, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements[:ACTIONS_ELEMENTS])}
    if block_id is not None:
        block["block_id"] = truncate(block_id, ID_LENGTH)
    return block


def button(
    text: str,
    *,
    action_id: str,
    value: str = "",
    style: str | None = None,
    confirm: dict[str, Any] | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(text, limit=BUTTON_TEXT),
        "action_id": truncate(action_id, ID_LENGTH),
    }
    if value:
        if len(value) > BUTTON_VALUE:
            raise ValueError("a button value longer than Slack allows would lose data")
        element["value"] = value
    if style is not None:
        element["style"] = style
    if confirm is not None:
        element["confirm"] = confirm
    return element


def confirm_dialog(*, title: str, text: str, confirm: str, deny: str = "Cancel") -> dict[str, Any]:
    return {
        "title": plain(title, limit=100),
        "text": mrkdwn(text, limit=300),
        "confirm": plain(confirm, limit=30),
        "deny": plain(deny, limit=30),
    }


def option(text: str, value: str, *, description: str | None = None) -> dict[str, Any]:
    if len(value) > OPTION_VALUE:
        raise ValueError(f"an option value longer than {OPTION_VALUE} characters: {value!r}")
    out: dict[str, Any] = {"text": plain(text, limit=OPTION_TEXT), "value": value}
    if description:
        out["description"] = plain(description, limit=OPTION_TEXT)
    return out


def static_select(
    placeholder: str,
    *,
    action_id: str,
    options: Iterable[dict[str, Any]],
    initial: dict[str, Any] | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "placeholder": plain(placeholder, limit=150),
        "action_id": truncate(action_id, ID_LENGTH),
        "options": list(options)[:OPTIONS],
    }
    if initial is not None:
        element["initial_option"] = initial
    return element
