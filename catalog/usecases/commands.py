"""The commands a person can give, as frozen values: what the use cases act on.

Every surface makes the same command objects — Slack's slash command and buttons, the
console, the CLI — and a slow command is queued as the command itself (`to_payload` /
`from_payload`), so the worker runs the same use case on the same values. Commands hold
only JSON-able fields and periods; `WhatIf` keeps the text as typed and reads its
changes with `planner.scenario.parse_whatif` when asked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from planner.periods import PeriodRef, parse_period
from planner.scenario import Transform, parse_whatif


@dataclass(frozen=True)
class Command:
    """Base of every command; `name` is the subcommand that gives it."""

    name: ClassVar[str]


@dataclass(frozen=True)
class Help(Command):
    name: ClassVar[str] = "help"
    topic: str | None = None  # a subcommand's name, `money` or `periods`


@dataclass(frozen=True)
class Propose(Command):
    name: ClassVar[str] = "propose"
    title: str | None = None  # fills in the form's title
    summary: str | None = None  # fills in the form's summary (the message shortcut)


@dataclass(frozen=True)
class Edit(Command):
    name: ClassVar[str] = "edit"
    key: str


@dataclass(frozen=True)
class ListInitiatives(Command):
    name: ClassVar[str] = "list"
    status: str | None = None  # one of catalog.domain.STATUSES; None: every status


@dataclass(frozen=True)
class Show(Command):
    name: ClassVar[str] = "show"
    key: str


@dataclass(frozen=True)
class Approve(Command):
    name: ClassVar[str] = "approve"
    key: str
    reason: str = ""
    version: int | None = None  # the version the decider saw (a button's); None: current


@dataclass(frozen=True)
class Reject(Command):
    name: ClassVar[str] = "reject"
    key: str
    reason: str
    version: int | None = None


@dataclass(frozen=True)
class RequestChanges(Command):
    name: ClassVar[str] = "changes"
    key: str
    reason: str
    version: int | None = None


@dataclass(frozen=True)
class Withdraw(Command):
    name: ClassVar[str] = "withdraw"
    key: str
    version: int | None = None


@dataclass(frozen=True)
class Review(Command):
    name: ClassVar[str] = "review"
    key: str
    outcome: str  # one of planner.portfolio.REVIEW_OUTCOMES
    note: str = ""
    version: int | None = None


@dataclass(frozen=True)
class Plan(Command):
    """Solve a roadmap; every option left None keeps the workspace's settings."""

    name: ClassVar[str] = "plan"
    budget: int | None = None  # per phase, whole currency units
    phases: int | None = None
    start: PeriodRef | None = None  # `from=`: the plan starts at this period
    time_limit: float | None = None  # seconds
    objective: str | None = None  # value | strategic | blend (planner.portfolio.OBJECTIVES)
    blend: float | None = None  # the strategic term's weight in a blend, 0 < W <= 100
    #: How firmly it keeps to the published roadmap: low | normal | high | off
    #: (planner.stability.STABILITY_LEVELS)
    stability: str | None = None


@dataclass(frozen=True)
class WhatIf(Command):
    """A what-if, as typed (`budget-20%, without SOC-7`); the parser checked it reads."""

    name: ClassVar[str] = "whatif"
    text: str

    @property
    def transforms(self) -> tuple[Transform, ...]:
        return tuple(parse_whatif(self.text))


@dataclass(frozen=True)
class Explain(Command):
    name: ClassVar[str] = "explain"
    key: str
    roadmap_id: int | None = None  # a stored roadmap (the message's); None: the latest


@dataclass(frozen=True)
class Pin(Command):
    name: ClassVar[str] = "pin"
    key: str
    period: PeriodRef


@dataclass(frozen=True)
class Unpin(Command):
    name: ClassVar[str] = "unpin"
    key: str


@dataclass(frozen=True)
class Publish(Command):
    name: ClassVar[str] = "publish"
    roadmap_id: int | None = None  # None: the latest


@dataclass(frozen=True)
class Diff(Command):
    name: ClassVar[str] = "diff"


@dataclass(frozen=True)
class Export(Command):
    name: ClassVar[str] = "export"
    format: str  # a name of planner.exports.FORMATS
    roadmap_id: int | None = None  # None: the published roadmap, else the latest


@dataclass(frozen=True)
class Settings(Command):
    name: ClassVar[str] = "settings"


@dataclass(frozen=True)
class Role(Command):
    """Grant or revoke a role; `list` (no user: everyone's, else that user's roles)."""

    name: ClassVar[str] = "role"
    action: str  # "grant" | "revoke" | "list"
    user_id: str | None = None
    user_name: str | None = None  # the name Slack sent with the mention, if any
    role: str | None = None


@dataclass(frozen=True)
class Audit(Command):
    name: ClassVar[str] = "audit"
    key: str | None = None


@dataclass(frozen=True)
class Jobs(Command):
    """The workspace's recent background jobs and their state."""

    name: ClassVar[str] = "jobs"


@dataclass(frozen=True)
class Drivers(Command):
    """The business drivers with the group's weights, each person's consistency and who
    has not answered yet."""

    name: ClassVar[str] = "drivers"


@dataclass(frozen=True)
class EditDrivers(Command):
    """Open the form that adds, renames, retires and restores drivers (admins)."""

    name: ClassVar[str] = "edit-drivers"


@dataclass(frozen=True)
class Weigh(Command):
    """Open the pairwise comparison form: every pair of drivers with the asker's current
    answers, or only `pair` (a, b) to revise that one."""

    name: ClassVar[str] = "weigh"
    pair: tuple[str, str] | None = None


@dataclass(frozen=True)
class Priorities(Command):
    """Approved and proposed initiatives ranked by strategic score."""

    name: ClassVar[str] = "priorities"


@dataclass(frozen=True)
class Feed(Command):
    """The workspace's calendar feed address (made on first use), or with `revoke` a new
    one in place of the old (PMO and admins)."""

    name: ClassVar[str] = "feed"
    revoke: bool = False


# --------------------------------------------------------------------------- submissions


@dataclass(frozen=True)
class SubmitInitiative(Command):
    """A filled initiative form: a new proposal, or an edit of `key` at `version`."""

    name: ClassVar[str] = "submit-initiative"
    fields: Mapping[str, Any]
    key: str | None = None  # editing this initiative; None: a new proposal
    version: int | None = None


@dataclass(frozen=True)
class SubmitSettings(Command):
    """A filled settings form: portfolio-file sections to merge, made at `version`."""

    name: ClassVar[str] = "submit-settings"
    changes: Mapping[str, Any]
    version: int | None = None


@dataclass(frozen=True)
class SubmitDrivers(Command):
    """A filled manage-drivers form: one change per driver, each `{"key", "name"?,
    "description"?, "retired"?}` (True retires, False restores; a new key adds one)."""

    name: ClassVar[str] = "submit-drivers"
    changes: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class SubmitJudgments(Command):
    """A filled judgment form: (a, b, ratio) for each pair answered, ratio as text on
    Saaty's scale ("3": a is 3 times as important as b; "1/3": b is 3 times a)."""

    name: ClassVar[str] = "submit-judgments"
    answers: tuple[tuple[str, str, str], ...]


# --------------------------------------------------------------------------- payloads


def to_payload(command: Command) -> dict[str, Any]:
    """The command as JSON-able data: `{"command": name, "fields": {…}}` (periods as text)."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(command):
        value = getattr(command, f.name)
        values[f.name] = str(value) if isinstance(value, PeriodRef) else value
    return {"command": command.name, "fields": values}


def _tuples(value: Any) -> Any:
    """Lists back to the tuples a command holds, nested ones too."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def from_payload(data: Mapping[str, Any], types: Mapping[str, type[Command]]) -> Command:
    """The command `to_payload` wrote; `types` maps command names to their classes.

    Raises ValueError for a payload that names no known command or has wrong fields.
    """
    name = data.get("command")
    cls = types.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"the payload names no known command: {name!r}")
    raw = dict(data.get("fields") or {})
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in raw:
            continue
        value = raw[f.name]
        if "PeriodRef" in str(f.type) and isinstance(value, str):
            value = parse_period(value)
        elif str(f.type).startswith("tuple") and isinstance(value, list):
            value = _tuples(value)  # JSON has lists only
        kwargs[f.name] = value
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ValueError(f"the payload of {name} does not fit it: {exc}") from None
