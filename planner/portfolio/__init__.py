"""Portfolio files, version 1: typed records, validation, YAML/JSON in and out.

The format is docs/PLANNING_MODEL.md, Portfolio file; `catalog/data/demo.yaml` is a
complete example.

A `Portfolio` is what a user writes: settings plus initiatives, with defaults filled in.
`load_portfolio` / `parse_portfolio` validate everything at once and raise a single
`PortfolioError` listing every defect (initiative, field, what was expected); nothing
partial is ever returned. `portfolio_to_dict` writes the same format back, so that
load → dump → load is lossless.

The parts: `planner.portfolio.records` (the typed records and the names the format
allows), `.values` (reading one value), `.reader` (reading a whole file), `.writer`
(writing one back). Everything is importable from here.
"""

from planner.portfolio.reader import load_portfolio, parse_portfolio, parse_portfolio_text
from planner.portfolio.records import (
    BUILTIN_RESOURCES,
    CADENCES,
    DATA_CLASSES,
    HOSTINGS,
    INITIATIVE_FIELDS,
    KEY_RE,
    PHASE_KINDS,
    PLANNABLE_STATUSES,
    RESOURCE_RE,
    REVIEW_OUTCOMES,
    STATUSES,
    Budget,
    Calendar,
    InitiativeSpec,
    Policy,
    Portfolio,
    policy_rule_matches,
    split_policy_rule,
)
from planner.portfolio.writer import dump_portfolio, initiative_to_dict, portfolio_to_dict

__all__ = [
    "BUILTIN_RESOURCES",
    "CADENCES",
    "DATA_CLASSES",
    "HOSTINGS",
    "INITIATIVE_FIELDS",
    "KEY_RE",
    "PHASE_KINDS",
    "PLANNABLE_STATUSES",
    "RESOURCE_RE",
    "REVIEW_OUTCOMES",
    "STATUSES",
    "Budget",
    "Calendar",
    "InitiativeSpec",
    "Policy",
    "Portfolio",
    "dump_portfolio",
    "initiative_to_dict",
    "load_portfolio",
    "parse_portfolio",
    "parse_portfolio_text",
    "policy_rule_matches",
    "portfolio_to_dict",
    "split_policy_rule",
]
