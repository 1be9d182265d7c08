"""Running CP-SAT on a RoadmapModel: parameters, progress reports and the outcome."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner.config import Progress
from planner.cpsat.model import RoadmapModel
from planner.roadmap import gap_of

STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.UNKNOWN: "unknown",
    cp_model.MODEL_INVALID: "invalid",
}


@dataclass(frozen=True)
class Outcome:
    """What a search found. `bound` bounds the realized value (see `value_bound`)."""

    status: str  # optimal | feasible | infeasible | unknown | invalid
    starts: dict[str, int]
    bound: int | None
    penalty: int | None
    seconds: float


def value_bound(model_bound: float, penalty: int, weight: int, value: int) -> int:
    """An upper bound on realized value, from the solver's bound on value − weight × penalty.

    Every plan x satisfies value(x) − weight·penalty(x) ≤ model_bound, so every plan at
    least as stable as the one found (penalty(x) ≤ penalty) is worth at most
    model_bound + weight·penalty. Without a stability term this is the plain bound; when
    the search is proven optimal it equals the value found.
    """
    if math.isinf(model_bound) or math.isnan(model_bound):
        return value
    return max(value, math.floor(model_bound + 1e-6) + weight * penalty)


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, built: RoadmapModel, report: Callable[[Progress], None]) -> None:
        super().__init__()
        self.built = built
        self.report = report

    def on_solution_callback(self) -> None:
        objective = self.built.objective
        penalty = 0 if objective.penalty is None else self.value(objective.penalty)
        value = round(self.objective_value) + objective.weight * penalty
        bound = value_bound(self.best_objective_bound, penalty, objective.weight, value)
        self.report(
            Progress(
                objective=value,
                bound=bound,
                gap=gap_of(value, bound) or 0.0,
                seconds=self.wall_time,
            )
        )


def run(
    built: RoadmapModel,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    progress: Callable[[Progress], None] | None = None,
) -> Outcome:
    """Solve the model within `time_limit` seconds."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit, 0.01)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    callback = _Reporter(built, progress) if progress is not None else None
    code = solver.solve(built.model, callback)
    status = STATUS.get(code, "unknown")
    if status not in ("optimal", "feasible"):
        return Outcome(status=status, starts={}, bound=None, penalty=None, seconds=solver.wall_time)
    objective = built.objective
    penalty = None if objective.penalty is None else solver.value(objective.penalty)
    value = round(solver.objective_value) + objective.weight * (penalty or 0)
    bound = value_bound(solver.best_objective_bound, penalty or 0, objective.weight, value)
    return Outcome(
        status=status,
        starts=built.read(solver),
        bound=bound,
        penalty=penalty,
        seconds=solver.wall_time,
    )
