"""Long per-phase budget lists in the settings modal: shown whole (runs written
`250k×12`, a list longer than one field continued in the next), read back unchanged, so
a settings modal saved as it was opened changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.blocks import ids
from bot.blocks.settings_modal import read_settings_submission, settings_modal
from bot.blocks.settings_submission import format_amounts, parse_amounts
from bot.blocks.text import INPUT_MAX_LENGTH
from bot.errors import ModalErrors
from catalog import services
from catalog.views import SettingsView
from planner.errors import ScenarioError
from planner.limits import MAX_PHASES
from planner.portfolio import Budget, Calendar
from tests.bot.blocks_support import NOW, check_view, demo_portfolio, submitted, typed
from tests.bot.conftest import OPERATOR, Served
from tests.bot.signed import plain_text_input

SB = ids.SETTINGS_BLOCKS
PHASES = 400


def _settings(per_phase: int | tuple[int, ...] | None, *, phases: int = PHASES) -> SettingsView:
    p = demo_portfolio()
    return SettingsView(
        name=p.name,
        calendar=Calendar(start=dt.date(2027, 1, 1), phases=phases, phase="month"),
        budget=Budget(per_phase=per_phase, total=None),
        capacity=p.capacity,
        policy=p.policy,
        version=4,
        updated_at=NOW,
        updated_by="U0PMO",
    )


#: 400 phases of a budget rising by a few per cent a year: runs of twelve equal months.
YEARLY = tuple(round(250_000 * 1.031 ** (i // 12)) for i in range(PHASES))
#: 400 phases, every amount different and long to write (the worst case).
DISTINCT = tuple(1_234_567_891 + 7 * i for i in range(PHASES))


def _budget_texts(view: dict) -> list[str]:
    return [
        b["element"].get("initial_value", "")
        for b in view["blocks"]
        if b["type"] == "input" and b["block_id"].startswith(SB["budget.per_phase"])
    ]


@pytest.mark.parametrize("per_phase", [YEARLY, DISTINCT, (250_000,) * PHASES])
def test_a_400_phase_budget_list_saves_unchanged(per_phase: tuple[int, ...]) -> None:
    current = _settings(per_phase)
    view = settings_modal(settings=current, private_metadata="")
    check_view(view)
    texts = _budget_texts(view)
    assert all(len(t) <= INPUT_MAX_LENGTH for t in texts)
    assert read_settings_submission(submitted(view), current=current) == {}
    assert read_settings_submission(submitted(view))["budget"]["per_phase"] == list(per_phase)


def test_runs_are_written_compactly_and_short_lists_stay_plain() -> None:
    assert format_amounts((250_000,) * 12 + (300_000,) * 12) == "250k×12, 300k×12"
    assert format_amounts((200_000, 250_000, 250_000, 300_000)) == "200k, 250k, 250k, 300k"
    assert format_amounts((1_234_567,) * 3 + (5,)) == "1,234,567×3, 5"
    view = settings_modal(settings=_settings(YEARLY), private_metadata="")
    [text] = _budget_texts(view)
    assert text.startswith("250k×12, 257,750×12, ")


def test_runs_read_back_however_they_are_typed() -> None:
    assert parse_amounts("250k×3, 300k x 2; 1.2M*2 5X2") == [250_000] * 3 + [300_000] * 2 + [
        1_200_000
    ] * 2 + [5, 5]
    assert parse_amounts("1,234,567×2, 250,000") == [1_234_567, 1_234_567, 250_000]


@pytest.mark.parametrize(
    ("typed_text", "words"),
    [
        ("250k×0", "at least once"),
        ("250k×²", "whole number of phases"),
        ("lots×3", "not an amount of money"),
        ("250k×99999999999999999999", "at most"),
    ],
)
def test_a_bad_run_is_refused_with_what_to_type(typed_text: str, words: str) -> None:
    with pytest.raises(ScenarioError, match=words):
        parse_amounts(typed_text)


def test_a_run_of_the_wrong_length_is_a_field_error() -> None:
    current = _settings(YEARLY)
    view = settings_modal(settings=current, private_metadata="")
    state = submitted(view, **{SB["budget.per_phase"]: typed("250k×399")})
    more = [block for block in state if block.startswith(SB["budget.per_phase"] + "_")]
    assert more == []  # the runs fit in one field
    with pytest.raises(ModalErrors) as caught:
        read_settings_submission(state, current=current)
    assert caught.value.errors[SB["budget.per_phase"]] == (
        "Give one amount, or one for each of the 400 phases (got 399)."
    )


def test_a_list_too_long_for_one_field_continues_in_the_next() -> None:
    current = _settings(DISTINCT)
    view = settings_modal(settings=current, private_metadata="")
    texts = _budget_texts(view)
    assert len(texts) > 1
    assert parse_amounts(", ".join(texts)) == list(DISTINCT)
    changed = list(DISTINCT)
    changed[-1] = 7
    last = [b for b in view["blocks"] if b.get("block_id", "").startswith(SB["budget.per_phase"])]
    edited = texts[-1].rsplit(", ", 1)[0] + ", 7"
    state = submitted(view, **{last[-1]["block_id"]: typed(edited)})
    changes = read_settings_submission(state, current=current)
    assert changes["budget"]["per_phase"] == changed


def test_a_grouped_amount_is_one_amount_even_when_it_is_refused() -> None:
    """`1,000,000,000,001` is read as one amount (refused if too large), never as five."""
    try:
        amounts = parse_amounts("1,000,000,000,001, 5")
    except ScenarioError as exc:
        assert "got" not in str(exc) and "1,000,000,000,001" in str(exc)
    else:
        assert amounts == [1_000_000_000_001, 5]


def test_one_amount_for_a_one_phase_calendar_is_unchanged() -> None:
    current = _settings((250_000,), phases=1)
    view = settings_modal(settings=current, private_metadata="")
    assert read_settings_submission(submitted(view), current=current) == {}


def test_the_slack_settings_modal_saves_a_400_phase_list_unchanged(demo: Served) -> None:
    """End to end: `/roadmap settings`, then submitting the modal as opened."""
    with demo.uow() as uow:
        services.grant_role(uow, actor=OPERATOR, team_id="T0ACME", user_id="U0ALICE", role="pmo")
        services.update_settings(
            uow,
            actor=OPERATOR,
            team_id="T0ACME",
            changes={
                "calendar": {"phases": PHASES, "phase": "month", "tollgates": None},
                "budget": {"per_phase": list(YEARLY), "total": None},
            },
        )
    with demo.uow() as uow:
        before = services.get_settings(uow, team_id="T0ACME")
    assert before.budget.per_phase == YEARLY
    assert demo.slack.command("settings").send(demo.events_url).status == 200
    [opened] = demo.fake.wait_for("views.open")
    view = demo.fake.view(opened.response["view"]["id"])
    values = submitted(view)
    reply = demo.slack.view_submission(view=view, values=values).send(demo.events_url)
    assert reply.status == 200 and reply.body in (b"", b"{}"), reply.body
    with demo.uow() as uow:
        after = services.get_settings(uow, team_id="T0ACME")
    assert after == before  # same version: nothing changed
    # and a real change in the compact form is saved
    values[SB["budget.per_phase"]] = {ids.INPUT: plain_text_input("300k×400")}
    reply = demo.slack.view_submission(view=view, values=values).send(demo.events_url)
    assert reply.status == 200 and reply.body in (b"", b"{}"), reply.body
    with demo.uow() as uow:
        saved = services.get_settings(uow, team_id="T0ACME")
    assert saved.budget.per_phase == (300_000,) * PHASES
    assert (saved.calendar, saved.capacity, saved.policy) == (
        before.calendar,
        before.capacity,
        before.policy,
    )


# --------------------------------------------------------------------------- fuzzing

AMOUNTS = st.integers(min_value=0, max_value=10**12)  # what Townhall plans with


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(AMOUNTS, st.just(1)),
            st.tuples(AMOUNTS, st.integers(min_value=2, max_value=60)),
        ),
        min_size=1,
        max_size=200,
    ).map(lambda runs: tuple(a for a, n in runs for _ in range(n))[:MAX_PHASES])
)
def test_any_budget_list_saves_unchanged(per_phase: tuple[int, ...]) -> None:
    """Any per-phase list (up to the most phases a plan has, amounts up to 10**12) fits the
    modal's fields and reads back as it was."""
    current = _settings(per_phase, phases=len(per_phase))
    view = settings_modal(settings=current, private_metadata="")
    check_view(view)
    assert all(len(t) <= INPUT_MAX_LENGTH for t in _budget_texts(view))
    assert read_settings_submission(submitted(view), current=current) == {}


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_typed_budget_list_is_read_or_refused_with_a_message(text: str) -> None:
    """Whatever is typed: a list of amounts, or a ScenarioError saying what to type."""
    try:
        amounts = parse_amounts(text)
    except ScenarioError as exc:
        assert str(exc) and "Traceback" not in str(exc)
    else:
        assert all(isinstance(a, int) and a >= 0 for a in amounts)
