"""Portfolio files, version 1: typed records, validation, YAML/JSON in and out.

The format is docs/PLANNING_MODEL.md, Portfolio file; `catalog/data/demo.yaml` is a
complete example.

A `Portfolio` is what a user writes: settings plus initiatives, with defaults filled in.
`load_portfolio` / `parse_portfolio` validate everything at once and raise a single
`PortfolioError` listing every defect (initiative, field, what was expected); nothing
partial is ever returned. `portfolio_to_dict` writes the same format back, so that
load → dump → load is lossless.

Values are read as chat reads them: money as `25k`, `$40,000` or `1.5k`
(`planner.money.parse_money`); a phase (`earliest`, `deadline`, `pin`, `tollgates`,
`freeze`) as a 0-based index or a period such as `2027Q3`, `2027-06-30` or `FY2028Q1`
(`planner.periods`), read against the file's calendar. The limits every path shares
(text lengths, money, phases, initiatives) are the `MAX_*` constants.

The parts: `planner.portfolio.records` (the typed records, the names the format
allows and the limits), `.source` (a file's text as data, bounded), `.values` (reading
one value), `.strategy` (reading business drivers, judgments, the objective and
scores), `.reader` (reading a whole file), `.writer` (writing one back). Everything
is importable from here.
"""

from planner.limits import MAX_CAPACITY, MAX_MONEY, MAX_PHASES
from planner.portfolio.reader import (
    load_portfolio,
    load_portfolio_data,
    parse_portfolio,
    parse_portfolio_text,
)
from planner.portfolio.records import (
    BUILTIN_RESOURCES,
    CADENCES,
    DATA_CLASSES,
    HOSTINGS,
    INITIATIVE_FIELDS,
    KEY_RE,
    MAX_BLEND,
    MAX_CATEGORY_LENGTH,
    MAX_INITIATIVES,
    MAX_JUDGMENTS,
    MAX_KEY_LENGTH,
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_OWNER_LENGTH,
    MAX_PROPOSER_LENGTH,
    MAX_RESOURCE_LENGTH,
    MAX_RESOURCES,
    MAX_SUMMARY_LENGTH,
    MAX_TITLE_LENGTH,
    OBJECTIVES,
    PHASE_KINDS,
    PLANNABLE_STATUSES,
    RESOURCE_RE,
    REVIEW_OUTCOMES,
    STATUSES,
    TEXT_LIMITS,
    Budget,
    Calendar,
    InitiativeSpec,
    Policy,
    Portfolio,
    policy_rule_matches,
    split_policy_rule,
)
from planner.portfolio.writer import (
    driver_to_dict,
    dump_portfolio,
    initiative_to_dict,
    judgment_to_dict,
    portfolio_to_dict,
)

__all__ = [
    "BUILTIN_RESOURCES",
    "CADENCES",
    "DATA_CLASSES",
    "HOSTINGS",
    "INITIATIVE_FIELDS",
    "KEY_RE",
    "MAX_BLEND",
    "MAX_CAPACITY",
    "MAX_CATEGORY_LENGTH",
    "MAX_INITIATIVES",
    "MAX_JUDGMENTS",
    "MAX_KEY_LENGTH",
    "MAX_MONEY",
    "MAX_NAME_LENGTH",
    "MAX_NOTE_LENGTH",
    "MAX_OWNER_LENGTH",
    "MAX_PHASES",
    "MAX_PROPOSER_LENGTH",
    "MAX_RESOURCES",
    "MAX_RESOURCE_LENGTH",
    "MAX_SUMMARY_LENGTH",
    "MAX_TITLE_LENGTH",
    "OBJECTIVES",
    "PHASE_KINDS",
    "PLANNABLE_STATUSES",
    "RESOURCE_RE",
    "REVIEW_OUTCOMES",
    "STATUSES",
    "TEXT_LIMITS",
    "Budget",
    "Calendar",
    "InitiativeSpec",
    "Policy",
    "Portfolio",
    "driver_to_dict",
    "dump_portfolio",
    "initiative_to_dict",
    "judgment_to_dict",
    "load_portfolio",
    "load_portfolio_data",
    "parse_portfolio",
    "parse_portfolio_text",
    "policy_rule_matches",
    "portfolio_to_dict",
    "split_policy_rule",
]
