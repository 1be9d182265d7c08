"""The objective: realized value, minus an optional stability penalty against a baseline.

Realized value of an initiative started in t is value × (P − t − d + 1): its benefit
from the go-live phase to the end of the horizon.

Stability (re-planning against a published baseline): each baseline initiative that is
part of the problem costs 1 if it is dropped, else the number of phases it moved. The
model maximizes value − weight × penalty. Baseline keys that are not part of the
problem (done, withdrawn, …) are left out: nothing the solver does can change them.

Default weight: half the median per-phase `value` of the initiatives (at least 1). So a
baseline initiative is moved by one phase, or dropped, only when that gains at least half
a phase of a typical initiative's benefit; ties and near-ties keep the published plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from statistics import median

from ortools.sat.python import cp_model

from planner.cpsat.variables import StartVars
from planner.problem import Problem


def default_stability_weight(problem: Problem) -> int:
    """Half the median per-phase value of the initiatives, at least 1."""
    values = [it.value for it in problem.items if it.value > 0]
    return max(1, int(median(values)) // 2) if values else 1


def stability_penalty(
    problem: Problem, baseline: Mapping[str, int], starts: Mapping[str, int]
) -> int:
    """Baseline initiatives dropped plus phases moved, over the keys of the problem."""
    known = set(problem.keys)
    penalty = 0
    for key, was in baseline.items():
        if key not in known:
            continue
        penalty += abs(starts[key] - was) if key in starts else 1
    return penalty


@dataclass
class Objective:
    """What the model maximizes: `value − weight × penalty` (penalty None: no baseline)."""

    value: cp_model.LinearExprT
    penalty: cp_model.IntVar | None
    weight: int
    baseline: Mapping[str, int] | None = None


def add_objective(
    model: cp_model.CpModel,
    problem: Problem,
    starts: StartVars,
    *,
    baseline: Mapping[str, int] | None = None,
    weight: int = 0,
) -> Objective:
    P = problem.horizon
    literals, coefficients = [], []
    for key, y in starts.y.items():
        it = starts.items[key]
        for t, literal in y.items():
            literals.append(literal)
            coefficients.append(it.realized_value(t, P))
    value = cp_model.LinearExpr.weighted_sum(literals, coefficients)
    penalty = None
    if baseline and weight > 0:
        known = set(problem.keys)
        terms, costs, constant, worst = [], [], 0, 0
        for key, was in baseline.items():
            if key not in known:
                continue
            y = starts.y.get(key, {})
            constant += 1  # dropped, unless one of its starts is chosen
            for t, literal in y.items():
                terms.append(literal)
                costs.append(abs(t - was) - 1)
            worst += max([1, *(abs(t - was) for t in y)])
        penalty = model.new_int_var(0, worst, "stability penalty")
        model.add(penalty == cp_model.LinearExpr.weighted_sum(terms, costs) + constant)
        model.maximize(value - weight * penalty)
    else:
        model.maximize(value)
    if penalty is None:
        return Objective(value=value, penalty=None, weight=0)
    return Objective(value=value, penalty=penalty, weight=weight, baseline=dict(baseline or {}))
