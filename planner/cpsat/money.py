"""Budgets: spend per phase and in total, exactly, as whole numbers.

Spend of an initiative started in t: capex/d in each build phase t … t+d−1 and opex in
each live phase t+d … P−1. With the prefix literals of `StartVars.started_by`, spend in
phase p is share × z(p) + (opex − share) × z(p − d), where share = capex/d. Every amount
is multiplied by the least common multiple of the denominators of the capex shares that
occur (1 whenever capex divides evenly), so each budget is an exact integer inequality.

Should that multiplier make the sums too large for CP-SAT's 64-bit arithmetic (only
with huge amounts and many durations that do not divide them), money is kept in whole
units and each capex share rounded up: every plan the model allows is still within
budget, though one that fits to the last unit might be refused.
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm

from ortools.sat.python import cp_model

from planner.cpsat.guard import Guard, phase_name
from planner.cpsat.terms import Terms
from planner.cpsat.variables import StartVars
from planner.problem import Problem

#: Largest scaled amount a budget constraint may sum to (CP-SAT works in 64 bits and
#: refuses a constraint whose coefficients could add up past 2**62).
MONEY_LIMIT = 2**60


def money_scale(starts: StartVars, horizon: int = 1) -> int:
    """Smallest multiplier making every capex share whole; 1 when that would overflow.

    The total budget's constraint has one coefficient per start literal, each up to
    capex + opex × horizon, so that is what must stay below MONEY_LIMIT once scaled.
    """
    shares = (Fraction(it.capex, it.duration) for it in starts.items.values())
    scale = lcm(1, *(s.denominator for s in shares))
    most = sum(
        (it.capex + it.opex * horizon) * max(1, len(starts.y.get(key, ())))
        for key, it in starts.items.items()
    )
    return scale if most * scale < MONEY_LIMIT else 1


def capex_share(capex: int, duration: int, scale: int) -> int:
    """Scaled capex per build phase: exact when the scale allows, else rounded up."""
    return -(-capex * scale // duration)


def add_budgets(
    model: cp_model.CpModel, problem: Problem, starts: StartVars, *, guard: Guard
) -> None:
    """Spend of each phase within its budget; total spend within the total budget."""
    scale = money_scale(starts, problem.horizon)
    phases = [p for p, budget in enumerate(problem.budget) if budget is not None]
    per_phase = {p: Terms() for p in phases}
    for key, it in starts.items.items():
        share = capex_share(it.capex, it.duration, scale)
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
