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
        caps = problem.capacity[resource]
        phases = [p for p in range(problem.horizon) if caps[p] is not None]
        per_phase = {p: Terms() for p in phases}
        for key, it in starts.items.items():
            if resource == SECURITY_REVIEWS:
                if it.needs_review:
                    for p, literal in starts.y[key].items():
                        if p in per_phase:
                            per_phase[p].add(literal, 1)
                            per_phase[p].worst += 1
                continue
            use = it.use(resource)
            if not use:
                continue
            table = starts.prefix_table(model, key)
            for p in phases:
                started = table[p]
                finished = table[p - it.duration] if p >= it.duration else None
                if started is not None and finished is not started:
                    terms = per_phase[p]
                    terms.add(started, use)
                    terms.add(finished, -use)
                    terms.worst += use
        for p in phases:
            if resource == SECURITY_REVIEWS:
                what = f"security review slots in {phase_name(problem, p)}: {caps[p]}"
            else:
                what = f"capacity of {resource} in {phase_name(problem, p)} is {caps[p]}"
            per_phase[p].add_at_most(model, caps[p], guard(what))
