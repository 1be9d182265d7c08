"""The largest figures Townhall plans with, and the years it reads.

Every number a person can type (in chat, a what-if, a form or a portfolio file) is held
to these bounds where it is read, with a message naming the bound; the solver guards
(`planner.problem.check_limits`, `planner.cpsat.model.build_model`) refuse anything
that still gets past them with a PlannerError, so no path hands OR-Tools a number it
cannot hold.

Why these numbers: CP-SAT adds up 64-bit integers and refuses a constraint whose
coefficients could sum past 2**62. The largest sum the model writes is the total
budget's, Σ over initiatives and start phases of (capex + opex × phases left), times
the money scale (docs/PLANNING_MODEL.md, Budgets; `planner/cpsat/money.py`). With money
below 10**12 (a trillion whole currency units) and at most 400 phases, one initiative
contributes at most 400 × 401 × 10**12 ≈ 1.6 × 10**17, so a realistic portfolio stays
far inside; a portfolio of many initiatives that each cost nearly a trillion is refused
by the guard with a message instead of crashing the solver. Capacities and uses are
counts (people, teams, review slots): a million is far beyond any team, and keeps the
cumulative constraints (demands × phases) small.

Years run from 1900 to 2999: far enough for any roadmap, and a 400-quarter plan from
the last of them still ends before 9999, the last year Python's dates can hold.
"""

from __future__ import annotations

#: Most whole currency units any amount may be (budgets, capex, opex, value).
MAX_MONEY = 10**12
#: Most units of a resource: a capacity per phase, a use per build phase, agile teams.
MAX_CAPACITY = 10**6
#: Most phases a plan may have (`plan phases=…`, `whatif phases…`).
MAX_PHASES = 400
#: Most percent a what-if may add to a budget (`budget+1000%` is eleven times as much).
MAX_PERCENT = 10_000
#: First and last year of a date or period people may give.
MIN_YEAR = 1900
MAX_YEAR = 2999


def year_problem(year: int) -> str | None:
    """Why a year cannot be planned with, or None when it can."""
    if MIN_YEAR <= year <= MAX_YEAR:
        return None
    return f"the year {year} is outside the years Townhall plans in ({MIN_YEAR}–{MAX_YEAR})"


#: Digits a typed whole number is read to; longer ones are only "too large" (Python's
#: `int()` refuses more than 4,300 digits, and no bound here has more than 13).
_MOST_DIGITS = 30


def read_whole(text: str) -> int | None:
    """A whole number written in ASCII digits 0–9 (no sign, no separators), else None.

    `str.isdigit()` also accepts "²" and "٣", which `int()` then refuses or reads as a
    digit; people mean 0–9. A number longer than 30 digits reads as 10**30, more than
    every bound here, so the caller's "at most …" message answers it.
    """
    if not (text.isascii() and text.isdigit()):
        return None
    return int(text) if len(text) <= _MOST_DIGITS else 10**_MOST_DIGITS
