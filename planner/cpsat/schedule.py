"""The interval model, for problems that are pure scheduling.

When every initiative that could be scheduled must be (mandatory, pinned, forced in, or
a prerequisite of one of those) and no budget is set, nothing is left to choose but
start phases, and the problem is resource-constrained project scheduling. Then one
start variable and one interval per initiative, precedences and cumulatives state it
exactly, and CP-SAT's scheduling propagators prove optimal plans far faster than over
time-indexed literals (measured on PSPLIB j30: optimal makespans in seconds where the
time-indexed model stayed 10-25% from its bound). Money would need the time-indexed
model's exact LP, so any budget keeps that one.

Same rules as the time-indexed model: starts are restricted to the allowed ones (window,
tollgates, freeze), dependencies are finish-to-start, each capacity is a cumulative over
build intervals (a capacity varying by phase is its highest value, with fixed blocks
filling the difference), a security review is a one-phase interval at the start, and
the objective is Σ per_phase × (P − s − d + 1), linear in the starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner.cpsat.objective import Objective, drop_phases, stability_penalty
from planner.cpsat.selection import required_items
from planner.problem import SECURITY_REVIEWS, Item, Problem


def is_pure_scheduling(problem: Problem) -> bool:
    """No budget, and every initiative that could be scheduled has to be."""
    if problem.total_budget is not None or any(b is not None for b in problem.budget):
        return False
    required = {it.key for it in required_items(problem)}
    return all(
        it.key in required
        for it in problem.items
        if not problem.must_drop(it) and problem.allowed_starts(it)
    )


@dataclass
class IntervalModel:
    """A CP-SAT model of a pure scheduling Problem over start variables."""

    problem: Problem
    model: cp_model.CpModel
    start: dict[str, cp_model.IntVar]
    objective: Objective
    kind: str = "intervals"

    @property
    def size(self) -> int:
        return len(self.start)

    def hint(self, starts: Mapping[str, int]) -> None:
        """Warm start from a plan (only a complete one can be hinted meaningfully)."""
        for key, var in self.start.items():
            if key in starts:
                self.model.add_hint(var, starts[key])
        objective = self.objective
        complete = all(key in starts for key in self.start)
        if objective.penalty is not None and objective.baseline is not None and complete:
            moved = stability_penalty(self.problem, objective.baseline, starts)
            self.model.add_hint(objective.penalty, moved)

    def read(self, solver: cp_model.CpSolver | cp_model.CpSolverSolutionCallback) -> dict[str, int]:
        return {key: solver.value(var) for key, var in self.start.items()}


def build_interval_model(
    problem: Problem,
    *,
    baseline: Mapping[str, int] | None = None,
    stability_weight: int = 0,
) -> IntervalModel:
    model = cp_model.CpModel()
    items = {it.key: it for it in required_items(problem)}
    start: dict[str, cp_model.IntVar] = {}
    build: dict[str, cp_model.IntervalVar] = {}
    for key, it in items.items():
        allowed = () if problem.must_drop(it) else problem.allowed_starts(it)
        if not allowed:
            model.add_bool_or([])  # it must be scheduled and cannot be
            continue
        start[key] = model.new_int_var_from_domain(
            cp_model.Domain.from_values(allowed), f"{key} start"
        )
        build[key] = model.new_fixed_size_interval_var(start[key], it.duration, f"{key} build")
    for key, it in items.items():
        for other in it.excludes:
            if other in items and key < other:
                model.add_bool_or([])  # both must be scheduled and they exclude each other
        for dep in it.depends_on:
            if key in start and dep in start:
                model.add(start[key] >= start[dep] + items[dep].duration)
    for resource in problem.resources():
        _add_cumulative(model, problem, resource, items, start, build)
    P = problem.horizon
    value = cp_model.LinearExpr.weighted_sum(
        [start[k] for k in start], [-items[k].per_phase for k in start]
    ) + sum(items[k].per_phase * (P - items[k].duration + 1) for k in start)
    penalty = None
    if baseline and stability_weight > 0:
        known = set(problem.keys)
        moves, constant, worst = [], 0, 0
        for key, was in baseline.items():
            if key not in known:
                continue
            if key not in start:
                constant += drop_phases(P, was)  # never scheduled: dropped
                continue
            most = max(abs(t - was) for t in problem.allowed_starts(items[key]))
            moved = model.new_int_var(0, most, f"{key} moved")
            model.add_abs_equality(moved, start[key] - was)
            moves.append(moved)
            worst += most
        penalty = model.new_int_var(0, worst + constant, "stability penalty")
        model.add(penalty == cp_model.LinearExpr.sum(moves) + constant)
        model.maximize(value - stability_weight * penalty)
        objective = Objective(
            value=value, penalty=penalty, weight=stability_weight, baseline=dict(baseline)
        )
    else:
        model.maximize(value)
        objective = Objective(value=value, penalty=None, weight=0)
    return IntervalModel(problem=problem, model=model, start=start, objective=objective)


def _add_cumulative(
    model: cp_model.CpModel,
    problem: Problem,
    resource: str,
    items: Mapping[str, Item],
    start: Mapping[str, cp_model.IntVar],
    build: Mapping[str, cp_model.IntervalVar],
) -> None:
    intervals: list[cp_model.IntervalVar] = []
    demands: list[int] = []
    for key in start:
        it = items[key]
        if resource == SECURITY_REVIEWS:
            if it.needs_review:
                intervals.append(model.new_fixed_size_interval_var(start[key], 1, f"{key} review"))
                demands.append(1)
        elif it.use(resource):
            intervals.append(build[key])
            demands.append(it.use(resource))
    caps = problem.capacity[resource]
    if not intervals:
        return
    finite = [c for c in caps if c is not None]
    top = max(finite) if len(finite) == len(caps) else max([*finite, sum(demands)])
    for p, cap in enumerate(caps):
        if cap is not None and cap < top:
            intervals.append(model.new_fixed_size_interval_var(p, 1, f"{resource} block {p}"))
            demands.append(top - cap)
    model.add_cumulative(intervals, demands, top)
