"""Tiny builders of portfolios and problems for tests.

Initiatives are plain dicts in the portfolio file format; `title` defaults to the key,
`duration` to 1 and `value` to 10, so a test states only what it is about:

    problem = make_problem([{"key": "A", "capex": 100, "duration": 3}], phases=4, budget=33)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from planner.portfolio import Portfolio, parse_portfolio
from planner.problem import Problem, build_problem

_CALENDAR = ("start", "phase", "phases", "tollgates", "freeze", "fiscal_year_start")


def initiative(key: str, **fields: Any) -> dict[str, Any]:
    """One initiative mapping with the required fields filled in."""
    return {"key": key, "title": key, "duration": 1, "value": 10, **fields}


def make_portfolio(
    initiatives: Iterable[Mapping[str, Any]],
    *,
    phases: int = 4,
    start: str = "2027-01-01",
    budget: int | list[int] | None = None,
    total: int | None = None,
    capacity: Mapping[str, int | list[int]] | None = None,
    review: Iterable[str] = (),
    forbid: Iterable[str] = (),
    name: str = "Test portfolio",
    drivers: Iterable[str] = (),
    judgments: Iterable[Mapping[str, Any]] = (),
    objective: str | None = None,
    blend: float | None = None,
    **calendar: Any,
) -> Portfolio:
    """A validated Portfolio; extra keyword arguments go to the calendar (tollgates, freeze, …).

    `budget` is the per-phase budget (one number or a list), `total` the total budget.
    `drivers` are business driver keys (each named after its key), `judgments` mappings
    like {"by": "U1", "a": "x", "b": "y", "ratio": 3}.
    """
    unknown = set(calendar) - set(_CALENDAR)
    if unknown:
        raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
    data: dict[str, Any] = {
        "version": 1,
        "name": name,
        "calendar": {"start": start, "phases": phases, **calendar},
        "initiatives": [initiative(**dict(it)) for it in initiatives],
    }
    money: dict[str, Any] = {}
    if budget is not None:
        money["per_phase"] = budget
    if total is not None:
        money["total"] = total
    if money:
        data["budget"] = money
    if capacity:
        data["capacity"] = dict(capacity)
    policy = {k: list(v) for k, v in (("review", review), ("forbid", forbid)) if v}
    if policy:
        data["policy"] = policy
    if drivers:
        data["drivers"] = [{"key": key, "name": key.capitalize()} for key in drivers]
    if judgments:
        data["judgments"] = [dict(j) for j in judgments]
    if objective is not None:
        data["objective"] = objective
    if blend is not None:
        data["blend"] = blend
    return parse_portfolio(data)


def make_problem(
    initiatives: Iterable[Mapping[str, Any]],
    *,
    include: Iterable[str] = (),
    force_in: Iterable[str] = (),
    force_out: Iterable[str] = (),
    **settings: Any,
) -> Problem:
    """A Problem built from `make_portfolio(initiatives, **settings)`."""
    return build_problem(
        make_portfolio(initiatives, **settings),
        include=include,
        force_in=force_in,
        force_out=force_out,
    )
