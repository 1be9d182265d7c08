"""Slack modals filled in at the terminal, for `townhall chat`.

`fill_form` walks a modal's blocks as Slack shows them, asks each input block in turn,
and hands `submit` the values exactly as Slack's `view_submission` carries them in
`view.state.values` (`{block_id: {action_id: {"type": …, "value": …}}}`), so the same
readers (`bot.blocks.read_initiative_submission`, `read_settings_submission`, …) read
them unchanged. What Slack's client checks before it sends anything (required fields,
number limits, text lengths) is checked at the prompt; what the readers refuse comes
back from `submit` as block_id → message, the `response_action: errors` answer of
`bot.errors.ModalErrors`, and only those fields are asked again.

Answers: Enter keeps the value shown, `-` clears an optional field, `cancel` (or the
end of input, or Ctrl-C, as in the console's own loop) abandons the form. A choice is
its number in the list, its value or the text shown (or the start of that text, when
only one choice starts so); several choices are separated by commas. A multiline text
ends with an empty line.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: `view.state.values` as Slack sends it: block_id → action_id → element state.
Values = dict[str, dict[str, dict[str, Any]]]
Read = Callable[[str], str]
Write = Callable[[str], None]
#: Submits the values; None when they were taken, else block_id → message.
Submit = Callable[[Values], Mapping[str, str] | None]

PROMPT = "> "
#: The prompt of the second and later lines of a multiline text.
MORE_PROMPT = "… "
CANCEL = "cancel"
CLEAR = "-"
REQUIRED = "This field is required."
HOW_TO = (
    "Enter keeps the value shown, - clears an optional field, cancel abandons the form.",
    "Choose by number or by name; separate several choices with commas.",
)

_TEXT = ("plain_text_input", "number_input")
_ONE = ("static_select", "radio_buttons")
_MANY = ("multi_static_select", "checkboxes")
_DATE = "datepicker"
KINDS = (*_TEXT, *_ONE, *_MANY, _DATE)
_YES = ("y", "yes", "true", "on", "x")
_NO = ("n", "no", "false", "off")
_INTEGER = re.compile(r"^[+-]?\d+$")


def fill_form(modal: Mapping[str, Any], *, read: Read, write: Write, submit: Submit) -> bool:
    """Ask every input of `modal` (a Block Kit `view`), then `submit` the values.

    Fields `submit` finds wrong are asked again, under their message, until it takes
    the values (True) or the user abandons the form (False; `submit` is not called
    again). Raises ValueError, before asking anything, for an element it cannot fill.
    """
    fields = [_Field.of(b) for b in modal.get("blocks", []) if b.get("type") == "input"]
    by_block = {f.block_id: f for f in fields}
    states = {f.block_id: f.initial_state() for f in fields}
    asker = _Asker(read=read, write=write)
    title = _text_of(modal.get("title"))
    if title:
        write(title)
    for line in HOW_TO:
        write(line)
    try:
        for block in modal.get("blocks", []):
            if block.get("type") == "input":
                field = by_block[block["block_id"]]
                states[field.block_id] = asker.ask(field, states[field.block_id])
            else:
                _show_block(block, write)
        while True:
            errors = submit(_values(fields, states))
            if not errors:
                return True
            wrong = [f for f in fields if f.block_id in errors]
            write("")
            write("Please fix this:" if len(wrong) == 1 else "Please fix these:")
            for block_id, message in errors.items():
                if block_id not in by_block:
                    write(f"! {mrkdwn_to_plain(message)}")
            for field in wrong or fields:
                message = errors.get(field.block_id)
                states[field.block_id] = asker.ask(field, states[field.block_id], error=message)
    except _Abandoned:
        write("Form abandoned: nothing was saved.")
        return False


# --------------------------------------------------------------------------- fields


class _Abandoned(Exception):
    """`cancel` was typed, or the input ended."""


class _Invalid(ValueError):
    """An answer that cannot fill the field; the message says why."""


@dataclass(frozen=True)
class _Field:
    """One input block: where its value goes, what it shows, and how it is answered."""

    block_id: str
    action_id: str
    label: str
    hint: str
    optional: bool
    element: Mapping[str, Any]
    options: tuple[Mapping[str, Any], ...]

    @classmethod
    def of(cls, block: Mapping[str, Any]) -> _Field:
        element = block["element"]
        kind = element.get("type")
        label = _text_of(block.get("label"))
        if kind not in KINDS:
            raise ValueError(f"the console cannot fill a {kind} field ({label})")
        options = list(element.get("options") or [])
        for group in element.get("option_groups") or []:
            options += group.get("options") or []
        return cls(
            block_id=block["block_id"],
            action_id=element["action_id"],
            label=label,
            hint=_text_of(block.get("hint")),
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


def _is_empty(state: Mapping[str, Any]) -> bool:
    return not any(v for k, v in state.items() if k != "type")


def _values(fields: Sequence[_Field], states: Mapping[str, Mapping[str, Any]]) -> Values:
    return {f.block_id: {f.action_id: copy.deepcopy(dict(states[f.block_id]))} for f in fields}


# --------------------------------------------------------------------------- asking


@dataclass
class _Asker:
    read: Read
    write: Write

    def ask(
        self, field: _Field, state: dict[str, Any], *, error: str | None = None
    ) -> dict[str, Any]:
        """Show the field and read answers until one fills it; the new state."""
        self._show(field, state, error=error)
        while True:
            line = self._line(PROMPT)
            answer = line.strip()
            try:
                if not answer:
                    new = state
                elif answer == CLEAR:
                    new = field.empty()
                else:
                    new = self._parse(field, line)
                _check(field, new)
            except _Invalid as exc:
                self.write(f"  ! {exc}")
                continue
            return new

    def _line(self, prompt: str) -> str:
        try:
            line = self.read(prompt)
        except (EOFError, KeyboardInterrupt):
            raise _Abandoned from None
        if line.strip().lower() == CANCEL:
            raise _Abandoned
        return line

    def _show(self, field: _Field, state: Mapping[str, Any], *, error: str | None) -> None:
        w = self.write
        w("")
        w(field.label + (" (optional)" if field.optional else ""))
        if error:
            w(f"  ! {mrkdwn_to_plain(error)}")
        if field.hint:
            w(f"  {field.hint}")
        if field.yes_no:
            w(f"  {_text_of(field.options[0].get('text'))}? yes or no")
        elif field.options:
            width = len(str(len(field.options)))
            for number, option in enumerate(field.options, start=1):
                w(f"  {number:>{width}}) {_text_of(option.get('text'))}")
        how = _how_to_answer(field)
        if how:
            w(f"  {how}")
        shown = _shown(field, state)
        if "\n" in shown:
            w("  Now:")
            for text in shown.splitlines():
                w(f"    {text}")
        else:
            w(f"  Now: {shown}")

    def _parse(self, field: _Field, line: str) -> dict[str, Any]:
        kind = field.kind
        answer = line.strip()
        if kind == "plain_text_input":
            if not field.multiline:
                return field.state(answer)
            lines = [line.rstrip()]
            while True:
                more = self._line(MORE_PROMPT)
                if not more.strip():
                    break
                lines.append(more.rstrip())
            return field.state("\n".join(lines))
        if kind == "number_input":
            return field.state(_number(field, answer))
        if kind == _DATE:
            try:
                return field.state(dt.date.fromisoformat(answer).isoformat())
            except ValueError:
                raise _Invalid("Enter a date as YYYY-MM-DD, e.g. 2027-04-01.") from None
        if kind in _ONE:
            return field.state(_choose(field.options, answer))
        if field.yes_no and answer.lower() in (*_YES, *_NO):
            return field.state([field.options[0]] if answer.lower() in _YES else [])
        return field.state(_choose_many(field.options, answer))


def _how_to_answer(field: _Field) -> str:
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


def _shown(field: _Field, state: Mapping[str, Any]) -> str:
    """The field's value as the modal would show it."""
    if field.yes_no:
        return "yes" if state.get("selected_options") else "no"
    if field.kind in _ONE:
        option = state.get("selected_option")
        return _text_of(option.get("text")) if option else "(none)"
    if field.kind in _MANY:
        texts = [_text_of(o.get("text")) for o in state.get("selected_options") or []]
        return ", ".join(texts) or "(none)"
    value = state.get("selected_date") if field.kind == _DATE else state.get("value")
    return str(value) if value else "(empty)"


def _check(field: _Field, state: Mapping[str, Any]) -> None:
    """What Slack's client refuses to send: an empty required field, a number out of
    its limits, a text too short or too long, too many choices."""
    if _is_empty(state):
        if not field.optional:
            raise _Invalid(REQUIRED)
        return
    e = field.element
    if field.kind == "plain_text_input":
        text = str(state.get("value") or "")
        longest, shortest = e.get("max_length"), e.get("min_length")
        if longest is not None and len(text) > int(longest):
            raise _Invalid(f"Use at most {longest} characters (this has {len(text)}).")
        if shortest is not None and len(text) < int(shortest):
            raise _Invalid(f"Use at least {shortest} characters (this has {len(text)}).")
    if field.kind == "number_input":
        _number(field, str(state.get("value")))
    most = e.get("max_selected_items")
    chosen = state.get("selected_options") or []
    if field.kind == "multi_static_select" and most is not None and len(chosen) > int(most):
        raise _Invalid(f"Choose at most {most}.")


def _number(field: _Field, answer: str) -> str:
    """The number typed, as the text Slack sends; _Invalid when the field refuses it."""
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
        raise _Invalid("Enter a number." if decimal else "Enter a whole number.") from None
    low, high = e.get("min_value"), e.get("max_value")
    if low is not None and number < float(low):
        raise _Invalid(f"Enter {low} or more.")
    if high is not None and number > float(high):
        raise _Invalid(f"Enter {high} or less.")
    return text


def _choose(options: Sequence[Mapping[str, Any]], answer: str) -> dict[str, Any]:
    """The option answered by its number, its value, its text or the start of its text."""
    found = _exact(options, answer)
    if found is not None:
        return found
    wanted = answer.casefold()
    starting = [o for o in options if _text_of(o.get("text")).casefold().startswith(wanted)]
    if len(starting) == 1:
        return dict(starting[0])
    if starting:
        names = ", ".join(_text_of(o.get("text")) for o in starting[:3])
        raise _Invalid(f"'{answer}' could be {names}…; type more of it, or its number.")
    raise _Invalid(f"'{answer}' is not a choice: answer a number from 1 to {len(options)}.")


def _exact(options: Sequence[Mapping[str, Any]], answer: str) -> dict[str, Any] | None:
    if answer.isdigit() and 1 <= int(answer) <= len(options):
        return dict(options[int(answer) - 1])
    wanted = answer.casefold()
    for key in ("value", "text"):
        for option in options:
            shown = option.get("value") if key == "value" else _text_of(option.get("text"))
            if str(shown).casefold() == wanted:
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


# --------------------------------------------------------------------------- text


def _show_block(block: Mapping[str, Any], write: Write) -> None:
    """A block that is not an input, as text; buttons and pictures are left out."""
    kind = block.get("type")
    if kind == "header":
        title = _text_of(block.get("text"))
        write("")
        write(title)
        write("═" * min(len(title), 78))
    elif kind == "section":
        lines = _text_of(block.get("text")).splitlines() if block.get("text") else []
        for field in block.get("fields") or []:
            lines += [f"  {line}" for line in _text_of(field).splitlines()]
        for line in lines:
            write(line)
    elif kind == "context":
        texts = [_text_of(e) for e in block.get("elements") or [] if "text" in e]
        if texts:
            write("  " + " · ".join(texts))
    elif kind == "divider":
        write("─" * 40)


def _text_of(obj: Mapping[str, Any] | None) -> str:
    """A text object as plain text: `plain_text` verbatim, `mrkdwn` without its marks."""
    if not obj:
        return ""
    text = str(obj.get("text", ""))
    return mrkdwn_to_plain(text) if obj.get("type") == "mrkdwn" else text


_TOKEN = re.compile(r"<([^<>\n]+)>")
_CODE = re.compile(r"```\n?(.*?)\n?```|`([^`\n]+)`", re.DOTALL)
_MARKS = tuple(
    re.compile(rf"(?<![\w{m}]){re.escape(m)}(?=\S)([^\n]*?\S){re.escape(m)}(?![\w{m}])")
    for m in ("*", "_", "~")
)
_SPECIAL = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}


def mrkdwn_to_plain(text: str) -> str:
    """Slack mrkdwn as the plain text Slack shows: `*bold*`, `_it_`, `~gone~` and
    `` `code` `` without their marks, `<@U1>` as `@U1`, `<url|label>` as `label (url)`,
    and `&lt;`, `&gt;`, `&amp;` as the characters they stand for."""
    pieces = _CODE.split(text)
    out: list[str] = []
    # _CODE.split yields: text, block code, inline code, text, …
    for index in range(0, len(pieces), 3):
        out.append(_unmark(pieces[index]))
        if index + 2 < len(pieces):
            code = pieces[index + 1] if pieces[index + 1] is not None else pieces[index + 2]
            out.append(_unescape(code or ""))
    return "".join(out)


def _unmark(text: str) -> str:
    text = _TOKEN.sub(lambda m: _token(m[1]), text)
    for mark in _MARKS:
        text = mark.sub(r"\1", text)
    return _unescape(text)


def _token(inner: str) -> str:
    target, _, label = inner.partition("|")
    if target.startswith(("@", "#")):
        return target[0] + (label.lstrip(target[0]) if label else target[1:])
    if target.startswith("!"):
        name = target[1:].split("^")[0]
        return label or _SPECIAL.get(name, f"@{name}")
    if label:
        return label if label == target.removeprefix("mailto:") else f"{label} ({target})"
    return target.removeprefix("mailto:")


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


__all__ = ["CANCEL", "CLEAR", "KINDS", "Submit", "Values", "fill_form", "mrkdwn_to_plain"]
