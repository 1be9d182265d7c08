"""Budgets: spend per phase and in total, exactly, as whole numbers.

Spend of an initiative started in t: capex/d in each build phase t … t+d−1 and opex in
each live phase t+d … P−1. With the prefix literals of `StartVars.started_by`, spend in
phase p is share × z(p) + (opex − share) × z(p − d), where share = capex/d. Every amount
is multiplied by the least common multiple of the denominators of the capex shares that
occur (1 whenever capex divides evenly), so each budget is an exact integer inequality.
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm

from ortools.sat.python import cp_model

from planner.cpsat.guard import Guard, phase_name
from planner.cpsat.terms import Terms
from planner.cpsat.variables import StartVars
from planner.problem import Problem


def money_scale(starts: StartVars) -> int:
    """Smallest multiplier making every capex share of the modelled initiatives whole."""
    shares = (Fraction(it.capex, it.duration) for it in starts.items.values())
    return lcm(1, *(s.denominator for s in shares))


def add_budgets(
    model: cp_model.CpModel, problem: Problem, starts: StartVars, *, guard: Guard
) -> None:
    """Spend of each phase within its budget; total spend within the total budget."""
    scale = money_scale(starts)
    phases = [p for p, budget in enumerate(problem.budget) if budget is not None]
    per_phase = {p: Terms() for p in phases}
    for key, it in starts.items.items():
        share = it.capex * scale // it.duration
        opex = it.opex * scale
        table = starts.prefix_table(model, key)
        for p in phases:
            started = table[p]
            if started is None:
                continue
            finished = table[p - it.duration] if p >= it.duration else None
            terms = per_phase[p]
            terms.add(started, share)
            terms.add(finished, opex - share)
            building = finished is not started
            terms.worst += max(share if building else 0, opex if finished is not None else 0)
    for p in phases:
        budget = problem.budget[p]
        assert budget is not None
        per_phase[p].add_at_most(
            model, budget * scale, guard(f"budget of {phase_name(problem, p)} is {budget:,}")
        )
    if problem.total_budget is not None:
        P = problem.horizon
        terms = Terms()
        for key, y in starts.y.items():
            it = starts.items[key]
            most = 0
            for t, literal in y.items():
                amount = (it.capex + it.opex * (P - t - it.duration)) * scale
                terms.add(literal, amount)
                most = max(most, amount)
            terms.worst += most
        terms.add_at_most(
            model,
            problem.total_budget * scale,
            guard(f"total budget is {problem.total_budget:,}"),
        )
