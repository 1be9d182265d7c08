"""The commands a user can give, as frozen values: what the handlers act on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.parsing.periods import PeriodRef
from planner.scenario import Transform

#: Export formats, in the order they are offered.
EXPORT_FORMATS = ("mspdi", "xlsx", "csv", "ics", "json", "png")


@dataclass(frozen=True)
class Help:
    name: ClassVar[str] = "help"
    topic: str | None = None  # a subcommand's name, `money` or `periods`


@dataclass(frozen=True)
class Propose:
    name: ClassVar[str] = "propose"
    title: str | None = None  # fills in the form's title


@dataclass(frozen=True)
class ListInitiatives:
    name: ClassVar[str] = "list"
    status: str | None = None  # one of catalog.domain.STATUSES; None: every status


@dataclass(frozen=True)
class Show:
    name: ClassVar[str] = "show"
    key: str


@dataclass(frozen=True)
class Approve:
    name: ClassVar[str] = "approve"
    key: str
    reason: str = ""


@dataclass(frozen=True)
class Reject:
    name: ClassVar[str] = "reject"
    key: str
    reason: str


@dataclass(frozen=True)
class RequestChanges:
    name: ClassVar[str] = "changes"
    key: str
    reason: str


@dataclass(frozen=True)
class Withdraw:
    name: ClassVar[str] = "withdraw"
    key: str


@dataclass(frozen=True)
class Plan:
    """Solve a roadmap; every option left None keeps the workspace's settings."""

    name: ClassVar[str] = "plan"
    budget: int | None = None  # per phase, whole currency units
    phases: int | None = None
    start: PeriodRef | None = None  # `from=`: the plan starts at this period
    time_limit: float | None = None  # seconds


@dataclass(frozen=True)
class WhatIf:
    """A what-if: the text as typed and what `planner.scenario.parse_whatif` read in it."""

    name: ClassVar[str] = "whatif"
    text: str
    transforms: tuple[Transform, ...]


@dataclass(frozen=True)
class Explain:
    name: ClassVar[str] = "explain"
    key: str
    roadmap_id: int | None = None  # a stored roadmap (the message's); None: the latest


@dataclass(frozen=True)
class Pin:
    name: ClassVar[str] = "pin"
    key: str
    period: PeriodRef


@dataclass(frozen=True)
class Unpin:
    name: ClassVar[str] = "unpin"
    key: str


@dataclass(frozen=True)
class Publish:
    name: ClassVar[str] = "publish"


@dataclass(frozen=True)
class Diff:
    name: ClassVar[str] = "diff"


@dataclass(frozen=True)
class Export:
    name: ClassVar[str] = "export"
    format: str  # one of EXPORT_FORMATS


@dataclass(frozen=True)
class Review:
    name: ClassVar[str] = "review"
    key: str
    outcome: str  # one of planner.portfolio.REVIEW_OUTCOMES
    note: str = ""


@dataclass(frozen=True)
class Settings:
    name: ClassVar[str] = "settings"


@dataclass(frozen=True)
class Role:
    """Grant or revoke a role; `list` (no user: everyone's, else that user's roles)."""

    name: ClassVar[str] = "role"
    action: str  # "grant" | "revoke" | "list"
    user_id: str | None = None
    user_name: str | None = None  # the name Slack sent with the mention, if any
    role: str | None = None


@dataclass(frozen=True)
class Audit:
    name: ClassVar[str] = "audit"
    key: str | None = None


@dataclass(frozen=True)
class Jobs:
    """The workspace's recent background jobs and their state."""

    name: ClassVar[str] = "jobs"


Command = (
    Help
    | Propose
    | ListInitiatives
    | Show
    | Approve
    | Reject
    | RequestChanges
    | Withdraw
    | Plan
    | WhatIf
    | Explain
    | Pin
    | Unpin
    | Publish
    | Diff
    | Export
    | Review
    | Settings
    | Role
    | Audit
    | Jobs
)
