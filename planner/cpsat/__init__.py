"""The CP-SAT models of the planning problem, one builder module per constraint family.

variables   start literals y[key][t] (time-indexed) and prefix literals z[key][t]
selection   at most one start, must-select, excludes, what is required
precedence  finish-to-start dependencies
money       budgets per phase and in total, exact
resources   named capacities and security review slots
objective   realized value and the stability penalty
intervals   a redundant scheduling view (start variables, intervals, cumulatives)
schedule    the interval model used instead when the problem is pure scheduling
guard       enforcement literals that name constraints (for conflicts)
terms       linear sums under construction
model       `build_model`: the model that suits the problem
search      running CP-SAT, progress and outcome
"""

from planner.cpsat.model import RoadmapModel, build_model
from planner.cpsat.schedule import IntervalModel
from planner.cpsat.search import Outcome, run

__all__ = ["IntervalModel", "Outcome", "RoadmapModel", "build_model", "run"]
