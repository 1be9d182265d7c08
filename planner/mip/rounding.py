"""A plan read off the LP relaxation: its starts placed by LP weight while they fit.

The LP solution of this problem is nearly integral, and its starts hold a near-optimal
plan; `round_lp` makes one quickly, to warm-start the search of the LP neighbourhood
(`planner.mip.engine`). Starts are taken by LP value, highest first (then realized
value), each placed when every rule still holds next to those placed before: its
dependencies placed and finished before it starts, nothing it excludes placed, budgets
(exact, in units of 1 / `Problem.money_scale()`), capacities and review slots. Passes
repeat while they place something (a dependent may come before what it depends on);
then whatever is left is placed, most valuable first, at its earliest start that fits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from planner.mip.model import MipModel
from planner.problem import SECURITY_REVIEWS, Item, Problem
from planner.validate import check_starts

#: Starts with an LP value up to this are not candidates.
LEAST = 1e-6
#: Most passes over the candidates.
PASSES = 4


class _Ledger:
    """What the placed starts use of each limit, phase by phase (money scaled exactly)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.P = problem.horizon
        self.scale = problem.money_scale()
        self.budget = [None if b is None else b * self.scale for b in problem.budget]
        self.total = None if problem.total_budget is None else problem.total_budget * self.scale
        self.spend = [0] * self.P
        self.spent = 0
        self.caps = dict(problem.capacity)
        self.used = {r: [0] * self.P for r in self.caps}

    def charges(self, it: Item, s: int) -> list[tuple[int, int]]:
        share = it.capex * self.scale // it.duration
        opex = it.opex * self.scale
        return [(p, share if p < s + it.duration else opex) for p in range(s, self.P)]

    def fits(self, it: Item, s: int) -> bool:
        for p, amount in self.charges(it, s):
            budget = self.budget[p]
            if amount and budget is not None and self.spend[p] + amount > budget:
                return False
        if self.total is not None:
            whole = (it.capex + it.opex * (self.P - s - it.duration)) * self.scale
            if self.spent + whole > self.total:
                return False
        for resource, caps in self.caps.items():
            if resource == SECURITY_REVIEWS:
                cap = caps[s]
                if it.needs_review and cap is not None and self.used[resource][s] + 1 > cap:
                    return False
                continue
            use = it.use(resource)
            for p in range(s, s + it.duration) if use else ():
                cap = caps[p]
                if cap is not None and self.used[resource][p] + use > cap:
                    return False
        return True

    def book(self, it: Item, s: int) -> None:
        for p, amount in self.charges(it, s):
            self.spend[p] += amount
        self.spent += (it.capex + it.opex * (self.P - s - it.duration)) * self.scale
        for resource in self.caps:
            if resource == SECURITY_REVIEWS:
                self.used[resource][s] += 1 if it.needs_review else 0
                continue
            use = it.use(resource)
            for p in range(s, s + it.duration) if use else ():
                self.used[resource][p] += use


def round_lp(problem: Problem, mip: MipModel, values: Sequence[float]) -> dict[str, int] | None:
    """A valid plan from the LP solution `values` (by column of `mip`), or None when what
    must be scheduled could not all be placed."""
    P = problem.horizon
    candidates = sorted(
        (
            (-values[column], -problem.item(key).realized_value(t, P), key, t)
            for key, starts in mip.y.items()
            for t, column in starts.items()
            if values[column] > LEAST
        ),
    )
    ledger = _Ledger(problem)
    plan: dict[str, int] = {}
    for _ in range(PASSES):
        placed = False
        for _, _, key, t in candidates:
            if key in plan:
                continue
            it = problem.item(key)
            if _allowed(problem, it, t, plan) and ledger.fits(it, t):
                ledger.book(it, t)
                plan[key] = t
                placed = True
        if not placed:
            break
    # then what is left, most valuable first, at its earliest start that fits
    rest = sorted(
        (it for it in problem.items if it.key in mip.y and it.key not in plan),
        key=lambda it: (-it.per_phase, it.key),
    )
    for it in rest:
        for t in sorted(mip.y[it.key]):
            if _allowed(problem, it, t, plan) and ledger.fits(it, t):
                ledger.book(it, t)
                plan[it.key] = t
                break
    if check_starts(problem, plan):
        return None
    return plan


def _allowed(problem: Problem, it: Item, t: int, plan: Mapping[str, int]) -> bool:
    for dep in it.depends_on:
        if dep not in plan or plan[dep] + problem.item(dep).duration > t:
            return False
    return not any(other in plan for other in it.excludes)
