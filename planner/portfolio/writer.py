"""Writing a portfolio back in the version 1 format, so that load → dump → load is lossless."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import yaml

from planner.drivers import Driver, Judgment, ratio_text
from planner.portfolio.records import INITIATIVE_FIELDS, InitiativeSpec, Portfolio


def portfolio_to_dict(portfolio: Portfolio) -> dict[str, Any]:
    """The version 1 mapping of a portfolio; fields at their default are left out."""
    cal = portfolio.calendar
    calendar: dict[str, Any] = {
        "start": cal.start.isoformat(),
        "phase": cal.phase,
        "phases": cal.phases,
    }
    if cal.tollgates is not None:
        calendar["tollgates"] = (
            cal.tollgates if isinstance(cal.tollgates, str) else list(cal.tollgates)
        )
    if cal.freeze:
        calendar["freeze"] = list(cal.freeze)
    if cal.fiscal_year_start != 1:
        calendar["fiscal_year_start"] = cal.fiscal_year_start
    out: dict[str, Any] = {"version": 1, "name": portfolio.name, "calendar": calendar}
    budget: dict[str, Any] = {}
    if portfolio.budget.per_phase is not None:
        budget["per_phase"] = _plain(portfolio.budget.per_phase)
    if portfolio.budget.total is not None:
        budget["total"] = portfolio.budget.total
    if budget:
        out["budget"] = budget
    if portfolio.capacity:
        out["capacity"] = {k: _plain(v) for k, v in portfolio.capacity.items()}
    policy = {
        k: list(v)
        for k, v in (("review", portfolio.policy.review), ("forbid", portfolio.policy.forbid))
        if v
    }
    if policy:
        out["policy"] = policy
    if portfolio.drivers:
        out["drivers"] = [driver_to_dict(d) for d in portfolio.drivers]
    if portfolio.judgments:
        out["judgments"] = [judgment_to_dict(j) for j in portfolio.judgments]
    if portfolio.objective != "value":
        out["objective"] = portfolio.objective
    if portfolio.blend != 1.0:
        out["blend"] = portfolio.blend
    out["initiatives"] = [initiative_to_dict(s) for s in portfolio.initiatives]
    return out


def initiative_to_dict(spec: InitiativeSpec) -> dict[str, Any]:
    defaults = InitiativeSpec(key="", title="", duration=1, value=0)
    out: dict[str, Any] = {}
    for name in INITIATIVE_FIELDS:
        value = getattr(spec, name)
        if name in ("key", "title", "duration", "value") or value != getattr(defaults, name):
            out[name] = _plain(value)
    return out


def driver_to_dict(driver: Driver) -> dict[str, Any]:
    out: dict[str, Any] = {"key": driver.key, "name": driver.name}
    if driver.description:
        out["description"] = driver.description
    return out


def judgment_to_dict(judgment: Judgment) -> dict[str, Any]:
    """A judgment as files write it: ratio 3, or "1/3" (a fraction is text in YAML)."""
    ratio = judgment.ratio
    written: int | str = ratio.numerator if ratio.denominator == 1 else ratio_text(ratio)
    return {"by": judgment.by, "a": judgment.a, "b": judgment.b, "ratio": written}


def dump_portfolio(portfolio: Portfolio, *, fmt: str = "yaml") -> str:
    data = portfolio_to_dict(portfolio)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):
        return dict(value)
    return value
