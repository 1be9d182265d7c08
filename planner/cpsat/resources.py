"""Capacities: named resources per build phase, security review slots per start phase."""

from __future__ import annotations

from ortools.sat.python import cp_model

from planner.cpsat.guard import Guard, phase_name
from planner.cpsat.variables import StartVars
from planner.problem import SECURITY_REVIEWS, Problem


def add_capacities(
    model: cp_model.CpModel, problem: Problem, starts: StartVars, *, guard: Guard
) -> None:
    """Use of every resource with a capacity stays within it in every phase."""
    for resource in problem.resources():
        for p in range(problem.horizon):
            cap = problem.capacity_at(resource, p)
            if cap is None:
                continue
            if resource == SECURITY_REVIEWS:
                _add_reviews(model, problem, starts, p, cap, guard)
                continue
            literals, coefficients, worst = [], [], 0
            for key, y in starts.y.items():
                it = starts.items[key]
                use = it.use(resource)
                if not use:
                    continue
                building = [v for t, v in y.items() if t <= p < t + it.duration]
                literals += building
                coefficients += [use] * len(building)
                worst += use if building else 0
            if worst > cap:
                expr = cp_model.LinearExpr.weighted_sum(literals, coefficients)
                model.add(expr <= cap).only_enforce_if(
                    guard(f"capacity of {resource} in {phase_name(problem, p)} is {cap}")
                )


def _add_reviews(
    model: cp_model.CpModel,
    problem: Problem,
    starts: StartVars,
    phase: int,
    cap: int,
    guard: Guard,
) -> None:
    """Initiatives that need a security review take one slot in their start phase."""
    starting = [
        y[phase] for key, y in starts.y.items() if phase in y and starts.items[key].needs_review
    ]
    if len(starting) > cap:
        model.add(cp_model.LinearExpr.sum(starting) <= cap).only_enforce_if(
            guard(f"security review slots in {phase_name(problem, phase)}: {cap}")
        )
