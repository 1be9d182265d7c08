"""The CP-SAT model of the planning problem, one builder module per constraint family.

variables   start literals y[key][t] (time-indexed)
selection   at most one start, must-select, excludes
precedence  finish-to-start dependencies
money       budgets per phase and in total, exact
resources   named capacities and security review slots
objective   realized value and the stability penalty
guard       enforcement literals that name constraints (for conflicts)
model       all of the above as one RoadmapModel
search      running CP-SAT, progress and outcome
"""

from planner.cpsat.model import RoadmapModel, build_model
from planner.cpsat.search import Outcome, run

__all__ = ["Outcome", "RoadmapModel", "build_model", "run"]
