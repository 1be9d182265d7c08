"""The judgment form: each pair of business drivers asked once on Saaty's 1–9 scale, and
the reading of its submission.

One input block per pair (`ids.pair_block`), each a static select of 17 options from
"A extremely more important" through "equally important" to "B extremely more
important"; an option's value is the ratio a : b as text ("9" … "1" … "1/9", what
`planner.drivers.parse_ratio` reads). Ten drivers make 45 pairs: 45 input blocks and a
few of text, within a modal's 100.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from bot.blocks import ids
from bot.blocks.elements import Block, context, option, section
from bot.blocks.inputs import State, input_block, modal
from bot.blocks.text import OPTION_TEXT, escape, pack_lines, truncate
from bot.errors import ModalErrors
from planner.drivers import INTENSITIES, Driver, pairs, parse_ratio, ratio_text

#: Blocks of text the form may show above the pairs (intro, descriptions).
_TEXT_BLOCKS = 3


def scale() -> tuple[tuple[Fraction, int], ...]:
    """The 17 answers in the order the select shows them, as (ratio a : b, intensity):
    a extremely more important (9) … equal (1) … b extremely more important (1/9)."""
    down = [(Fraction(k), k) for k in range(9, 1, -1)]
    up = [(Fraction(1, k), k) for k in range(2, 10)]
    return (*down, (Fraction(1), 1), *up)


def answer_words(a: str, b: str, ratio: Fraction) -> str:
    """An answer in words: `Customer engagement strongly more important` (plain text,
    at most an option's 75 characters; long names are cut)."""
    if ratio == 1:
        return "Equally important"
    name, k = (a, ratio.numerator) if ratio > 1 else (b, ratio.denominator)
    tail = f" {INTENSITIES[k]} more important"
    return truncate(name, max(8, OPTION_TEXT - len(tail))) + tail


def pair_options(a: Driver, b: Driver) -> list[dict[str, Any]]:
    """The select's 17 options for a pair, values "9" … "1" … "1/9"."""
    return [option(answer_words(a.name, b.name, ratio), ratio_text(ratio)) for ratio, _ in scale()]


#: What the label of a pair's input asks after the two names.
QUESTION = " — which matters more, and how much?"


def pair_question(a: Driver, b: Driver) -> str:
    """The label of a pair's input: `A vs B — which matters more, and how much?`."""
    return f"{a.name} vs {b.name}{QUESTION}"


def current_answer(answers: Mapping[tuple[str, str], str], a: str, b: str) -> str | None:
    """A person's answer for (a, b) as a select value, from answers stored either way
    round; None when there is none (or it cannot be read)."""
    raw, flip = (answers[(a, b)], False) if (a, b) in answers else (answers.get((b, a)), True)
    if raw is None:
        return None
    try:
        ratio = parse_ratio(raw)
    except ValueError:
        return None
    return ratio_text(1 / ratio if flip else ratio)


def weigh_modal(
    *,
    drivers: Sequence[Driver],
    answers: Mapping[tuple[str, str], str],
    pair: tuple[str, str] | None = None,
    private_metadata: str = "",
) -> dict[str, Any]:
    """The judgment form for every pair of `drivers` (or only `pair`, to revise it), each
    select holding the person's current answer (`answers`: (a, b) → "3" or "1/3")."""
    by_key = {d.key: d for d in drivers}
    if len(by_key) < 2:
        raise ValueError("weighing needs at least two drivers")
    if pair is not None:
        if pair[0] not in by_key or pair[1] not in by_key or pair[0] == pair[1]:
            raise ValueError(f"{pair!r} is not a pair of the drivers")
        asked = (pair,)
    else:
        asked = pairs([d.key for d in drivers])
    answered = sum(current_answer(answers, a, b) is not None for a, b in asked)
    blocks: list[Block] = [section(_intro(len(asked), answered, revising=pair is not None))]
    described = [
        f"*{escape(d.name)}*: {escape(d.description)}"
        for d in (by_key[k] for k in dict.fromkeys(k for p in asked for k in p))
        if d.description.strip()
    ]
    blocks += [context(text) for text in pack_lines(described, max_chunks=_TEXT_BLOCKS - 1)]
    for a, b in asked:
        da, db = by_key[a], by_key[b]
        options = pair_options(da, db)
        element: dict[str, Any] = {
            "type": "static_select",
            "placeholder": {"type": "plain_text", "text": "Not answered yet", "emoji": True},
            "options": options,
        }
        value = current_answer(answers, a, b)
        chosen = next((o for o in options if o["value"] == value), None)
        if chosen is not None:
            element["initial_option"] = chosen
        blocks.append(
            input_block(
                pair_question(da, db),
                element,
                block_id=ids.pair_block(a, b),
                optional=pair is None,  # the whole set may be answered over several visits
            )
        )
    return modal(
        title="Revise a judgment" if pair is not None else "Weigh the drivers",
        callback_id=ids.WEIGH_MODAL,
        blocks=blocks,
        private_metadata=private_metadata,
    )


def _intro(asked: int, answered: int, *, revising: bool) -> str:
    if revising:
        return (
            "Which of the two matters more to the business, and how much? Your other "
            "answers stay as they are."
        )
    return (
        f"Compare each pair of business drivers once: which matters more to the business, "
        f"and how much? You have answered {answered} of {asked}. Your weights count for the "
        "group once every pair is answered; you can come back and change any answer."
    )


def read_weigh_submission(
    state_values: Mapping[str, Mapping[str, Any]],
) -> tuple[tuple[str, str, str], ...]:
    """The answers of a submitted judgment form as (a, b, ratio text), pairs left
    unanswered left out; empty when the state holds no pair at all (not this form).
    Raises ModalErrors for an answer that is not on the scale, or when no pair is
    answered."""
    state = State(state_values)
    errors: dict[str, str] = {}
    out: list[tuple[str, str, str]] = []
    first: str | None = None
    for block_id in state_values:
        pair = ids.read_pair_block(block_id)
        if pair is None:
            continue
        first = first or block_id
        chosen = state.choice(block_id)
        if chosen is None:
            continue
        try:
            ratio = parse_ratio(chosen)
        except ValueError as exc:
            errors[block_id] = f"Choose one of the answers offered ({exc})."[:150]
            continue
        out.append((pair[0], pair[1], ratio_text(ratio)))
    if first is None:
        return ()
    if not out and not errors:
        errors[first] = "Answer at least one pair before saving."
    if errors:
        raise ModalErrors(errors)
    return tuple(out)
