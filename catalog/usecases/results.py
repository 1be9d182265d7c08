"""What use cases hand back: plain frozen values (views, planner values, bytes), never
Block Kit or terminal markup. Each surface renders them its own way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from catalog.views import (
    AuditView,
    DriversView,
    InitiativeView,
    JobView,
    PriorityView,
    RoadmapView,
    RoleGrantView,
)
from catalog.views import SettingsView as Settings
from planner.calendar import Phase
from planner.diff import RoadmapDiff
from planner.drivers import Driver, DriverWeights, PersonWeights
from planner.explain import Explanation
from planner.roadmap import Roadmap


@dataclass(frozen=True)
class Started:
    """A slow command was checked and may run: `title` says what it does (plain text);
    `in_channel` whether its result is for the channel or only for the asker."""

    title: str
    in_channel: bool = True


@dataclass(frozen=True)
class InitiativeList:
    views: tuple[InitiativeView, ...]
    status: str | None


@dataclass(frozen=True)
class InitiativeDetail:
    """An initiative, the buttons the viewer may use on it and the plan's phase labels."""

    view: InitiativeView
    actions: tuple[str, ...]
    phase_labels: tuple[str, ...]
    drivers: tuple[Driver, ...] = ()  # the business drivers its scores are on


@dataclass(frozen=True)
class InitiativeForm:
    """The initiative form to fill: a new proposal (`view` None, maybe `prefill`ed) or an
    edit of `view`; `keys` (key → title) and `phases` are what its fields may name."""

    view: InitiativeView | None
    prefill: Mapping[str, Any] | None
    keys: Mapping[str, str]
    phases: tuple[Phase, ...]
    drivers: tuple[Driver, ...] = ()  # the business drivers it is scored against


@dataclass(frozen=True)
class SettingsForm:
    """The planning settings to change; `sections` are those the viewer may change."""

    settings: Settings
    sections: tuple[str, ...]


@dataclass(frozen=True)
class SettingsSaved:
    settings: Settings


@dataclass(frozen=True)
class Submitted:
    """An initiative form was saved; `notify` are the approvers to ask for a decision
    (a new proposal), none for an edit."""

    view: InitiativeView
    created: bool
    notify: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """A lifecycle action or review outcome (`action`) taken by `by`; `notify` is the
    proposer when someone else decided."""

    view: InitiativeView
    action: str
    by: str
    reason: str = ""
    notify: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pinned:
    view: InitiativeView
    label: str | None  # the phase it is pinned to; None: unpinned


@dataclass(frozen=True)
class RoleList:
    grants: tuple[RoleGrantView, ...]
    user_id: str | None


@dataclass(frozen=True)
class RoleChanged:
    user_id: str
    role: str
    granted: bool


@dataclass(frozen=True)
class AuditTrail:
    entries: tuple[AuditView, ...]
    key: str | None


@dataclass(frozen=True)
class JobList:
    jobs: tuple[JobView, ...]


@dataclass(frozen=True)
class Published:
    roadmap: RoadmapView
    by: str


@dataclass(frozen=True)
class Comparison:
    """The latest roadmap against the published one."""

    diff: RoadmapDiff
    latest_id: int
    published_id: int


@dataclass(frozen=True)
class Planned:
    """A solved and stored roadmap, with its Gantt picture (PNG) when it has one."""

    roadmap_id: int
    roadmap: Roadmap
    picture: bytes | None


@dataclass(frozen=True)
class WhatIfAnswer:
    """A what-if: what changes against the plan without it, the stored variant, and the
    efficient frontier (PNG) when the budget moves."""

    text: str
    diff: RoadmapDiff
    roadmap_id: int
    roadmap: Roadmap
    frontier: bytes | None
    changes: tuple[str, ...] = ()  # each setting changed, before → after (planner.scenario)


@dataclass(frozen=True)
class Explained:
    explanation: Explanation


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    title: str


@dataclass(frozen=True)
class Dashboard:
    """A person's App Home: what waits for their decision or review, the baseline, their
    own proposals."""

    user_id: str
    pending_decisions: tuple[InitiativeView, ...]
    pending_reviews: tuple[InitiativeView, ...]
    published: RoadmapView | None
    own_proposals: tuple[InitiativeView, ...]


@dataclass(frozen=True)
class DriverList:
    """The business drivers (`view`: weights, each person's consistency, who has not
    answered) and what the viewer may do: manage them (admins), weigh them (leaders,
    approvers, admins)."""

    view: DriversView
    can_manage: bool
    can_weigh: bool
    viewer: str | None = None  # who asked: their own inconsistency is offered for revision


@dataclass(frozen=True)
class DriversForm:
    """The manage-drivers form: the active and retired drivers as they are now."""

    view: DriversView


@dataclass(frozen=True)
class DriversSaved:
    """A manage-drivers form was saved; `view` is the drivers after it."""

    view: DriversView


@dataclass(frozen=True)
class WeighForm:
    """The judgment form: the `pairs` to ask (every pair of `drivers` in their order, or
    the one being revised) and the asker's current answers by pair (ratio text "3",
    "1/3": a is that many times as important as b)."""

    drivers: tuple[Driver, ...]
    pairs: tuple[tuple[str, str], ...]
    answers: Mapping[tuple[str, str], str]
    revising: tuple[str, str] | None = None


@dataclass(frozen=True)
class JudgmentsSaved:
    """A judgment form was saved: the person's own weights and consistency (with the
    judgment that disagrees most when CR > 0.10, to offer its revision) and the group's
    weights after it."""

    person: PersonWeights
    group: DriverWeights


@dataclass(frozen=True)
class PriorityList:
    """Approved and proposed initiatives by strategic score, with each driver's part."""

    view: PriorityView
