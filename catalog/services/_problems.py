"""Checking through the portfolio rules and mapping their problems to form fields."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from catalog.errors import ValidationFailed
from planner.errors import PortfolioError
from planner.portfolio import Portfolio, parse_portfolio

#: The field of problems that belong to no single field.
ALL = "__all__"


def parse_or_fail(data: Mapping[str, Any], *, subjects: Iterable[str] = ()) -> Portfolio:
    """Parse a portfolio mapping; turn its problems into ValidationFailed fields.

    `subjects` name the initiative being written (its key and its `#n` label): problems
    about it map to its fields; section problems map to `calendar.phases` and the like;
    the rest go under `"__all__"`.
    """
    try:
        return parse_portfolio(dict(data))
    except PortfolioError as exc:
        raise ValidationFailed(problem_fields(exc.problems, subjects=subjects)) from exc


_INITIATIVE = re.compile(r"^initiative (?P<who>[^:]+): (?P<rest>.*)$", re.DOTALL)
_FIELD = re.compile(
    r"^(?:unknown )?field '(?P<field>[^'.]+)(?:\.[^']*)?'(?::\s*|\s+)?(?P<rest>.*)$", re.DOTALL
)
_SECTION = re.compile(
    r"^(?P<field>(?:calendar|budget|capacity|policy)(?:\.[a-z_]+)?|(?:objective|blend)(?=:))"
)
_CYCLE = re.compile(r"^dependency cycle: (?P<path>.*?) \(")


def problem_fields(problems: Iterable[str], *, subjects: Iterable[str] = ()) -> dict[str, str]:
    """Map portfolio problems to field → message (several on one field are joined)."""
    names = set(subjects)
    out: dict[str, list[str]] = {}
    for problem in problems:
        name, text = _problem_field(problem, names)
        out.setdefault(name, []).append(text)
    return {name: "; ".join(texts) for name, texts in out.items()}


def _problem_field(problem: str, subjects: set[str]) -> tuple[str, str]:
    cycle = _CYCLE.match(problem)
    if cycle:
        keys = set(cycle["path"].split(" → "))
        return ("depends_on" if keys & subjects else ALL), problem
    m = _INITIATIVE.match(problem)
    if m:
        if m["who"] not in subjects:
            return ALL, problem
        rest = m["rest"]
        if rest.startswith("duplicate key"):
            return "key", f"{m['who']} is already taken by another initiative"
        f = _FIELD.match(rest)
        if f:
            if rest.startswith("unknown field"):
                return f["field"], "is not a field of an initiative"
            return f["field"], f["rest"] or rest
        return ALL, problem
    s = _SECTION.match(problem)
    if s:
        return s["field"], problem.removeprefix(s["field"]).lstrip(": ") or problem
    return ALL, problem
