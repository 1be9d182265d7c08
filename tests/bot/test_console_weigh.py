"""The judgment form at the terminal for ten drivers: the scale once and 45 one-line
questions (not 765 lines of answers), submitted as Slack submits the modal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from bot.blocks import ids
from bot.blocks.weigh_modal import read_weigh_submission, weigh_modal
from bot.console.fields import Field, Invalid
from bot.console.weigh import answer_option, fill_weigh_form
from planner.drivers import Driver

TEN = tuple(Driver(f"d{i}", f"Driver number {i}") for i in range(10))


def _modal(answers: Mapping[tuple[str, str], str] | None = None) -> dict[str, Any]:
    return weigh_modal(drivers=TEN, answers=answers or {})


def _field(a: str = "d0", b: str = "d1") -> Field:
    modal = weigh_modal(drivers=TEN, answers={}, pair=(a, b))
    [block] = [b for b in modal["blocks"] if b["type"] == "input"]
    return Field.of(block)


class Script:
    """Answers by the prompt's start; records what is written and asked."""

    def __init__(self, answers: Mapping[str, list[str]]) -> None:
        self.answers = {k: list(v) for k, v in answers.items()}
        self.written: list[str] = []
        self.prompts: list[str] = []

    def write(self, text: str) -> None:
        self.written.extend(text.splitlines() or [""])

    def read(self, prompt: str) -> str:
        self.prompts.append(prompt)
        for start, values in self.answers.items():
            if prompt.startswith(start) and values:
                return values.pop(0)
        return ""


def test_ten_drivers_are_asked_in_a_few_dozen_lines() -> None:
    script = Script(
        {
            "Driver number 0 vs Driver number 1 ": ["7"],
            "Driver number 2 vs Driver number 9 ": ["1/4"],
            "Driver number 3 vs Driver number 4 ": ["equal"],
        }
    )
    taken: list[dict[str, Any]] = []

    def submit(values: dict[str, Any]) -> None:
        taken.append(values)

    assert fill_weigh_form(_modal(), read=script.read, write=script.write, submit=submit)
    assert len(script.prompts) == 45  # one line per pair
    assert len(script.written) < 25  # the scale once: never 17 answers per pair
    assert script.prompts[0] == "Driver number 0 vs Driver number 1 [current: not answered]: "
    [values] = taken
    assert set(read_weigh_submission(values)) == {
        ("d0", "d1", "7"),
        ("d2", "d9", "1/4"),
        ("d3", "d4", "1"),
    }


def test_a_refused_submission_asks_only_the_pairs_it_names_again() -> None:
    script = Script({"Driver number 0 vs Driver number 1 ": ["3", "5"]})
    calls: list[dict[str, Any]] = []

    def submit(values: dict[str, Any]) -> dict[str, str] | None:
        calls.append(values)
        if len(calls) == 1:
            return {ids.pair_block("d0", "d1"): "Not that one, say more."}
        return None

    answers = {("d0", "d1"): "1/2"}
    done = fill_weigh_form(_modal(answers), read=script.read, write=script.write, submit=submit)
    assert done and len(calls) == 2
    assert script.prompts[0].endswith("[current: 1/2]: ")
    assert script.prompts[45].endswith("[current: 3]: ")  # asked again, and only it
    assert len(script.prompts) == 46
    assert "! Not that one, say more." in script.written
    assert ("d0", "d1", "5") in read_weigh_submission(calls[1])


@pytest.mark.parametrize(
    ("answer", "value"),
    [
        ("3", "3"),
        (" 1 / 3 ", "1/3"),
        ("1", "1"),
        ("Equal", "1"),
        ("equally important", "1"),
        ("Driver number 1 extremely more important", "1/9"),
        ("driver number 0 very strongly more", "7"),
    ],
)
def test_a_pair_is_answered_by_ratio_equal_or_words(answer: str, value: str) -> None:
    assert answer_option(_field(), answer)["value"] == value


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("10", "'10' is not on the scale: type 1 to 9 when Driver number 0 matters more"),
        ("2/3", "1/2 to 1/9 when Driver number 1 does"),
        ("driver number 0 strongly", "could be"),
        ("very", "is not on the scale"),
    ],
)
def test_an_answer_off_the_scale_says_what_is_on_it(answer: str, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        answer_option(_field(), answer)


def test_cancel_abandons_and_submits_nothing() -> None:
    script = Script({"Driver number 0 vs Driver number 2 ": ["cancel"]})

    def submit(values: dict[str, Any]) -> None:
        raise AssertionError("submitted")

    assert not fill_weigh_form(_modal(), read=script.read, write=script.write, submit=submit)
    assert "Form abandoned: nothing was saved." in script.written
