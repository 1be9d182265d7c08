"""Budgets: spend per phase and in total, exactly, as whole numbers.

Spend of an initiative started in t: capex/d in each build phase t … t+d−1 and opex in
each live phase t+d … P−1. Every amount is multiplied by the least common multiple of
the denominators of the capex shares that occur (1 whenever capex divides evenly), so
each budget constraint is an exact integer inequality over the start literals.
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm

from ortools.sat.python import cp_model

from planner.cpsat.guard import Guard, phase_name
from planner.cpsat.variables import StartVars
from planner.problem import Item, Problem


def money_scale(problem: Problem, starts: StartVars) -> int:
    """Smallest multiplier making every capex share of the modelled initiatives whole."""
    shares = (it.capex_share() for it in starts.items.values())
    return lcm(1, *(Fraction(s).denominator for s in shares))


def phase_spend(it: Item, start: int, phase: int, scale: int) -> int:
    """Scaled spend in `phase` of the initiative started in `start`."""
    if start <= phase < start + it.duration:
        return it.capex * scale // it.duration
    if phase >= start + it.duration:
        return it.opex * scale
    return 0


def add_budgets(
    model: cp_model.CpModel, problem: Problem, starts: StartVars, *, guard: Guard
) -> None:
    """Spend of each phase within its budget; total spend within the total budget."""
    scale = money_scale(problem, starts)
    P = problem.horizon
    for p, budget in enumerate(problem.budget):
        if budget is None:
            continue
        literals, coefficients, worst = [], [], 0
        for key, y in starts.y.items():
            most = 0
            for t, literal in y.items():
                amount = phase_spend(starts.items[key], t, p, scale)
                if amount:
                    literals.append(literal)
                    coefficients.append(amount)
                    most = max(most, amount)
            worst += most
        if worst > budget * scale:
            expr = cp_model.LinearExpr.weighted_sum(literals, coefficients)
            model.add(expr <= budget * scale).only_enforce_if(
                guard(f"budget of {phase_name(problem, p)} is {budget:,}")
            )
    if problem.total_budget is not None:
        literals, coefficients, worst = [], [], 0
        for key, y in starts.y.items():
            it = starts.items[key]
            most = 0
            for t, literal in y.items():
                amount = (it.capex + it.opex * (P - t - it.duration)) * scale
                if amount:
                    literals.append(literal)
                    coefficients.append(amount)
                    most = max(most, amount)
            worst += most
        if worst > problem.total_budget * scale:
            expr = cp_model.LinearExpr.weighted_sum(literals, coefficients)
            model.add(expr <= problem.total_budget * scale).only_enforce_if(
                guard(f"total budget is {problem.total_budget:,}")
            )
