"""The judgment form (`weigh`) at the terminal: Saaty's scale once, then each pair on one
line.

Slack shows every pair as a select of 17 answers; listing them for each pair would
print 765 lines for ten drivers. Here the scale is said once, and each pair is one
prompt, `Customer engagement vs Security and compliance [current: 3]: `, answered by
the ratio (`3`: the first matters moderately more; `1/3`: the second does), `equal`
(or `1`), or an answer in words as the select shows it (`Security and compliance
strongly more important`, or enough of its start to name one). Enter keeps the current
answer, `cancel` (or the end of input) abandons the form; an answer that is not on the
scale is asked again with what is. The values are submitted as Slack's
`view_submission` carries them, so the same reader (`read_weigh_submission`) reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.blocks import ids
from bot.blocks.weigh_modal import QUESTION
from bot.console.fields import Field, Invalid, values_of
from bot.console.forms import CANCEL, Read, Submit, Write, show_block
from bot.console.mrkdwn import mrkdwn_to_plain, text_of
from planner.drivers import parse_ratio, ratio_text

#: Words that answer "equally important".
_EQUAL = ("equal", "equally", "equally important", "same", "=")
#: How the last answer of a pair's select ends ("B extremely more important").
_MOST = " extremely more important"


def is_weigh_form(modal: Mapping[str, Any]) -> bool:
    return modal.get("callback_id") == ids.WEIGH_MODAL


def fill_weigh_form(modal: Mapping[str, Any], *, read: Read, write: Write, submit: Submit) -> bool:
    """Show the scale, ask each pair of the judgment form `modal` on one line, then
    `submit` the answers; pairs `submit` refuses are asked again under its message.
    True once the answers are taken, False when the form is abandoned."""
    fields = [Field.of(b) for b in modal.get("blocks", []) if b.get("type") == "input"]
    states = {f.block_id: f.initial_state() for f in fields}
    title = text_of(modal.get("title"))
    if title:
        write(title)
    for block in modal.get("blocks", []):
        if block.get("type") != "input":
            show_block(block, write)
    if fields:
        for line in scale_lines(fields[0]):
            write(line)
    try:
        for field in fields:
            states[field.block_id] = _ask(field, states[field.block_id], read=read, write=write)
        while True:
            errors = submit(values_of(fields, states))
            if not errors:
                return True
            write("")
            for message in errors.values():
                write(f"! {mrkdwn_to_plain(message)}")
            for field in [f for f in fields if f.block_id in errors] or fields:
                states[field.block_id] = _ask(field, states[field.block_id], read=read, write=write)
    except _Abandoned:
        write("Form abandoned: nothing was saved.")
        return False


def scale_lines(field: Field) -> list[str]:
    """Saaty's scale, once for the whole form, with the first pair as the example."""
    first, second = _names(field)
    example = next(
        (
            text_of(o.get("text"))
            for o in field.options
            if o.get("value") == "1/5"  # the second strongly more important
        ),
        f"{second} strongly more important",
    )
    return [
        "",
        "For each pair, how much more does the first driver matter than the second?",
        "  1 (or equal) equally · 3 moderately · 5 strongly · 7 very strongly · 9 extremely "
        "· 2, 4, 6, 8 in between",
        "  1/3, 1/5, 1/7, 1/9 (or 1/2 … 1/8): the second matters that much more",
        f'  or in words, e.g. "{example}" for 1/5 in "{first} vs {second}"',
        "Enter keeps your current answer, cancel abandons the form.",
    ]


class _Abandoned(Exception):
    """`cancel` was typed, or the input ended."""


def _ask(field: Field, state: Mapping[str, Any], *, read: Read, write: Write) -> dict[str, Any]:
    """Read answers for one pair until one is on the scale; its new state."""
    chosen = state.get("selected_option")
    current = str(chosen["value"]) if chosen else "not answered"
    prompt = f"{field.label.removesuffix(QUESTION)} [current: {current}]: "
    while True:
        try:
            line = read(prompt)
        except (EOFError, KeyboardInterrupt):
            raise _Abandoned from None
        answer = line.strip()
        if answer.lower() == CANCEL:
            raise _Abandoned
        if not answer:
            return dict(state)
        try:
            return field.state(answer_option(field, answer))
        except Invalid as exc:
            write(f"  ! {exc}")


def answer_option(field: Field, answer: str) -> dict[str, Any]:
    """The option of a pair's select that `answer` names: a ratio (`3`, `1/3`), `equal`,
    or the option's words (or a start of them that fits one). Invalid otherwise."""
    wanted = " ".join(answer.split()).casefold()
    value: str | None = "1" if wanted in _EQUAL else None
    if value is None:
        try:
            value = ratio_text(parse_ratio(wanted))
        except ValueError:
            value = None
    options = field.options
    if value is not None:
        found = [o for o in options if o.get("value") == value]
        if found:
            return dict(found[0])
    texts = [(o, " ".join(text_of(o.get("text")).split()).casefold()) for o in options]
    exact = [o for o, text in texts if text == wanted]
    starting = [o for o, text in texts if text.startswith(wanted)]
    if exact or len(starting) == 1:
        return dict((exact or starting)[0])
    first, second = _names(field)
    if starting:
        some = "; ".join(text_of(o.get("text")) for o in starting[:2])
        raise Invalid(f"'{answer}' could be {some}, …: type more of it, or the ratio.")
    raise Invalid(
        f"'{answer}' is not on the scale: type 1 to 9 when {first} matters more, 1/2 to 1/9 "
        f"when {second} does, or equal; Enter keeps your answer."
    )


def _names(field: Field) -> tuple[str, str]:
    """The two drivers of a pair, as its select's most extreme answers name them."""
    options = field.options
    if len(options) < 2:
        return "the first", "the second"
    first = text_of(options[0].get("text")).removesuffix(_MOST)
    second = text_of(options[-1].get("text")).removesuffix(_MOST)
    return first, second
