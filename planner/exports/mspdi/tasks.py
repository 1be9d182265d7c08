"""The MSPDI task tree: a summary task per phase (or per category), a task per scheduled
initiative with its extended attributes and dependency links, a milestone per tollgate,
with UIDs that stay stable across re-plans."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from planner.calendar import phases_of, tollgate_phases
from planner.exports.mspdi.worktime import DAY_START, first_work_day, span
from planner.exports.source import ExportSource
from planner.roadmap import Scheduled

UNCATEGORIZED = "Uncategorized"
TOLLGATES = "Tollgates"
# ExtendedAttribute.CFType: 0 = cost, 5 = number, 7 = text.
_CF_COST, _CF_NUMBER, _CF_TEXT = 0, 5, 7


@dataclass(frozen=True)
class ExtendedField:
    """A task custom field: MS Project's numeric id, its name and the alias shown."""

    field_id: str
    name: str
    alias: str
    cf_type: int


OWNER = ExtendedField("188743731", "Text1", "Owner", _CF_TEXT)
CADENCE = ExtendedField("188743734", "Text2", "Cadence", _CF_TEXT)
KEY = ExtendedField("188743737", "Text3", "Key", _CF_TEXT)
CATEGORY = ExtendedField("188743740", "Text4", "Category", _CF_TEXT)
CAPEX = ExtendedField("188743786", "Cost1", "Capex", _CF_COST)
OPEX = ExtendedField("188743787", "Cost2", "Opex per phase", _CF_COST)
VALUE = ExtendedField("188743767", "Number1", "Realized value", _CF_NUMBER)
EXTENDED_FIELDS = (OWNER, CADENCE, KEY, CATEGORY, CAPEX, OPEX, VALUE)


@dataclass
class Task:
    uid: int
    name: str
    start: dt.datetime
    finish: dt.datetime
    summary: bool = False
    milestone: bool = False
    cost: int = 0  # whole currency units
    fixed_cost: int | None = None
    contact: str | None = None
    notes: str = ""
    predecessors: list[int] = field(default_factory=list)
    extended: list[tuple[ExtendedField, str]] = field(default_factory=list)
    children: list[Task] = field(default_factory=list)
    constrained: bool = True


def _summary(uid: int, name: str, children: list[Task]) -> Task:
    return Task(
        uid=uid,
        name=name,
        start=min(c.start for c in children),
        finish=max(c.finish for c in children),
        summary=True,
        cost=sum(c.cost for c in children),
        children=children,
        constrained=False,
    )


class _Uids:
    """Stable UIDs: initiatives by their place in the portfolio, then summaries and gates.

    The same portfolio and roadmap always give the same UIDs, and a re-plan keeps every
    initiative's UID.
    """

    def __init__(self, source: ExportSource, phases: int) -> None:
        keys = [s.key for s in source.portfolio.initiatives]
        self._initiative = {key: i + 1 for i, key in enumerate(keys)}
        base = len(keys) + 1
        self._phase_base = base
        self._gate_base = base + phases
        self.tollgates = base + 2 * phases
        names = {_category_name(s.category) for s in source.portfolio.initiatives}
        categories = sorted(names | {UNCATEGORIZED})
        self._category = {name: self.tollgates + 1 + i for i, name in enumerate(categories)}
        extra = self.tollgates + 1 + len(categories)
        orphans = sorted(s.key for s in source.roadmap.scheduled if s.key not in self._initiative)
        self._initiative.update({key: extra + i for i, key in enumerate(orphans)})

    def initiative(self, key: str) -> int:
        return self._initiative[key]

    def phase(self, index: int) -> int:
        return self._phase_base + index

    def gate(self, index: int) -> int:
        return self._gate_base + index

    def category(self, name: str) -> int:
        return self._category[name]


def _category_name(category: str | None) -> str:
    return (category or "").strip() or UNCATEGORIZED


def _initiative_task(source: ExportSource, item: Scheduled, uid: int) -> Task:
    spec = source.spec(item.key)
    start, finish = span(item.start, item.end)
    horizon = source.portfolio.calendar.phases
    capex = spec.capex if spec else 0
    opex = spec.opex if spec else 0
    live_phases = max(horizon - item.end_phase - 1, 0)
    cost = capex + opex * live_phases
    owner = (spec.owner or "").strip() if spec else ""
    extended = [(KEY, item.key), (CADENCE, item.cadence)]
    if owner:
        extended.append((OWNER, owner))
    extended.append((CATEGORY, _category_name(spec.category if spec else None)))
    shown = source.roadmap.goal.display(item.value)  # money, or a strategic/blended score
    extended += [(CAPEX, str(capex * 100)), (OPEX, str(opex * 100)), (VALUE, str(shown))]
    extended.sort(key=lambda pair: int(pair[0].field_id))
    return Task(
        uid=uid,
        name=f"{item.key}: {item.title}",
        start=start,
        finish=finish,
        cost=cost,
        fixed_cost=cost,
        contact=owner or None,
        notes=(spec.summary if spec else "") or "",
        extended=extended,
    )


def _tollgate_task(label: str, day: dt.date, uid: int) -> Task:
    moment = dt.datetime.combine(first_work_day(day), DAY_START)
    return Task(uid=uid, name=f"Tollgate {label}", start=moment, finish=moment, milestone=True)


def plan_tasks(source: ExportSource, *, group_by: str) -> list[Task]:
    """The top-level summary tasks, each with its children, in file order."""
    calendar = source.portfolio.calendar
    phases = phases_of(calendar)
    tollgates = tollgate_phases(calendar)
    uids = _Uids(source, len(phases))
    order = sorted(source.roadmap.scheduled, key=lambda s: (s.start_phase, s.end_phase, s.key))
    tasks = {s.key: _initiative_task(source, s, uids.initiative(s.key)) for s in order}
    for item in order:
        spec = source.spec(item.key)
        deps = spec.depends_on if spec else ()
        preds = dict.fromkeys(tasks[d].uid for d in deps if d in tasks and d != item.key)
        tasks[item.key].predecessors = list(preds)
    gates = {
        p.index: _tollgate_task(p.label, p.start, uids.gate(p.index))
        for p in phases
        if p.index in tollgates
    }

    groups: list[Task] = []
    if group_by == "phase":
        for phase in phases:
            children = [gates[phase.index]] if phase.index in gates else []
            children += [tasks[s.key] for s in order if s.start_phase == phase.index]
            if children:
                groups.append(_summary(uids.phase(phase.index), phase.label, children))
        return groups

    by_category: dict[str, list[Task]] = {}
    for item in order:
        spec = source.spec(item.key)
        name = _category_name(spec.category if spec else None)
        by_category.setdefault(name, []).append(tasks[item.key])
    for name in sorted(by_category, key=lambda n: (n == UNCATEGORIZED, n.casefold())):
        groups.append(_summary(uids.category(name), name, by_category[name]))
    if gates:
        groups.append(_summary(uids.tollgates, TOLLGATES, list(gates.values())))
    return groups
