"""The MSPDI document: project properties, the standard calendar, extended attribute
definitions and the task tree as elements in the schema's order (an element tree, never
text concatenation)."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from planner.calendar import phases_of
from planner.exports.mspdi.tasks import EXTENDED_FIELDS, Task
from planner.exports.mspdi.worktime import (
    DAY_FINISH,
    DAY_START,
    HOURS_PER_DAY,
    duration,
    span,
    stamp,
    work_hours,
)
from planner.exports.source import ExportSource

NAMESPACE = "http://schemas.microsoft.com/project"
SAVE_VERSION = 12  # Project 2007
CALENDAR_UID = 1
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

# Characters XML 1.0 cannot carry at all.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


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


def project_element(source: ExportSource, groups: list[Task], *, currency: str) -> ET.Element:
    portfolio = source.portfolio
    phases = phases_of(portfolio.calendar)
    first, last = span(phases[0].start, phases[-1].end) if phases else (None, None)
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
        _add(root, "StartDate", stamp(min(starts)))
        _add(root, "FinishDate", stamp(max(finishes)))
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
        project = Task(
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
    parent: ET.Element, task: Task, *, outline: tuple[int, ...], ids: Iterator[int]
) -> None:
    number = ".".join(map(str, outline)) or "0"
    _write_task(parent, task, task_id=next(ids), number=number, level=len(outline))
    for position, child in enumerate(task.children, start=1):
        _write_tree(parent, child, outline=(*outline, position), ids=ids)


def _write_task(parent: ET.Element, task: Task, *, task_id: int, number: str, level: int) -> None:
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
    _add(element, "Start", stamp(task.start))
    _add(element, "Finish", stamp(task.finish))
    hours = 0 if task.milestone else work_hours(task.start, task.finish)
    _add(element, "Duration", duration(hours))
    _add(element, "DurationFormat", _DAYS)
    _add(element, "Milestone", task.milestone)
    _add(element, "Summary", task.summary)
    if task.fixed_cost is not None:
        _add(element, "FixedCost", task.fixed_cost * 100)
        _add(element, "FixedCostAccrual", _PRORATED)
    _add(element, "PercentComplete", 0)
    _add(element, "Cost", task.cost * 100)
    _add(element, "RemainingDuration", duration(hours))
    _add(element, "ConstraintType", _START_NO_EARLIER_THAN if task.constrained else _ASAP)
    if task.constrained:
        _add(element, "ConstraintDate", stamp(task.start))
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
