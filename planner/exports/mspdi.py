"""MS Project XML (MSPDI, the Project 2007 `pj12` schema) export of a roadmap.

The file holds a project summary task (UID 0), a summary task per phase (the phase the
initiatives start in) or per category, a task per scheduled initiative with the dates of
its build phases, finish-to-start links for dependencies, a milestone per tollgate, cost
and the owner, cadence, key and category as aliased extended attributes. Elements follow
the schema's order; text is built as an element tree, never by concatenation.

Working time is the standard calendar: Monday to Friday, 08:00–12:00 and 13:00–17:00, so a
working day is 8 hours. A phase that starts or ends on a weekend is trimmed to its working
days. Costs are written in hundredths of the currency unit, as MS Project and MPXJ read them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field

from planner.calendar import phases_of, tollgate_phases
from planner.errors import ScenarioError
from planner.exports.source import ExportSource
from planner.roadmap import Scheduled

NAMESPACE = "http://schemas.microsoft.com/project"
SAVE_VERSION = 12  # Project 2007
GROUPINGS = ("phase", "category")
HOURS_PER_DAY = 8
DAY_START = dt.time(8, 0)
DAY_FINISH = dt.time(17, 0)
CALENDAR_UID = 1
UNCATEGORIZED = "Uncategorized"
TOLLGATES = "Tollgates"
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}

# Task.Type: 1 = fixed duration; ConstraintType: 0 = as soon as possible,
# 4 = start no earlier than; PredecessorLink.Type: 1 = finish-to-start;
# DurationFormat / LagFormat: 7 = days; FixedCostAccrual: 2 = prorated.
_FIXED_DURATION = 1
_ASAP = 0
_START_NO_EARLIER_THAN = 4
_FINISH_TO_START = 1
_DAYS = 7
_PRORATED = 2
_WORK_FORMAT_HOURS = 2
_CF_COST, _CF_NUMBER, _CF_TEXT = 0, 5, 7

# Characters XML 1.0 cannot carry at all.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A Monday: working days are counted from here.
_EPOCH = dt.date(2000, 1, 3)


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


def render(source: ExportSource) -> bytes:
    """The roadmap as MSPDI with a summary task per phase."""
    return render_mspdi(source, group_by="phase")


def render_mspdi(source: ExportSource, *, group_by: str = "phase", currency: str = "USD") -> bytes:
    """The roadmap as MSPDI (UTF-8), grouped under a summary task per phase or per category.

    `currency` is the ISO 4217 code written as the project's currency.
    """
    if group_by not in GROUPINGS:
        raise ScenarioError(
            f"unknown MS Project grouping '{group_by}' (known: {', '.join(GROUPINGS)})"
        )
    code = currency.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ScenarioError(f"'{currency}' is not a three-letter ISO 4217 currency code")
    tasks = _plan_tasks(source, group_by=group_by)
    root = _project(source, tasks, currency=code)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# --------------------------------------------------------------------------- working time


def _work_days_before(day: dt.date) -> int:
    """Working days (Mon–Fri) from the epoch up to, not including, `day`."""
    weeks, rest = divmod((day - _EPOCH).days, 7)
    return weeks * 5 + min(rest, 5)


def _work_hours(start: dt.datetime, finish: dt.datetime) -> int:
    """Working hours between two instants that each fall at 08:00 or 17:00 of a working day."""

    def offset(moment: dt.datetime) -> int:
        hours = _work_days_before(moment.date()) * HOURS_PER_DAY
        return hours + (HOURS_PER_DAY if moment.time() >= DAY_FINISH else 0)

    return max(offset(finish) - offset(start), 0)


def _first_work_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _last_work_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _span(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Start and finish instants of the working days from `first` to `last`, inclusive."""
    start_day, finish_day = _first_work_day(first), _last_work_day(last)
    if finish_day < start_day:  # no working day inside: keep one day at the start
        finish_day = start_day
    return dt.datetime.combine(start_day, DAY_START), dt.datetime.combine(finish_day, DAY_FINISH)


def _duration(hours: int) -> str:
    return f"PT{hours}H0M0S"


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


# --------------------------------------------------------------------------- the task list


@dataclass
class _Task:
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
    children: list[_Task] = field(default_factory=list)
    constrained: bool = True


def _summary(uid: int, name: str, children: list[_Task]) -> _Task:
    return _Task(
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


def _initiative_task(source: ExportSource, item: Scheduled, uid: int) -> _Task:
    spec = source.spec(item.key)
    start, finish = _span(item.start, item.end)
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
    extended += [(CAPEX, str(capex * 100)), (OPEX, str(opex * 100)), (VALUE, str(item.value))]
    extended.sort(key=lambda pair: int(pair[0].field_id))
    return _Task(
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


def _tollgate_task(label: str, day: dt.date, uid: int) -> _Task:
    moment = dt.datetime.combine(_first_work_day(day), DAY_START)
    return _Task(uid=uid, name=f"Tollgate {label}", start=moment, finish=moment, milestone=True)


def _plan_tasks(source: ExportSource, *, group_by: str) -> list[_Task]:
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

    groups: list[_Task] = []
    if group_by == "phase":
        for phase in phases:
            children = [gates[phase.index]] if phase.index in gates else []
            children += [tasks[s.key] for s in order if s.start_phase == phase.index]
            if children:
                groups.append(_summary(uids.phase(phase.index), phase.label, children))
        return groups

    by_category: dict[str, list[_Task]] = {}
    for item in order:
        spec = source.spec(item.key)
        name = _category_name(spec.category if spec else None)
        by_category.setdefault(name, []).append(tasks[item.key])
    for name in sorted(by_category, key=lambda n: (n == UNCATEGORIZED, n.casefold())):
        groups.append(_summary(uids.category(name), name, by_category[name]))
    if gates:
        groups.append(_summary(uids.tollgates, TOLLGATES, list(gates.values())))
    return groups


# --------------------------------------------------------------------------- XML


def _clean(text: str, limit: int) -> str:
    """Text XML can carry, within the schema's length limit."""
    text = _INVALID_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _add(parent: ET.Element, tag: str, value: object | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if value is not None:
        if isinstance(value, bool):
            element.text = "1" if value else "0"
        else:
            element.text = str(value)
    return element


def _project(source: ExportSource, groups: list[_Task], *, currency: str) -> ET.Element:
    portfolio = source.portfolio
    phases = phases_of(portfolio.calendar)
    first, last = _span(phases[0].start, phases[-1].end) if phases else (None, None)
    starts = [g.start for g in groups] + ([first] if first else [])
    finishes = [g.finish for g in groups] + ([last] if last else [])
    title = source.roadmap.name or portfolio.name

    root = ET.Element("Project", xmlns=NAMESPACE)
    _add(root, "SaveVersion", SAVE_VERSION)
    _add(root, "Name", _clean(portfolio.name, 255))
    _add(root, "Title", _clean(title, 512))
    _add(root, "Author", _clean(source.generated_by, 512))
    _add(root, "ScheduleFromStart", True)
    if starts:
        _add(root, "StartDate", _stamp(min(starts)))
        _add(root, "FinishDate", _stamp(max(finishes)))
    _add(root, "FYStartDate", portfolio.calendar.fiscal_year_start)
    _add(root, "CurrencyDigits", 0)
    _add(root, "CurrencySymbol", CURRENCY_SYMBOLS.get(currency, currency))
    _add(root, "CurrencyCode", currency)
    _add(root, "CurrencySymbolPosition", 0)
    _add(root, "CalendarUID", CALENDAR_UID)
    _add(root, "DefaultStartTime", DAY_START.strftime("%H:%M:%S"))
    _add(root, "DefaultFinishTime", DAY_FINISH.strftime("%H:%M:%S"))
    _add(root, "MinutesPerDay", HOURS_PER_DAY * 60)
    _add(root, "MinutesPerWeek", HOURS_PER_DAY * 60 * 5)
    _add(root, "DaysPerMonth", 20)
    _add(root, "DefaultTaskType", _FIXED_DURATION)
    _add(root, "DefaultFixedCostAccrual", _PRORATED)
    _add(root, "DurationFormat", _DAYS)
    _add(root, "WorkFormat", _WORK_FORMAT_HOURS)
    _add(root, "HonorConstraints", True)
    _add(root, "FiscalYearStart", portfolio.calendar.fiscal_year_start != 1)
    _add(root, "WeekStartDay", 1)  # Monday

    attributes = _add(root, "ExtendedAttributes")
    for ext in EXTENDED_FIELDS:
        attribute = _add(attributes, "ExtendedAttribute")
        _add(attribute, "FieldID", ext.field_id)
        _add(attribute, "FieldName", ext.name)
        _add(attribute, "CFType", ext.cf_type)
        _add(attribute, "Alias", ext.alias)

    _calendar(_add(root, "Calendars"))

    tasks = _add(root, "Tasks")
    if starts:
        project = _Task(
            uid=0,
            name=title,
            start=min(starts),
            finish=max(finishes),
            summary=True,
            cost=sum(g.cost for g in groups),
            children=groups,
            constrained=False,
        )
        _write_tree(tasks, project, outline=(), ids=itertools.count())
    return root


def _calendar(calendars: ET.Element) -> None:
    calendar = _add(calendars, "Calendar")
    _add(calendar, "UID", CALENDAR_UID)
    _add(calendar, "Name", "Standard")
    _add(calendar, "IsBaseCalendar", True)
    _add(calendar, "BaseCalendarUID", -1)
    weekdays = _add(calendar, "WeekDays")
    for day_type in range(1, 8):  # 1 = Sunday … 7 = Saturday
        weekday = _add(weekdays, "WeekDay")
        _add(weekday, "DayType", day_type)
        working = day_type not in (1, 7)
        _add(weekday, "DayWorking", working)
        if working:
            times = _add(weekday, "WorkingTimes")
            for start, finish in (("08:00:00", "12:00:00"), ("13:00:00", "17:00:00")):
                time = _add(times, "WorkingTime")
                _add(time, "FromTime", start)
                _add(time, "ToTime", finish)


def _write_tree(
    parent: ET.Element, task: _Task, *, outline: tuple[int, ...], ids: Iterator[int]
) -> None:
    number = ".".join(map(str, outline)) or "0"
    _write_task(parent, task, task_id=next(ids), number=number, level=len(outline))
    for position, child in enumerate(task.children, start=1):
        _write_tree(parent, child, outline=(*outline, position), ids=ids)


def _write_task(parent: ET.Element, task: _Task, *, task_id: int, number: str, level: int) -> None:
    element = _add(parent, "Task")
    _add(element, "UID", task.uid)
    _add(element, "ID", task_id)
    _add(element, "Name", _clean(task.name, 512))
    _add(element, "Type", _FIXED_DURATION)
    if task.contact:
        _add(element, "Contact", _clean(task.contact, 512))
    _add(element, "WBS", number)
    _add(element, "OutlineNumber", number)
    _add(element, "OutlineLevel", level)
    _add(element, "Start", _stamp(task.start))
    _add(element, "Finish", _stamp(task.finish))
    hours = 0 if task.milestone else _work_hours(task.start, task.finish)
    _add(element, "Duration", _duration(hours))
    _add(element, "DurationFormat", _DAYS)
    _add(element, "Milestone", task.milestone)
    _add(element, "Summary", task.summary)
    if task.fixed_cost is not None:
        _add(element, "FixedCost", task.fixed_cost * 100)
        _add(element, "FixedCostAccrual", _PRORATED)
    _add(element, "PercentComplete", 0)
    _add(element, "Cost", task.cost * 100)
    _add(element, "RemainingDuration", _duration(hours))
    _add(element, "ConstraintType", _START_NO_EARLIER_THAN if task.constrained else _ASAP)
    if task.constrained:
        _add(element, "ConstraintDate", _stamp(task.start))
    if task.notes:
        _add(element, "Notes", _clean(task.notes, 100_000))
    for uid in task.predecessors:
        link = _add(element, "PredecessorLink")
        _add(link, "PredecessorUID", uid)
        _add(link, "Type", _FINISH_TO_START)
        _add(link, "LinkLag", 0)
        _add(link, "LagFormat", _DAYS)
    for ext, value in task.extended:
        attribute = _add(element, "ExtendedAttribute")
        _add(attribute, "FieldID", ext.field_id)
        _add(attribute, "Value", _clean(value, 255))
