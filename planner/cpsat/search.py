"""Running CP-SAT on a RoadmapModel: parameters, progress reports and the outcome."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model, cp_model_helper

from planner.config import Progress
from planner.cpsat.model import RoadmapModel
from planner.cpsat.schedule import IntervalModel
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


def value_bound(model_bound: float, penalty: int, weight: int, value: int) -> int | None:
    """An upper bound on realized value, from the solver's bound on value − weight × penalty.

    Every plan x satisfies value(x) − weight·penalty(x) ≤ model_bound, so every plan at
    least as stable as the one found (penalty(x) ≤ penalty) is worth at most
    model_bound + weight·penalty. Without a stability term this is the plain bound; when
    the search is proven optimal it equals the value found. None: the solver has none.
    """
    if math.isinf(model_bound) or math.isnan(model_bound):
        return None
    return max(value, math.floor(model_bound + 1e-6) + weight * penalty)


#: Start literals per second of time limit above which presolve is kept light: full
#: presolve costs about half a millisecond per literal here, and should not take more
#: than a fifth of the time.
LIGHT_PRESOLVE_LITERALS_PER_SECOND = 400


def configure(
    parameters: cp_model_helper.SatParameters,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    size: int,
    kind: str = "time-indexed",
) -> None:
    """CP-SAT parameters for the roadmap model.

    The bound of this model comes from its LP relaxation, so the LP is used at its
    strongest: one worker gets linearization level 2; with two workers the full-problem
    worker is `max_lp` and the other runs the interleaved large-neighbourhood searches
    (measured on generated 200 × 12 portfolios: gaps of 1-2% in 10 s where the default
    pair stayed near 20%). Large models get a light presolve so that the search starts
    within the first fifth of the time limit. The interval model of pure scheduling
    problems is left to CP-SAT's default portfolio, whose search suits it best.
    """
    parameters.max_time_in_seconds = max(time_limit, 0.01)
    parameters.num_workers = max(1, workers)
    parameters.random_seed = seed
    if kind != "time-indexed":
        return
    if workers <= 1:
        parameters.linearization_level = 2
    elif workers == 2:
        parameters.subsolvers.append("max_lp")
    if size > LIGHT_PRESOLVE_LITERALS_PER_SECOND * time_limit:
        parameters.max_presolve_iterations = 1
        parameters.cp_model_probing_level = 0
        parameters.find_big_linear_overlap = False


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(
        self, built: RoadmapModel | IntervalModel, report: Callable[[Progress], None]
    ) -> None:
        super().__init__()
        self.built = built
        self.report = report

    def on_solution_callback(self) -> None:
        objective = self.built.objective
        penalty = 0 if objective.penalty is None else self.value(objective.penalty)
        value = round(self.objective_value) + objective.weight * penalty
        bound = value_bound(self.best_objective_bound, penalty, objective.weight, value)
        if bound is None:  # CP-SAT always has one for these bounded models
            return
        self.report(
            Progress(
                objective=value,
                bound=bound,
                gap=gap_of(value, bound) or 0.0,
                seconds=self.wall_time,
            )
        )


def run(
    built: RoadmapModel | IntervalModel,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    progress: Callable[[Progress], None] | None = None,
) -> Outcome:
    """Solve the model within `time_limit` seconds."""
    solver = cp_model.CpSolver()
    configure(
        solver.parameters,
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        size=built.size,
        kind=built.kind,
    )
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
