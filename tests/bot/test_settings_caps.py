"""Item 16 on the settings modal: the same caps as `plan phases=` and portfolio files
(phases, tollgate RRULEs, years, capacities), as inline field errors, answered at once;
a refused save changes nothing."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from bot.blocks import ids, read_settings_submission, settings_errors_for, settings_modal
from bot.errors import ModalErrors
from bot.submissions import submit_settings
from catalog import services
from catalog.domain import Actor
from catalog.errors import ValidationFailed
from catalog.uow import UnitOfWork
from catalog.usecases.context import Context
from tests.bot.blocks_support import submitted, typed

SB = ids.SETTINGS_BLOCKS
OPERATOR = Actor.operator()
TEAM = "T-CAPS"


@pytest.fixture
def workspace(uow: Callable[[], UnitOfWork]) -> Callable[[], UnitOfWork]:
    with uow() as u:
        services.ensure_workspace(u, team_id=TEAM)
        u.commit()
    return uow


def modal_values(uow: Callable[[], UnitOfWork], **answers: dict[str, Any]) -> dict[str, Any]:
    with uow() as u:
        current = services.get_settings(u, team_id=TEAM)
    return submitted(settings_modal(settings=current, private_metadata=""), **answers)


def errors_of(uow: Callable[[], UnitOfWork], **answers: dict[str, Any]) -> dict[str, str]:
    with uow() as u:
        current = services.get_settings(u, team_id=TEAM)
    values = modal_values(uow, **answers)
    with pytest.raises(ModalErrors) as info:
        read_settings_submission(values, current=current)
    return info.value.errors


@pytest.mark.parametrize("phases", ["100000", "401", "²", "٣", "9" * 5000, "0"])
def test_a_number_of_phases_beyond_the_cap_is_an_inline_error_at_once(workspace, phases) -> None:
    started = time.perf_counter()
    errors = errors_of(workspace, **{SB["calendar.phases"]: typed(phases)})
    assert errors == {
        SB["calendar.phases"]: "Enter a whole number of phases from 1 to 400 (the most a plan "
        "can have)."
    }
    assert time.perf_counter() - started < 1


def test_a_start_whose_phases_run_past_the_supported_years_is_refused(workspace) -> None:
    errors = errors_of(
        workspace,
        **{
            SB["calendar.start"]: {"selected_date": "9990-01-01"},
            SB["calendar.phases"]: typed("40"),
        },
    )
    assert "the year 9990 is outside the years Townhall plans in" in errors[SB["calendar.start"]]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("FREQ=MINUTELY", "FREQ=MINUTELY is not a tollgate frequency"),
        ("FREQ=SECONDLY", "FREQ=SECONDLY is not a tollgate frequency"),
        ("FREQ=DAILY;BYSECOND=1", "BYSECOND is not allowed"),
        ("FREQ=SOMETIMES", "FREQ=SOMETIMES is not a tollgate frequency"),
    ],
)
def test_tollgate_rrules_finer_than_a_day_are_inline_errors(workspace, rule, expected) -> None:
    errors = errors_of(workspace, **{SB["calendar.tollgates"]: typed(rule)})
    assert expected in errors[SB["calendar.tollgates"]]
    assert errors[SB["calendar.tollgates"]].endswith(
        "E.g. FREQ=MONTHLY;INTERVAL=6 or FREQ=YEARLY;BYMONTH=1,7;BYMONTHDAY=1."
    )


def test_a_daily_rule_over_many_phases_is_refused_by_its_count(workspace) -> None:
    errors = errors_of(
        workspace,
        **{SB["calendar.phases"]: typed("400"), SB["calendar.tollgates"]: typed("FREQ=DAILY")},
    )
    assert "more than 10000 days in the horizon" in errors[SB["calendar.tollgates"]]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("integration: ²", "capacities are whole numbers"),
        ("integration: 99999999999", "a capacity is at most 1,000,000"),
        ("integration: " + "9" * 5000, "a capacity is at most 1,000,000"),
    ],
)
def test_capacities_are_capped_too(workspace, line: str, expected: str) -> None:
    errors = errors_of(workspace, **{SB["capacity"]: typed(line)})
    assert expected in errors[SB["capacity"]]


def test_a_refused_save_through_the_form_changes_nothing(workspace) -> None:
    with workspace() as u:
        before = services.get_settings(u, team_id=TEAM)
    ctx = Context(actor=OPERATOR, team_id=TEAM, uow_factory=workspace)
    for answers in (
        {SB["calendar.phases"]: typed("100000")},
        {SB["calendar.tollgates"]: typed("FREQ=SECONDLY")},
        {SB["calendar.phases"]: typed("²")},
    ):
        started = time.perf_counter()
        outcome = submit_settings(modal_values(workspace, **answers), ctx=ctx)
        assert outcome.errors and outcome.reply is None
        assert time.perf_counter() - started < 3
    with workspace() as u:
        after = services.get_settings(u, team_id=TEAM)
    assert after == before


def test_the_catalog_refuses_the_same_caps_under_the_settings_fields(workspace) -> None:
    for changes, field in (
        ({"calendar": {"phases": 30_000}}, "calendar.phases"),
        ({"calendar": {"tollgates": "FREQ=MINUTELY"}}, "calendar.tollgates"),
    ):
        with workspace() as u, pytest.raises(ValidationFailed) as info:
            services.update_settings(u, actor=OPERATOR, team_id=TEAM, changes=changes)
        assert field in info.value.fields, info.value.fields
        shown = settings_errors_for(info.value.fields)
        assert SB[field] in shown and len(shown[SB[field]]) < 400
