"""Townhall's planner: a pure function from a frozen Problem to a Roadmap.

It imports neither SQLAlchemy nor Slack; `catalog` builds Problems from a workspace and
`bot` renders the Roadmaps. `planner.explain.explain` and `planner.frontier.frontier`
are reached through their modules (a package-level function of the same name would
hide the module).
"""

from planner.config import Progress, SolverConfig
from planner.diff import RoadmapDiff, diff_roadmaps
from planner.errors import PlannerError, PortfolioError, ScenarioError
from planner.explain import Explanation, explain_unscheduled
from planner.frontier import FrontierPoint
from planner.money import format_money, parse_money
from planner.portfolio import (
    InitiativeSpec,
    Portfolio,
    dump_portfolio,
    load_portfolio,
    parse_portfolio,
    portfolio_to_dict,
)
from planner.problem import Item, Problem, build_problem
from planner.roadmap import Roadmap
from planner.scenario import Transform, parse_whatif
from planner.scenario import apply as apply_scenario
from planner.solve import solve
from planner.validate import check_roadmap, check_starts

__all__ = [
    "Explanation",
    "FrontierPoint",
    "InitiativeSpec",
    "Item",
    "PlannerError",
    "Portfolio",
    "PortfolioError",
    "Problem",
    "Progress",
    "Roadmap",
    "RoadmapDiff",
    "ScenarioError",
    "SolverConfig",
    "Transform",
    "apply_scenario",
    "build_problem",
    "check_roadmap",
    "check_starts",
    "diff_roadmaps",
    "dump_portfolio",
    "explain_unscheduled",
    "format_money",
    "load_portfolio",
    "parse_money",
    "parse_portfolio",
    "parse_whatif",
    "portfolio_to_dict",
    "solve",
]
