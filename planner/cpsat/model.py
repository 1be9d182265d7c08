"""The roadmap optimization model, put together from one builder per constraint family."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner.cpsat.guard import Guard
from planner.cpsat.intervals import Scheduled, add_schedule_view
from planner.cpsat.money import add_budgets
from planner.cpsat.objective import Objective, add_objective, stability_penalty
from planner.cpsat.precedence import add_dependencies
from planner.cpsat.resources import add_capacities
from planner.cpsat.schedule import IntervalModel, build_interval_model, is_pure_scheduling
from planner.cpsat.selection import add_excludes, add_selection
from planner.cpsat.variables import StartVars, add_start_vars
from planner.errors import PlannerError
from planner.problem import Problem, check_limits

#: What a model CP-SAT calls invalid gets as its answer (its sums would overflow the
#: 64-bit integers it works in; the figures themselves passed `check_limits`).
TOO_LARGE = (
    "The figures of this plan are too large for the solver to add up (it works in 64-bit "
    "integers): lower the largest budgets, costs or values, or plan fewer initiatives or "
    "phases"
)


@dataclass
class RoadmapModel:
    """The time-indexed CP-SAT model of a Problem, with what it takes to hint and read it."""

    problem: Problem
    model: cp_model.CpModel
    starts: StartVars
    objective: Objective
    view: dict[str, Scheduled]
    kind: str = "time-indexed"

    @property
    def size(self) -> int:
        """Number of start literals."""
        return sum(len(y) for y in self.starts.y.values())

    def hint(self, starts: Mapping[str, int]) -> None:
        """Warm start from a plan: every start literal gets a hint."""
        self.starts.hint(self.model, dict(starts))
        for key, scheduled in self.view.items():
            chosen = starts.get(key)
            self.model.add_hint(scheduled.present, chosen is not None)
            self.model.add_hint(
                scheduled.start, chosen if chosen is not None else min(self.starts.y[key])
            )
        if self.objective.penalty is not None and self.objective.baseline is not None:
            moved = stability_penalty(self.problem, self.objective.baseline, starts)
            self.model.add_hint(self.objective.penalty, moved)

    def read(self, solver: cp_model.CpSolver | cp_model.CpSolverSolutionCallback) -> dict[str, int]:
        """The start phases of the solver's current solution."""
        out = {}
        for key, y in self.starts.y.items():
            for t, literal in y.items():
                if solver.boolean_value(literal):
                    out[key] = t
                    break
        return out


def build_model(
    problem: Problem,
    *,
    baseline: Mapping[str, int] | None = None,
    stability_weight: int = 0,
) -> RoadmapModel | IntervalModel:
    """The CP-SAT model of the planning model (docs/PLANNING_MODEL.md) that suits the problem.

    Pure scheduling problems (see `planner.cpsat.schedule`) get the interval model;
    everything else the time-indexed one.

    Guarded: a figure beyond `planner.limits` raises PortfolioError before anything
    reaches OR-Tools, and a model CP-SAT would reject as invalid (sums that could
    overflow its 64-bit integers) raises PlannerError instead of being solved.
    """
    check_limits(problem)
    built: RoadmapModel | IntervalModel
    if is_pure_scheduling(problem):
        built = build_interval_model(problem, baseline=baseline, stability_weight=stability_weight)
    else:
        built = build_time_indexed_model(
            problem, baseline=baseline, stability_weight=stability_weight
        )
    if built.model.validate():
        raise PlannerError(TOO_LARGE)
    return built


def build_time_indexed_model(
    problem: Problem,
    *,
    baseline: Mapping[str, int] | None = None,
    stability_weight: int = 0,
) -> RoadmapModel:
    """The time-indexed model (see `planner.cpsat.variables`) with its scheduling view."""
    model = cp_model.CpModel()
    guard = Guard()
    starts = add_start_vars(model, problem)
    add_selection(model, problem, starts, guard=guard)
    add_excludes(model, problem, starts, guard=guard)
    add_dependencies(model, problem, starts, guard=guard)
    add_budgets(model, problem, starts, guard=guard)
    add_capacities(model, problem, starts, guard=guard)
    objective = add_objective(model, problem, starts, baseline=baseline, weight=stability_weight)
    view = add_schedule_view(model, problem, starts)
    return RoadmapModel(problem=problem, model=model, starts=starts, objective=objective, view=view)
