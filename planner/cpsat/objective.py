"""The objective: realized value, minus an optional stability penalty against a baseline.

Realized value of an initiative started in t is per_phase × (P − t − d + 1): its benefit
from the go-live phase to the end of the horizon.

Stability (re-planning against a published baseline, `planner.stability`): each baseline
initiative that is part of the problem costs the number of phases it moved, or
`drop_phases` (P + 1 for a start in the horizon: more than any move) if it is dropped.
The model maximizes value − weight × penalty. Baseline keys that are not part of the
problem (done, withdrawn, …) are left out: nothing the solver does can change them.

Default weight: half the median per-phase benefit of the initiatives (at least 1), times
the stability level (`planner.stability.STABILITY_LEVELS`). So a baseline initiative is
moved by one phase only when that gains at least half a phase of a typical initiative's
benefit; ties and near-ties keep the published plan, and nothing published is dropped
while moving it is possible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner.cpsat.variables import StartVars
from planner.problem import Problem
from planner.stability import default_stability_weight, drop_phases, stability_penalty

__all__ = [
    "Objective",
    "add_objective",
    "default_stability_weight",
    "drop_phases",
    "stability_penalty",
]


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
            drop = drop_phases(P, was)
            constant += drop  # dropped, unless one of its starts is chosen
            for t, literal in y.items():
                terms.append(literal)
                costs.append(abs(t - was) - drop)
            worst += drop
        penalty = model.new_int_var(0, worst, "stability penalty")
        model.add(penalty == cp_model.LinearExpr.weighted_sum(terms, costs) + constant)
        model.maximize(value - weight * penalty)
    else:
        model.maximize(value)
    if penalty is None:
        return Objective(value=value, penalty=None, weight=0)
    return Objective(value=value, penalty=penalty, weight=weight, baseline=dict(baseline or {}))
