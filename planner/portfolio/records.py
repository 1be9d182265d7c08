"""Portfolio records: what a portfolio file states, typed, with defaults filled in.

The names, statuses and patterns the format allows, the limits every path enforces
(files, the modals, the database columns of `catalog.models` are at least as wide), the
policy rule syntax, and the frozen `Calendar` (from `planner.calendar`), `Budget`,
`Policy`, `InitiativeSpec` and `Portfolio` (the module docstring of `planner.portfolio`
describes the file format around them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

from planner.calendar import Calendar
from planner.drivers import Driver, Judgment

CADENCES = ("waterfall", "agile")
HOSTINGS = ("saas", "on_prem", "hybrid")
DATA_CLASSES = ("public", "internal", "confidential", "restricted")
PHASE_KINDS = ("quarter", "month", "sprint")
REVIEW_OUTCOMES = ("passed", "conditions", "failed")
STATUSES = (
    "proposed",
    "changes_requested",
    "approved",
    "scheduled",
    "in_progress",
    "done",
    "rejected",
    "withdrawn",
)
#: Statuses whose initiatives the planner schedules.
PLANNABLE_STATUSES = ("approved", "scheduled", "in_progress")
#: Resources computed by the model itself; they cannot appear under `uses`.
BUILTIN_RESOURCES = ("security_reviews", "agile_teams", "waterfall_programs")
KEY_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]*\Z")
RESOURCE_RE = re.compile(r"^[a-z][a-z0-9_]*\Z")
#: Policy rules: a hosting, one of these conditions, or `hosting_condition`
#: (e.g. saas_personal_data).
RULE_CONDITIONS = ("personal_data", *DATA_CLASSES)
#: What a plan maximizes: money value, strategic score, or a blend of both (`planner.goal`).
OBJECTIVES = ("value", "strategic", "blend")
#: Weight of the strategic term in the `blend` objective: 0 < W <= MAX_BLEND.
MAX_BLEND = 100.0
#: The most judgments a portfolio may hold (45 pairs of 10 drivers for 200 people).
MAX_JUDGMENTS = 9000


# Limits. Text lengths are those of the initiative modal (`bot/blocks/initiative_modal.py`
# takes its max_length from here) and fit the columns of `catalog.models` (a test checks
# that). Numbers are held to `planner.limits` (MAX_MONEY, MAX_CAPACITY, MAX_PHASES),
# which fit the database's integer columns and the solver's 64-bit arithmetic.

#: Longest initiative key (`Initiative.key`, String(40)).
MAX_KEY_LENGTH = 40
#: Longest initiative title (`Initiative.title`, String(300)).
MAX_TITLE_LENGTH = 300
#: Longest summary: the most a Slack text input holds.
MAX_SUMMARY_LENGTH = 3000
#: Longest category (`Initiative.category`, String(100)).
MAX_CATEGORY_LENGTH = 100
#: Longest owner (`Initiative.owner`, String(200)).
MAX_OWNER_LENGTH = 200
#: Longest proposer, a Slack user or an operator (`Initiative.proposer`, String(64)).
MAX_PROPOSER_LENGTH = 64
#: Longest security review note: the most a Slack text input holds.
MAX_NOTE_LENGTH = 3000
#: Longest portfolio name (`PlanningSettings.name`, String(200)).
MAX_NAME_LENGTH = 200
#: Longest resource name under `capacity` and `uses`.
MAX_RESOURCE_LENGTH = 40
#: The most resources a portfolio's capacity, or one initiative's uses, may name.
MAX_RESOURCES = 100
#: The most initiatives a portfolio may hold.
MAX_INITIATIVES = 2000
#: Longest text of each initiative field that is text.
TEXT_LIMITS: Mapping[str, int] = {
    "key": MAX_KEY_LENGTH,
    "title": MAX_TITLE_LENGTH,
    "summary": MAX_SUMMARY_LENGTH,
    "category": MAX_CATEGORY_LENGTH,
    "owner": MAX_OWNER_LENGTH,
    "proposer": MAX_PROPOSER_LENGTH,
    "review_note": MAX_NOTE_LENGTH,
}


def policy_rule_matches(rule: str, *, hosting: str, data: str, personal_data: bool) -> bool:
    """True when an initiative with these attributes falls under a policy rule."""
    host, cond = split_policy_rule(rule)
    if host is not None and host != hosting:
        return False
    if cond is None:
        return True
    if cond == "personal_data":
        return personal_data
    return data == cond


def split_policy_rule(rule: str) -> tuple[str | None, str | None]:
    """Split `saas_personal_data` into ("saas", "personal_data"); raise ValueError if unknown."""
    if not isinstance(rule, str):
        raise ValueError(rule)
    if rule in HOSTINGS:
        return rule, None
    if rule in RULE_CONDITIONS:
        return None, rule
    for host in HOSTINGS:
        rest = rule.removeprefix(host + "_")
        if rest != rule and rest in RULE_CONDITIONS:
            return host, rest
    raise ValueError(rule)


@dataclass(frozen=True)
class Budget:
    per_phase: int | tuple[int, ...] | None = None  # None: unlimited
    total: int | None = None


@dataclass(frozen=True)
class Policy:
    review: tuple[str, ...] = ()
    forbid: tuple[str, ...] = ()


@dataclass(frozen=True)
class InitiativeSpec:
    """One initiative exactly as the portfolio states it (defaults filled in)."""

    key: str
    title: str
    duration: int
    value: int
    summary: str = ""
    category: str = ""
    status: str = "approved"
    proposer: str | None = None
    owner: str | None = None
    cadence: str = "waterfall"
    capex: int = 0
    opex: int = 0
    hosting: str = "on_prem"
    data: str = "internal"
    personal_data: bool = False
    security_review: bool | None = None  # True / False override the policy
    review: str | None = None  # recorded outcome: passed | conditions | failed
    review_note: str = ""
    uses: Mapping[str, int] = field(default_factory=dict)
    teams: int = 1
    depends_on: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    mandatory: bool = False
    earliest: int = 0
    deadline: int | None = None  # last allowed go-live phase; None: end of horizon
    pin: int | None = None
    scores: Mapping[str, int] = field(default_factory=dict)  # driver key -> 0..5; missing: 0


#: Every field of an initiative, in `InitiativeSpec` order: the one list the exports'
#: columns and the bot's initiative form are derived from.
INITIATIVE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(InitiativeSpec))


@dataclass(frozen=True)
class Portfolio:
    calendar: Calendar
    initiatives: tuple[InitiativeSpec, ...]
    name: str = "Portfolio"
    budget: Budget = field(default_factory=Budget)
    capacity: Mapping[str, int | tuple[int, ...]] = field(default_factory=dict)
    policy: Policy = field(default_factory=Policy)
    drivers: tuple[Driver, ...] = ()
    judgments: tuple[Judgment, ...] = ()
    objective: str = "value"  # one of OBJECTIVES
    blend: float = 1.0  # weight of the strategic term when objective is "blend"

    def initiative(self, key: str) -> InitiativeSpec:
        for item in self.initiatives:
            if item.key == key:
                return item
        raise KeyError(key)

    def with_initiatives(self, initiatives: tuple[InitiativeSpec, ...]) -> Portfolio:
        return replace(self, initiatives=initiatives)
