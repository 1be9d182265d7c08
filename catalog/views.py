"""What services hand back: plain frozen values, never ORM objects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from catalog.domain import allowed_actions
from planner.drivers import Driver, DriverWeights
from planner.portfolio import Budget, Calendar, InitiativeSpec, Policy, Portfolio
from planner.roadmap import Roadmap


@dataclass(frozen=True)
class WorkspaceView:
    team_id: str
    name: str
    created_at: dt.datetime


@dataclass(frozen=True)
class RoleGrantView:
    user_id: str
    role: str
    granted_by: str
    granted_at: dt.datetime


@dataclass(frozen=True)
class InitiativeView:
    """An initiative: its portfolio fields (`spec`) and its bookkeeping."""

    spec: InitiativeSpec
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by: str | None

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def status(self) -> str:
        return self.spec.status

    @property
    def proposer(self) -> str | None:
        return self.spec.proposer

    @property
    def next_actions(self) -> tuple[str, ...]:
        """Lifecycle actions the status allows now (who may take them is another matter)."""
        return allowed_actions(self.spec.status)


@dataclass(frozen=True)
class SettingsView:
    """A workspace's planning settings, in the portfolio's own types."""

    name: str
    calendar: Calendar
    budget: Budget
    capacity: Mapping[str, int | tuple[int, ...]]
    policy: Policy
    version: int
    updated_at: dt.datetime
    updated_by: str | None
    objective: str = "value"  # what a plan maximizes: value | strategic | blend
    blend: float = 1.0  # the strategic term's weight in a blend
    stability: str = "normal"  # how firmly a plan keeps to the published roadmap


@dataclass(frozen=True)
class DriversView:
    """A workspace's business drivers and how much each weighs.

    `drivers` are the active ones in order, `retired` those that may be restored;
    `weights` holds the group's weights, each person's weights and consistency (see
    `planner.drivers.group_weights`); `pending` names who may weigh (leader, approver or
    admin) but has not answered every pair yet.
    """

    drivers: tuple[Driver, ...]
    retired: tuple[Driver, ...]
    weights: DriverWeights
    pending: tuple[str, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(d.key for d in self.drivers)


@dataclass(frozen=True)
class PriorityRow:
    """One initiative in the priority list: its strategic score S = Σ w_d × score_d and
    each driver's part of it (`contributions`, driver order)."""

    key: str
    title: str
    status: str
    score: float
    scores: Mapping[str, int]
    contributions: Mapping[str, float]


@dataclass(frozen=True)
class PriorityView:
    """Approved and proposed initiatives by strategic score, highest first."""

    weights: DriverWeights
    rows: tuple[PriorityRow, ...]


@dataclass(frozen=True)
class AuditView:
    id: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    key: str | None
    before: Any
    after: Any
    note: str


@dataclass(frozen=True)
class ImportSummary:
    """What an import changed: initiatives by key, settings by section.

    `settings_changed` names the settings sections whose values changed, in portfolio
    order (`name`, `calendar`, `budget`, `capacity`, `policy`); empty: none did.
    """

    mode: str
    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    settings_changed: tuple[str, ...] = ()
    drivers_changed: tuple[str, ...] = ()  # drivers added, changed, retired or restored
    judgments_changed: tuple[str, ...] = ()  # people whose judgments changed

    @property
    def policy_changed(self) -> bool:
        """Whether the security policy changed (audited as `policy.import`)."""
        return "policy" in self.settings_changed

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.deleted
            or self.settings_changed
            or self.drivers_changed
            or self.judgments_changed
        )


@dataclass(frozen=True)
class RoadmapView:
    """A stored roadmap, read back into the planner's own `Roadmap`."""

    id: int
    kind: str
    created_by: str
    created_at: dt.datetime
    status: str
    objective: int | None
    published: bool
    published_at: dt.datetime | None
    published_by: str | None
    roadmap: Roadmap
    portfolio: Portfolio | None = field(default=None, repr=False)


@dataclass(frozen=True)
class JobView:
    """A background job as any process sees it."""

    id: str
    team_id: str
    kind: str
    title: str
    request: Mapping[str, Any]
    delivery: Mapping[str, Any]
    requested_by: str
    status: str
    attempts: int
    max_attempts: int
    created_at: dt.datetime
    enqueued_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    lease_until: dt.datetime | None
    worker: str | None
    result_roadmap_id: int | None
    result: Mapping[str, Any] | None = field(default=None, repr=False)
    error: str | None = None
    delivered_at: dt.datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")
