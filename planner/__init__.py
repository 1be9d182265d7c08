"""Townhall's planner: a pure function from a frozen Problem to a Roadmap.

It imports neither SQLAlchemy nor Slack; `catalog` builds Problems from a workspace and
`bot` renders the Roadmaps. `planner.explain.explain` and `planner.frontier.frontier`
are reached through their modules (a package-level function of the same name would
hide the module).

The names that need OR-Tools (explanations, what-ifs, …) load on first use, so that
reading portfolio files or the catalog does not pay for the solver's import; the solver
itself is `planner.solve.solve` (a package attribute would be shadowed by the module).
"""

from importlib import import_module
from typing import Any

from planner.diff import RoadmapDiff, diff_roadmaps
from planner.errors import PlannerError, PortfolioError, ScenarioError
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
from planner.validate import check_roadmap, check_starts

_LAZY = {
    "Progress": ("planner.config", "Progress"),
    "SolverConfig": ("planner.config", "SolverConfig"),
    "Explanation": ("planner.explain", "Explanation"),
    "explain_unscheduled": ("planner.reasons", "explain_unscheduled"),
    "FrontierPoint": ("planner.frontier", "FrontierPoint"),
    "Transform": ("planner.scenario", "Transform"),
    "parse_whatif": ("planner.scenario", "parse_whatif"),
    "apply_scenario": ("planner.scenario", "apply"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(import_module(module), attr)
    raise AttributeError(f"module 'planner' has no attribute {name!r}")


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
]
