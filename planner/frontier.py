"""The efficient frontier: the best objective against the total budget, as data to draw.

The objective is the one the problem plans for (`Problem.goal`: value, strategic score
or a blend); a point's `objective` and `bound` are in its solver units, shown with
`goal.display`.

Each point replaces the problem's total budget with one level (per-phase budgets and
capacities stay) and solves. Default levels run, evenly spaced over `points` levels,
from the spend of a plan holding only what must be scheduled (mandatory, pinned,
forced-in initiatives and what they depend on; 0 when nothing must) up to the spend of
the plan without a total budget. Past that level more money buys nothing, so that
plan is the last point without another solve.

With a `deadline` in the config, each solve gets at most what is left of it, and the
frontier stops at the last point solved in time (fewer points, cheapest first).

Points are made monotone: a plan found at a lower level is also valid at every higher
one, so a point never reports a lower objective than a cheaper point (its status is then
`feasible`). Bounds are capped by the bound of the plan without a total budget.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from planner.config import OutOfTime, SolverConfig
from planner.errors import ScenarioError
from planner.optimize import optimize
from planner.problem import Problem
from planner.roadmap import Roadmap, spend_by_phase

_PLANNED = ("optimal", "feasible")


@dataclass(frozen=True)
class FrontierPoint:
    total_budget: int
    objective: int | None  # best objective found at this level (solver units); None: no plan
    bound: int | None  # no plan at this level is worth more
    status: str  # optimal | feasible | infeasible | unknown
    scheduled_count: int
    spend: int | None = None  # what the plan actually spends (≤ total_budget)


def frontier(
    problem: Problem,
    *,
    levels: Sequence[int] | None = None,
    points: int = 8,
    config: SolverConfig = SolverConfig(),  # noqa: B008
) -> list[FrontierPoint]:
    """The best objective (`problem.goal`) for a range of total budgets, cheapest first.

    `levels` gives the total budgets to solve at; by default `points` levels as the
    module docstring describes. Each solve runs with `config` (its baseline is ignored:
    the frontier is about the objective alone). Returns [] when, by default levels, no plan
    exists whatever the total budget, or when `config.deadline` leaves no time for the
    first solve; the points solved in time when it runs out later.
    """
    if points < 1:
        raise ScenarioError(f"a frontier needs at least 1 point, not {points}")
    if levels is not None and any(level < 0 for level in levels):
        raise ScenarioError("total budget levels must be 0 or more")
    config = replace(config, baseline=None, stability_weight=None, progress=None)
    return _Frontier(problem, config).run(levels, points)


class _Frontier:
    def __init__(self, problem: Problem, config: SolverConfig) -> None:
        self.problem = problem
        self.config = config

    def solve(self, problem: Problem) -> Roadmap:
        return optimize(problem, self.config.within_deadline("a frontier point"))

    def spend(self, roadmap: Roadmap) -> int:
        exact = sum(spend_by_phase(self.problem, roadmap.starts), Fraction(0))
        return math.ceil(exact)

    def run(self, levels: Sequence[int] | None, points: int) -> list[FrontierPoint]:
        try:
            open_plan = self.solve(replace(self.problem, total_budget=None))
            planned = open_plan.status in _PLANNED
            top = self.spend(open_plan) if planned else None
            if levels is None:
                if top is None:
                    return []
                levels = self.default_levels(top, points)
        except OutOfTime:
            return []
        out: list[FrontierPoint] = []
        best: FrontierPoint | None = None
        for level in sorted(set(levels)):
            if top is not None and level >= top:
                roadmap = open_plan
            else:
                try:
                    roadmap = self.solve(replace(self.problem, total_budget=level))
                except OutOfTime:  # the points solved in time are the frontier drawn
                    break
            point = self.point(level, roadmap, open_plan)
            if (
                best is not None
                and best.objective is not None
                and (point.objective is None or point.objective < best.objective)
            ):
                point = replace(
                    point,
                    objective=best.objective,
                    status="feasible",
                    scheduled_count=best.scheduled_count,
                    spend=best.spend,
                    bound=None if point.bound is None else max(point.bound, best.objective),
                )
            if point.objective is not None:
                best = point
            out.append(point)
        return out

    def point(self, level: int, roadmap: Roadmap, open_plan: Roadmap) -> FrontierPoint:
        bound = roadmap.bound
        if open_plan.status in _PLANNED and open_plan.bound is not None:
            bound = open_plan.bound if bound is None else min(bound, open_plan.bound)
        if roadmap.objective is not None and bound is not None:
            bound = max(bound, roadmap.objective)
        planned = roadmap.status in _PLANNED
        return FrontierPoint(
            total_budget=level,
            objective=roadmap.objective if planned else None,
            bound=bound if planned or roadmap.status == "unknown" else None,
            status=roadmap.status,
            scheduled_count=len(roadmap.scheduled),
            spend=self.spend(roadmap) if planned else None,
        )

    def default_levels(self, top: int, points: int) -> list[int]:
        low = self.required_spend()
        if low is None or low >= top or points == 1:
            return [top]
        # inner levels rounded to about three significant digits of the range
        unit = 10 ** max(0, int(math.log10(top - low)) - 2)
        step = Fraction(top - low, points - 1)
        inner = {round((low + step * k) / unit) * unit for k in range(1, points - 1)}
        return sorted({low, top} | {level for level in inner if low < level < top})

    def required_spend(self) -> int | None:
        """Spend of a plan holding only what must be scheduled (0 if nothing must)."""
        problem = self.problem
        needed = problem.required_keys()
        if not needed:
            return 0
        optional = frozenset(problem.keys) - needed
        only = replace(problem, total_budget=None, force_out=problem.force_out | optional)
        roadmap = self.solve(only)
        return self.spend(roadmap) if roadmap.status in _PLANNED else None
