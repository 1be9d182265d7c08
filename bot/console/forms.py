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
only one choice starts so); a choice whose text starts with its value (an impact score
`3 — moderate`) is answered by that value; several choices are separated by commas. A multiline text
ends with an empty line.

The fields themselves (their kinds, states, parsing and checks) are in
`bot.console.fields`; mrkdwn as plain text in `bot.console.mrkdwn`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.console.fields import (
    KINDS,
    REQUIRED,
    Field,
    Invalid,
    Values,
    check,
    how_to_answer,
    parse_answer,
    shown,
    values_of,
)
from bot.console.mrkdwn import mrkdwn_to_plain, text_of

Read = Callable[[str], str]
Write = Callable[[str], None]
#: Submits the values; None when they were taken, else block_id → message.
Submit = Callable[[Values], Mapping[str, str] | None]

PROMPT = "> "
#: The prompt of the second and later lines of a multiline text.
MORE_PROMPT = "… "
CANCEL = "cancel"
CLEAR = "-"
HOW_TO = (
    "Enter keeps the value shown, - clears an optional field, cancel abandons the form.",
    "Choose by number or by name; separate several choices with commas.",
)


def fill_form(modal: Mapping[str, Any], *, read: Read, write: Write, submit: Submit) -> bool:
    """Ask every input of `modal` (a Block Kit `view`), then `submit` the values.

    Fields `submit` finds wrong are asked again, under their message, until it takes
    the values (True) or the user abandons the form (False; `submit` is not called
    again). Raises ValueError, before asking anything, for an element it cannot fill.
    """
    fields = [Field.of(b) for b in modal.get("blocks", []) if b.get("type") == "input"]
    by_block = {f.block_id: f for f in fields}
    states = {f.block_id: f.initial_state() for f in fields}
    asker = _Asker(read=read, write=write)
    title = text_of(modal.get("title"))
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
                show_block(block, write)
        while True:
            errors = submit(values_of(fields, states))
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


class _Abandoned(Exception):
    """`cancel` was typed, or the input ended."""


@dataclass
class _Asker:
    read: Read
    write: Write

    def ask(
        self, field: Field, state: dict[str, Any], *, error: str | None = None
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
                check(field, new)
            except Invalid as exc:
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

    def _show(self, field: Field, state: Mapping[str, Any], *, error: str | None) -> None:
        w = self.write
        w("")
        w(field.label + (" (optional)" if field.optional else ""))
        if error:
            w(f"  ! {mrkdwn_to_plain(error)}")
        if field.hint:
            w(f"  {field.hint}")
        if field.yes_no:
            w(f"  {text_of(field.options[0].get('text'))}? yes or no")
        elif field.options:
            width = len(str(len(field.options)))
            for number, option in enumerate(field.options, start=1):
                w(f"  {number:>{width}}) {text_of(option.get('text'))}")
        how = how_to_answer(field)
        if how:
            w(f"  {how}")
        now = shown(field, state)
        if "\n" in now:
            w("  Now:")
            for text in now.splitlines():
                w(f"    {text}")
        else:
            w(f"  Now: {now}")

    def _parse(self, field: Field, line: str) -> dict[str, Any]:
        """The state for an answer; a multiline text reads on to its empty line."""
        if not field.multiline:
            return parse_answer(field, line.strip())
        lines = [line.rstrip()]
        while True:
            more = self._line(MORE_PROMPT)
            if not more.strip():
                break
            lines.append(more.rstrip())
        return field.state("\n".join(lines))


def show_block(block: Mapping[str, Any], write: Write) -> None:
    """A block that is not an input, as text; buttons and pictures are left out."""
    kind = block.get("type")
    if kind == "header":
        title = text_of(block.get("text"))
        write("")
        write(title)
        write("═" * min(len(title), 78))
    elif kind == "section":
        lines = text_of(block.get("text")).splitlines() if block.get("text") else []
        for field in block.get("fields") or []:
            lines += [f"  {line}" for line in text_of(field).splitlines()]
        for line in lines:
            write(line)
    elif kind == "context":
        texts = [text_of(e) for e in block.get("elements") or [] if "text" in e]
        if texts:
            write("  " + " · ".join(texts))
    elif kind == "divider":
        write("─" * 40)


__all__ = [
    "CANCEL",
    "CLEAR",
    "KINDS",
    "REQUIRED",
    "Submit",
    "Values",
    "fill_form",
    "mrkdwn_to_plain",
    "show_block",
]
