"""Modal pieces: input blocks and their elements, the modal view, and a reader of the
submitted `view.state.values`.

Every input block holds one element whose action_id is `ids.INPUT`, so a field's value
is `state_values[block_id][ids.INPUT]`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from bot.blocks import ids
from bot.blocks.elements import Block, option, plain
from bot.blocks.text import (
    HINT_TEXT,
    INPUT_MAX_LENGTH,
    LABEL_TEXT,
    MODAL_TITLE,
    OPTIONS,
    PLACEHOLDER_TEXT,
    PRIVATE_METADATA,
    VIEW_BLOCKS,
    truncate,
)

Option = dict[str, Any]


def modal(
    *,
    title: str,
    callback_id: str,
    blocks: Sequence[Block],
    private_metadata: str,
    submit: str = "Save",
    close: str = "Cancel",
) -> dict[str, Any]:
    """A modal `view` payload for `views.open` / `views.update`."""
    if len(private_metadata) > PRIVATE_METADATA:
        raise ValueError(f"private_metadata is longer than Slack's {PRIVATE_METADATA} characters")
    if len(blocks) > VIEW_BLOCKS:
        raise ValueError(f"a view holds at most {VIEW_BLOCKS} blocks, got {len(blocks)}")
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, limit=MODAL_TITLE),
        "submit": plain(submit, limit=MODAL_TITLE),
        "close": plain(close, limit=MODAL_TITLE),
        "blocks": list(blocks),
    }
    if private_metadata:
        view["private_metadata"] = private_metadata
    return view


def input_block(
    label: str,
    element: dict[str, Any],
    *,
    block_id: str,
    optional: bool = False,
    hint: str | None = None,
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, limit=LABEL_TEXT),
        "element": {**element, "action_id": ids.INPUT},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, limit=HINT_TEXT)
    return block


def _placeholder(element: dict[str, Any], placeholder: str | None) -> dict[str, Any]:
    if placeholder:
        element["placeholder"] = plain(placeholder, limit=PLACEHOLDER_TEXT)
    return element


def text_input(
    *,
    initial: str | None = None,
    multiline: bool = False,
    placeholder: str | None = None,
    max_length: int = INPUT_MAX_LENGTH,
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline}
    element["max_length"] = max_length
    if initial:
        element["initial_value"] = truncate(initial, max_length)
    return _placeholder(element, placeholder)


def number_input(
    *,
    initial: int | float | None = None,
    minimum: int | float | None = None,
    maximum: int | float | None = None,
    placeholder: str | None = None,
    decimal: bool = False,
) -> dict[str, Any]:
    """A number input; whole numbers unless `decimal`."""
    element: dict[str, Any] = {"type": "number_input", "is_decimal_allowed": decimal}
    if initial is not None:
        element["initial_value"] = _number_text(initial)
    if minimum is not None:
        element["min_value"] = _number_text(minimum)
    if maximum is not None:
        element["max_value"] = _number_text(maximum)
    return _placeholder(element, placeholder)


def _number_text(number: int | float) -> str:
    """A number as a number input holds it: `1`, `0.5` (no `1.0`, no exponent)."""
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return format(number, "f").rstrip("0").rstrip(".") if isinstance(number, float) else str(number)


def date_input(*, initial: dt.date | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker"}
    if initial is not None:
        element["initial_date"] = initial.isoformat()
    return element


def select(
    choices: Sequence[tuple[str, str]],
    *,
    initial: str | None = None,
    placeholder: str = "Choose…",
) -> dict[str, Any]:
    """A static select of (value, label) choices, `initial` chosen when it is one of them."""
    options = [option(label, value) for value, label in choices][:OPTIONS]
    element: dict[str, Any] = {"type": "static_select", "options": options}
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return _placeholder(element, placeholder)


def multi_select(
    choices: Sequence[tuple[str, str]],
    *,
    initial: Sequence[str] = (),
    placeholder: str = "Choose…",
) -> dict[str, Any]:
    """A multi-select of (value, label) choices; more than 100 go in groups of 100."""
    options = [option(label, value) for value, label in choices]
    element: dict[str, Any] = {"type": "multi_static_select"}
    if len(options) <= OPTIONS:
        element["options"] = options
    else:
        groups = [options[i : i + OPTIONS] for i in range(0, len(options), OPTIONS)]
        element["option_groups"] = [
            {
                "label": plain(f"{g[0]['value']} … {g[-1]['value']}", limit=75),
                "options": g,
            }
            for g in groups[:OPTIONS]
        ]
    wanted = set(initial)
    chosen = [o for o in options if o["value"] in wanted]
    if chosen:
        element["initial_options"] = chosen
    return _placeholder(element, placeholder)


def checkbox(label: str, *, value: str, checked: bool) -> dict[str, Any]:
    """A single checkbox."""
    box = option(label, value)
    element: dict[str, Any] = {"type": "checkboxes", "options": [box]}
    if checked:
        element["initial_options"] = [box]
    return element


class State:
    """Reads `view.state.values` as submitted; a missing block reads as empty."""

    def __init__(self, values: Mapping[str, Mapping[str, Any]]) -> None:
        self.values = values

    def has(self, block_id: str) -> bool:
        return block_id in self.values

    def _element(self, block_id: str) -> Mapping[str, Any]:
        block = self.values.get(block_id) or {}
        if ids.INPUT in block:
            return block[ids.INPUT] or {}
        return next(iter(block.values()), None) or {}

    def text(self, block_id: str) -> str:
        """The typed text, stripped; an empty string when nothing was typed."""
        element = self._element(block_id)
        value = element.get("value")
        if value is None and element.get("selected_date"):
            value = element["selected_date"]
        return (value or "").strip()

    def choice(self, block_id: str) -> str | None:
        """The value of the selected option (static select or radio buttons)."""
        selected = self._element(block_id).get("selected_option")
        return None if not selected else selected.get("value")

    def choices(self, block_id: str) -> list[str]:
        """The values of the selected options (multi-select or checkboxes)."""
        return [o.get("value") for o in self._element(block_id).get("selected_options") or []]

    def date(self, block_id: str) -> str | None:
        return self._element(block_id).get("selected_date") or None
