"""A modal's input blocks as the console fills them: the element kinds it can fill, the
state each one sends in `view.state.values`, an answer typed at the prompt turned into
that state, and what Slack's client checks before it sends anything."""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.console.mrkdwn import text_of

#: `view.state.values` as Slack sends it: block_id → action_id → element state.
Values = dict[str, dict[str, dict[str, Any]]]

REQUIRED = "This field is required."

_TEXT = ("plain_text_input", "number_input")
_ONE = ("static_select", "radio_buttons")
_MANY = ("multi_static_select", "checkboxes")
_DATE = "datepicker"
KINDS = (*_TEXT, *_ONE, *_MANY, _DATE)
_YES = ("y", "yes", "true", "on", "x")
_NO = ("n", "no", "false", "off")
_INTEGER = re.compile(r"^[+-]?\d+$")


class Invalid(ValueError):
    """An answer that cannot fill the field; the message says why."""


@dataclass(frozen=True)
class Field:
    """One input block: where its value goes, what it shows, and how it is answered."""

    block_id: str
    action_id: str
    label: str
    hint: str
    optional: bool
    element: Mapping[str, Any]
    options: tuple[Mapping[str, Any], ...]

    @classmethod
    def of(cls, block: Mapping[str, Any]) -> Field:
        element = block["element"]
        kind = element.get("type")
        label = text_of(block.get("label"))
        if kind not in KINDS:
            raise ValueError(f"the console cannot fill a {kind} field ({label})")
        options = list(element.get("options") or [])
        for group in element.get("option_groups") or []:
            options += group.get("options") or []
        return cls(
            block_id=block["block_id"],
            action_id=element["action_id"],
            label=label,
            hint=text_of(block.get("hint")),
            optional=bool(block.get("optional")),
            element=element,
            options=tuple(options),
        )

    @property
    def kind(self) -> str:
        return str(self.element["type"])

    @property
    def multiline(self) -> bool:
        return self.kind == "plain_text_input" and bool(self.element.get("multiline"))

    @property
    def yes_no(self) -> bool:
        """A single checkbox, answered yes or no."""
        return self.kind == "checkboxes" and len(self.options) == 1

    def initial_state(self) -> dict[str, Any]:
        """The element's state as Slack sends it when the field is left as shown."""
        e = self.element
        if self.kind in _TEXT:
            return self.state(e.get("initial_value") or None)
        if self.kind in _ONE:
            return self.state(e.get("initial_option"))
        if self.kind in _MANY:
            return self.state(list(e.get("initial_options") or []))
        return self.state(e.get("initial_date"))

    def state(self, value: Any) -> dict[str, Any]:
        """The element's state holding `value` (text, option, options or ISO date)."""
        key = {
            **dict.fromkeys(_TEXT, "value"),
            **dict.fromkeys(_ONE, "selected_option"),
            **dict.fromkeys(_MANY, "selected_options"),
            _DATE: "selected_date",
        }[self.kind]
        return {"type": self.kind, key: value}

    def empty(self) -> dict[str, Any]:
        return self.state([] if self.kind in _MANY else None)


def values_of(fields: Sequence[Field], states: Mapping[str, Mapping[str, Any]]) -> Values:
    """The fields' states as `view.state.values` (copies: the readers may keep them)."""
    return {f.block_id: {f.action_id: copy.deepcopy(dict(states[f.block_id]))} for f in fields}


def parse_answer(field: Field, answer: str) -> dict[str, Any]:
    """The field's state for a one-line answer (stripped; not empty, not `-`); a
    multiline text is read by the asker. Invalid when the answer cannot fill it."""
    kind = field.kind
    if kind == "plain_text_input":
        return field.state(answer)
    if kind == "number_input":
        return field.state(_number(field, answer))
    if kind == _DATE:
        try:
            return field.state(dt.date.fromisoformat(answer).isoformat())
        except ValueError:
            raise Invalid("Enter a date as YYYY-MM-DD, e.g. 2027-04-01.") from None
    if kind in _ONE:
        return field.state(_choose(field.options, answer))
    if field.yes_no and answer.lower() in (*_YES, *_NO):
        return field.state([field.options[0]] if answer.lower() in _YES else [])
    return field.state(_choose_many(field.options, answer))


def how_to_answer(field: Field) -> str:
    """A line saying how to answer the field, or "" when its choices say it."""
    e = field.element
    if field.multiline:
        return "Several lines: end with an empty line."
    if field.kind == _DATE:
        return "A date: YYYY-MM-DD."
    if field.kind == "number_input":
        what = "A number" if e.get("is_decimal_allowed") else "A whole number"
        low, high = e.get("min_value"), e.get("max_value")
        if low is not None and high is not None:
            return f"{what} from {low} to {high}."
        if low is not None:
            return f"{what}, {low} or more."
        if high is not None:
            return f"{what}, {high} or less."
        return f"{what}."
    if field.kind == "multi_static_select":
        return "Several choices: separate them with commas."
    return ""


def shown(field: Field, state: Mapping[str, Any]) -> str:
    """The field's value as the modal would show it."""
    if field.yes_no:
        return "yes" if state.get("selected_options") else "no"
    if field.kind in _ONE:
        option = state.get("selected_option")
        return text_of(option.get("text")) if option else "(none)"
    if field.kind in _MANY:
        texts = [text_of(o.get("text")) for o in state.get("selected_options") or []]
        return ", ".join(texts) or "(none)"
    value = state.get("selected_date") if field.kind == _DATE else state.get("value")
    return str(value) if value else "(empty)"


def check(field: Field, state: Mapping[str, Any]) -> None:
    """What Slack's client refuses to send: an empty required field, a number out of
    its limits, a text too short or too long, too many choices."""
    if _is_empty(state):
        if not field.optional:
            raise Invalid(REQUIRED)
        return
    e = field.element
    if field.kind == "plain_text_input":
        text = str(state.get("value") or "")
        longest, shortest = e.get("max_length"), e.get("min_length")
        if longest is not None and len(text) > int(longest):
            raise Invalid(f"Use at most {longest} characters (this has {len(text)}).")
        if shortest is not None and len(text) < int(shortest):
            raise Invalid(f"Use at least {shortest} characters (this has {len(text)}).")
    if field.kind == "number_input":
        _number(field, str(state.get("value")))
    most = e.get("max_selected_items")
    chosen = state.get("selected_options") or []
    if field.kind == "multi_static_select" and most is not None and len(chosen) > int(most):
        raise Invalid(f"Choose at most {most}.")


def _is_empty(state: Mapping[str, Any]) -> bool:
    return not any(v for k, v in state.items() if k != "type")


def _number(field: Field, answer: str) -> str:
    """The number typed, as the text Slack sends; Invalid when the field refuses it."""
    e = field.element
    decimal = bool(e.get("is_decimal_allowed"))
    try:
        if decimal:
            number: float = float(answer)
            text = answer
        else:
            if not _INTEGER.match(answer):
                raise ValueError(answer)
            number = int(answer)
            text = str(number)
    except ValueError:
        raise Invalid("Enter a number." if decimal else "Enter a whole number.") from None
    low, high = e.get("min_value"), e.get("max_value")
    if low is not None and number < float(low):
        raise Invalid(f"Enter {low} or more.")
    if high is not None and number > float(high):
        raise Invalid(f"Enter {high} or less.")
    return text


def _choose(options: Sequence[Mapping[str, Any]], answer: str) -> dict[str, Any]:
    """The option answered by its number, its value, its text or the start of its text."""
    found = _exact(options, answer)
    if found is not None:
        return found
    wanted = answer.casefold()
    starting = [o for o in options if text_of(o.get("text")).casefold().startswith(wanted)]
    if len(starting) == 1:
        return dict(starting[0])
    if starting:
        names = ", ".join(text_of(o.get("text")) for o in starting[:3])
        raise Invalid(f"'{answer}' could be {names}…; type more of it, or its number.")
    raise Invalid(f"'{answer}' is not a choice: answer a number from 1 to {len(options)}.")


def _exact(options: Sequence[Mapping[str, Any]], answer: str) -> dict[str, Any] | None:
    """The option answered by its value when its text starts with that value (a score
    `3 — moderate` is answered 3), else by its number in the list, its value or its
    text."""
    for option in options:
        words = text_of(option.get("text")).split()
        if str(option.get("value")) == answer and words and words[0] == answer:
            return dict(option)
    if answer.isdigit() and 1 <= int(answer) <= len(options):
        return dict(options[int(answer) - 1])
    wanted = answer.casefold()
    for key in ("value", "text"):
        for option in options:
            word = option.get("value") if key == "value" else text_of(option.get("text"))
            if str(word).casefold() == wanted:
                return dict(option)
    return None


def _choose_many(options: Sequence[Mapping[str, Any]], answer: str) -> list[dict[str, Any]]:
    """Options answered as a comma-separated list (a text with commas may be whole)."""
    whole = _exact(options, answer.strip())
    if whole is not None:
        return [whole]
    out: list[dict[str, Any]] = []
    for token in answer.split(","):
        if not token.strip():
            continue
        option = _choose(options, token.strip())
        if all(o.get("value") != option.get("value") for o in out):
            out.append(option)
    return out


__all__ = [
    "KINDS",
    "REQUIRED",
    "Field",
    "Invalid",
    "Values",
    "check",
    "how_to_answer",
    "parse_answer",
    "shown",
    "values_of",
]
