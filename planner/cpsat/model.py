"""The roadmap optimization model, put together from one builder per constraint family."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner.cpsat.guard import Guard
from planner.cpsat.money import add_budgets
from planner.cpsat.objective import Objective, add_objective, stability_penalty
from planner.cpsat.precedence import add_dependencies
from planner.cpsat.resources import add_capacities
from planner.cpsat.selection import add_excludes, add_selection
from planner.cpsat.variables import StartVars, add_start_vars
from planner.problem import Problem


@dataclass
class RoadmapModel:
    """A CP-SAT model of a Problem and the handles needed to hint it and read it back."""

    problem: Problem
    model: cp_model.CpModel
    starts: StartVars
    objective: Objective

    def hint(self, starts: Mapping[str, int]) -> None:
        """Warm start from a plan: every start literal gets a hint."""
        self.starts.hint(self.model, dict(starts))
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
) -> RoadmapModel:
    """The time-indexed model of DESIGN §4 (see `planner.cpsat.variables`)."""
    model = cp_model.CpModel()
    guard = Guard()
    starts = add_start_vars(model, problem)
    add_selection(model, problem, starts, guard=guard)
    add_excludes(model, problem, starts, guard=guard)
    add_dependencies(model, problem, starts, guard=guard)
    add_budgets(model, problem, starts, guard=guard)
    add_capacities(model, problem, starts, guard=guard)
    objective = add_objective(model, problem, starts, baseline=baseline, weight=stability_weight)
    return RoadmapModel(problem=problem, model=model, starts=starts, objective=objective)
