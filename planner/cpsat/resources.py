"""Capacities: named resources per build phase, security review slots per start phase.

An initiative builds in phase p exactly when z(p) − z(p − d) = 1 (see
`StartVars.started_by`), so its use of a resource in p is use × (z(p) − z(p − d)).
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from planner.cpsat.guard import Guard, phase_name
from planner.cpsat.terms import Terms
from planner.cpsat.variables import StartVars
from planner.problem import SECURITY_REVIEWS, Problem


def add_capacities(
    model: cp_model.CpModel, problem: Problem, starts: StartVars, *, guard: Guard
) -> None:
    """Use of every resource with a capacity stays within it in every phase."""
    for resource in problem.resources():
        users = [
            (key, it, it.use(resource))
            for key, it in starts.items.items()
            if resource == SECURITY_REVIEWS or it.use(resource)
        ]
        for p in range(problem.horizon):
            cap = problem.capacity_at(resource, p)
            if cap is None:
                continue
            terms = Terms()
            if resource == SECURITY_REVIEWS:
                for key, it, _ in users:
                    literal = starts.y[key].get(p)
                    if it.needs_review and literal is not None:
                        terms.add(literal, 1)
                        terms.worst += 1
                what = f"security review slots in {phase_name(problem, p)}: {cap}"
            else:
                for key, it, use in users:
                    started = starts.started_by(model, key, p)
                    finished = starts.started_by(model, key, p - it.duration)
                    terms.add(started, use)
                    terms.add(finished, -use)
                    if started is not None and finished is not started:
                        terms.worst += use
                what = f"capacity of {resource} in {phase_name(problem, p)} is {cap}"
            terms.add_at_most(model, cap, guard(what))
