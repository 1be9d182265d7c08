"""Townhall's planner: a pure function from a frozen Problem to a Roadmap.

It imports neither SQLAlchemy nor Slack; `catalog` builds Problems from a workspace and
`bot` renders the Roadmaps.
"""

from planner.config import Progress, SolverConfig
from planner.errors import PlannerError, PortfolioError, ScenarioError
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
from planner.solve import solve
from planner.validate import check_roadmap, check_starts

__all__ = [
    "InitiativeSpec",
    "Item",
    "PlannerError",
    "Portfolio",
    "PortfolioError",
    "Problem",
    "Progress",
    "Roadmap",
    "ScenarioError",
    "SolverConfig",
    "build_problem",
    "check_roadmap",
    "check_starts",
    "dump_portfolio",
    "load_portfolio",
    "parse_portfolio",
    "portfolio_to_dict",
    "solve",
]
