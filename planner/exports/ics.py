"""iCalendar export (RFC 5545): go-lives, tollgates and change freezes as all-day events.

- A go-live is on the last day of the initiative's go-live phase, its last build phase
  (docs/PLANNING_MODEL.md, Start, duration and go-live): the day the build is finished,
  the `end` date of the roadmap and the finish date of the MS Project export.
- A tollgate is on the first day of each tollgate phase, when the calendar names its
  tollgates (a calendar without tollgates lets waterfall work start in every phase, and
  gets no tollgate events). Its description lists the waterfall initiatives starting.
- A change freeze spans its whole phase.

Each UID is a UUID derived from the portfolio name, the event kind and the initiative
key (or phase index), never from the time: exporting the same roadmap again, or a
re-plan that moves a go-live, updates the same event in a subscribed calendar instead of
adding one. DTSTAMP is the export time (UTC) unless `stamp` is given. Line breaks in
names (CRLF or CR) become the single line break iCalendar text can hold.
"""

from __future__ import annotations

import datetime as dt
import uuid

from icalendar import Calendar, Event

from planner.calendar import tollgate_phases
from planner.exports.source import ExportSource
from planner.money import format_money
from planner.roadmap import PhaseUse, Scheduled

PRODID = "-//Townhall//Townhall roadmap export//EN"
#: Namespace of the UUIDs of Townhall calendar events (uuid5 of it, name, kind and key).
UID_NAMESPACE = uuid.UUID("6f1d8c52-37a4-5b7e-9a0e-2f3c41d7a9b1")
UID_DOMAIN = "townhall"
GO_LIVE = "Go-live"
TOLLGATE = "Tollgate"
FREEZE = "Change freeze"


def render(source: ExportSource, *, stamp: dt.datetime | None = None) -> bytes:
    """The roadmap's go-lives, tollgates and freezes as an iCalendar file (UTF-8, CRLF)."""
    when = (stamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    name = portfolio_name(source)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _text(f"{name} roadmap"))
    phases = {p.index: p for p in source.roadmap.phases}
    for item in source.roadmap.scheduled:
        cal.add_component(_go_live(source, item, name=name, stamp=when))
    gates = _tollgates(source)
    for index in sorted(gates):
        if index in phases:
            cal.add_component(_tollgate(source, phases[index], name=name, stamp=when))
    for index in sorted(source.portfolio.calendar.freeze):
        if index in phases:
            cal.add_component(_freeze(phases[index], name=name, stamp=when))
    return cal.to_ical()


def portfolio_name(source: ExportSource) -> str:
    return source.roadmap.name or source.portfolio.name


def event_uid(*, portfolio: str, kind: str, key: str) -> str:
    """The stable UID of one event: `<uuid5>@townhall`."""
    name = "\x1f".join((portfolio, kind, key))
    return f"{uuid.uuid5(UID_NAMESPACE, name)}@{UID_DOMAIN}"


def _text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _tollgates(source: ExportSource) -> frozenset[int]:
    if source.portfolio.calendar.tollgates is None:
        return frozenset()
    return tollgate_phases(source.portfolio.calendar)


def _event(*, uid: str, stamp: dt.datetime, first: dt.date, last: dt.date) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", first)
    event.add("dtend", last + dt.timedelta(days=1))  # all-day: DTEND is exclusive
    event.add("transp", "TRANSPARENT")
    return event


def _go_live(source: ExportSource, item: Scheduled, *, name: str, stamp: dt.datetime) -> Event:
    spec = source.spec(item.key)
    labels = {p.index: p.label for p in source.roadmap.phases}
    build = (
        labels.get(item.start_phase, str(item.start_phase))
        if item.start_phase == item.end_phase
        else f"{labels.get(item.start_phase, item.start_phase)}–"
        f"{labels.get(item.end_phase, item.end_phase)}"
    )
    lines = [
        f"{item.key}: {item.title}",
        f"Cadence: {item.cadence}",
        f"Build: {build} ({item.start.isoformat()} to {item.end.isoformat()})",
        f"Realized {source.roadmap.goal.noun}: {source.roadmap.goal.shown(item.value)}",
    ]
    categories = [GO_LIVE, item.cadence]
    if spec is not None:
        if spec.owner:
            lines.append(f"Owner: {spec.owner}")
        if spec.category:
            lines.append(f"Category: {spec.category}")
            categories.append(spec.category)
        lines.append(f"Value per phase from go-live: {format_money(spec.value)}")
        if spec.depends_on:
            lines.append(f"Depends on: {', '.join(spec.depends_on)}")
    lines.append(f"Portfolio: {name}")
    event = _event(
        uid=event_uid(portfolio=name, kind="go-live", key=item.key),
        stamp=stamp,
        first=item.end,
        last=item.end,
    )
    event.add("summary", _text(f"{GO_LIVE}: {item.key} {item.title}"))
    event.add("description", _text("\n".join(lines)))
    event.add("categories", [_text(c) for c in categories])
    return event


def _tollgate(source: ExportSource, phase: PhaseUse, *, name: str, stamp: dt.datetime) -> Event:
    starting = [
        s
        for s in source.roadmap.scheduled
        if s.start_phase == phase.index and s.cadence == "waterfall"
    ]
    lines = [f"Tollgate at the start of {phase.label}: waterfall initiatives may start."]
    if starting:
        lines.append("Starting: " + "; ".join(f"{s.key} {s.title}" for s in starting))
    else:
        lines.append("No waterfall initiative starts at this tollgate.")
    lines.append(f"Portfolio: {name}")
    event = _event(
        uid=event_uid(portfolio=name, kind="tollgate", key=str(phase.index)),
        stamp=stamp,
        first=phase.start,
        last=phase.start,
    )
    event.add("summary", f"{TOLLGATE}: {phase.label}")
    event.add("description", _text("\n".join(lines)))
    event.add("categories", [TOLLGATE])
    return event


def _freeze(phase: PhaseUse, *, name: str, stamp: dt.datetime) -> Event:
    event = _event(
        uid=event_uid(portfolio=name, kind="freeze", key=str(phase.index)),
        stamp=stamp,
        first=phase.start,
        last=phase.end,
    )
    event.add("summary", f"{FREEZE}: {phase.label}")
    event.add(
        "description",
        _text(
            f"Change freeze in {phase.label}: nothing goes live in this phase.\nPortfolio: {name}"
        ),
    )
    event.add("categories", [FREEZE])
    return event
