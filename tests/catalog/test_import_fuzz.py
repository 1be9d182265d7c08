"""Fuzzing `import_portfolio` (hypothesis, bounded; on SQLite, and on PostgreSQL when
DATABASE_URL points there, as `.ci/run`'s second pass does).

Properties: importing any portfolio mapping, in either mode, either succeeds or raises
ImportFailed (never a database error such as "bigint out of range", an OverflowError, a
RecursionError); a refused import changes nothing (the workspace exported before and
after is the same, no audit entry is written); a refusal's message is bounded.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog import services
from catalog.domain import Actor
from catalog.errors import ImportFailed
from catalog.uow import UnitOfWork
from planner.portfolio import MAX_TITLE_LENGTH
from tests.catalog.conftest import audit_count, small
from tests.planner.test_portfolio_fuzz import portfolios, values

OPERATOR = Actor.operator()
TEAM = "T-IMPORT-FUZZ"


@pytest.fixture
def loaded(uow: Callable[[], UnitOfWork]) -> Callable[[], UnitOfWork]:
    """A workspace holding the small portfolio."""
    with uow() as u:
        services.import_portfolio(u, actor=OPERATOR, team_id=TEAM, portfolio=small())
    return uow


def export(uow: Callable[[], UnitOfWork]) -> Any:
    with uow() as u:
        return services.export_portfolio(u, team_id=TEAM)


def attempt(uow: Callable[[], UnitOfWork], data: Any, mode: str) -> None:
    """Import `data`; a refusal must leave the workspace exactly as it was."""
    before, audited = export(uow), audit_count(uow)
    try:
        with uow() as u:
            services.import_portfolio(u, actor=OPERATOR, team_id=TEAM, portfolio=data, mode=mode)
    except ImportFailed as exc:
        assert exc.problems and len(str(exc)) < 51 * 600, str(exc)[:300]
        assert export(uow) == before
        assert audit_count(uow) == audited
    else:  # what was accepted reads back (and is the next example's starting point)
        export(uow)


FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(portfolios(), st.sampled_from(["replace", "merge"]))
def test_a_refused_import_changes_nothing(loaded, data: dict[str, Any], mode: str) -> None:
    attempt(loaded, data, mode)


@FUZZ
@given(values(), st.sampled_from(["replace", "merge"]))
def test_anything_imported_is_read_or_refused(loaded, data: Any, mode: str) -> None:
    attempt(loaded, data, mode)


@pytest.mark.parametrize(
    "change",
    [
        {"title": "x" * 100_000},
        {"title": "x" * (MAX_TITLE_LENGTH + 1)},
        {"owner": "o" * 201},
        {"value": 10**100},
        {"capex": 2**63},
        {"opex": 1e308},
        {"value": float("nan")},
        {"duration": 2**31},
        {"teams": 2**63},
        {"title": "nul\x00byte"},
        {"summary": "lone \ud800 surrogate"},
        {"deadline": "2027-13-01"},
        {"uses": {"integration": 10**30}},
    ],
)
@pytest.mark.parametrize("mode", ["replace", "merge"])
def test_what_broke_the_databases_is_refused_and_changes_nothing(
    loaded, change: dict[str, Any], mode: str
) -> None:
    data = small()
    data["initiatives"][0].update(copy.deepcopy(change))
    before = export(loaded)
    with pytest.raises(ImportFailed), loaded() as u:
        services.import_portfolio(u, actor=OPERATOR, team_id=TEAM, portfolio=data, mode=mode)
    assert export(loaded) == before


def test_too_many_phases_and_a_seconds_rrule_are_refused(loaded) -> None:
    before = export(loaded)
    for calendar in (
        {"start": "2027-01-01", "phases": 30_000},
        {"start": "2027-01-01", "phases": 4, "tollgates": "FREQ=SECONDLY"},
        {"start": "9990-01-01", "phases": 400},
    ):
        with pytest.raises(ImportFailed, match="calendar"), loaded() as u:
            services.import_portfolio(
                u, actor=OPERATOR, team_id=TEAM, portfolio=small(calendar=calendar)
            )
    assert export(loaded) == before
