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

`events(source)` gives the same events as plain data (`CalendarEvent`), with a digest of
everything an event says; the subscribed calendar feed (`render_feed`) keeps, per UID, a
`Revision` (SEQUENCE and LAST-MODIFIED) that the caller stores and passes back in: its
SEQUENCE goes up when the event moves, LAST-MODIFIED is when it last changed, and DTSTAMP
is LAST-MODIFIED, so the same roadmap always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from icalendar import Calendar, Event, vDuration

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
#: How often a subscribed calendar is asked to look for changes (clients may poll less
#: often: Google Calendar and Outlook decide themselves).
FEED_REFRESH = dt.timedelta(hours=1)


@dataclass(frozen=True)
class CalendarEvent:
    """One all-day event: `first` to `last` inclusive, as the roadmap places it."""

    uid: str
    kind: str  # go-live | tollgate | freeze
    first: dt.date
    last: dt.date
    summary: str
    description: str
    categories: tuple[str, ...]

    @property
    def digest(self) -> str:
        """SHA-256 of everything the event says (hex): equal digests, equal events."""
        data = [
            self.uid,
            self.kind,
            self.first.isoformat(),
            self.last.isoformat(),
            self.summary,
            self.description,
            list(self.categories),
        ]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class Revision:
    """What a subscribed calendar is told about an event's history: SEQUENCE (how many
    times it moved) and LAST-MODIFIED (when it last changed, aware)."""

    sequence: int
    last_modified: dt.datetime


def render(source: ExportSource, *, stamp: dt.datetime | None = None) -> bytes:
    """The roadmap's go-lives, tollgates and freezes as an iCalendar file (UTF-8, CRLF)."""
    when = _utc(stamp or dt.datetime.now(dt.UTC))
    cal = _calendar(portfolio_name(source))
    for item in events(source):
        cal.add_component(_component(item, stamp=when))
    return cal.to_ical()


def render_feed(
    source: ExportSource | None,
    *,
    name: str,
    revisions: Mapping[str, Revision],
    modified: dt.datetime,
) -> bytes:
    """The subscribed calendar: `source`'s events (none when nothing is published), each
    with its SEQUENCE and LAST-MODIFIED from `revisions` (an event without one: 0 and
    `modified`) and DTSTAMP = LAST-MODIFIED. Same inputs, same bytes."""
    cal = _calendar(portfolio_name(source) if source is not None else name)
    cal.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(FEED_REFRESH))
    for item in events(source) if source is not None else ():
        revision = revisions.get(item.uid) or Revision(0, modified)
        changed = _utc(revision.last_modified)
        event = _component(item, stamp=changed)
        event.add("last-modified", changed)
        event.add("sequence", revision.sequence)
        cal.add_component(event)
    return cal.to_ical()


def events(source: ExportSource) -> tuple[CalendarEvent, ...]:
    """Every event of the roadmap, in the file's order: go-lives in roadmap order, then
    tollgates and freezes by phase."""
    name = portfolio_name(source)
    phases = {p.index: p for p in source.roadmap.phases}
    out = [_go_live(source, item, name=name) for item in source.roadmap.scheduled]
    gates = _tollgates(source)
    out += [_tollgate(source, phases[i], name=name) for i in sorted(gates) if i in phases]
    freeze = source.portfolio.calendar.freeze
    out += [_freeze(phases[i], name=name) for i in sorted(freeze) if i in phases]
    return tuple(out)


def portfolio_name(source: ExportSource) -> str:
    return source.roadmap.name or source.portfolio.name


def event_uid(*, portfolio: str, kind: str, key: str) -> str:
    """The stable UID of one event: `<uuid5>@townhall`."""
    name = "\x1f".join((portfolio, kind, key))
    return f"{uuid.uuid5(UID_NAMESPACE, name)}@{UID_DOMAIN}"


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def _text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _text(f"{name} roadmap"))
    return cal


def _tollgates(source: ExportSource) -> frozenset[int]:
    if source.portfolio.calendar.tollgates is None:
        return frozenset()
    return tollgate_phases(source.portfolio.calendar)


def _component(item: CalendarEvent, *, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", item.first)
    event.add("dtend", item.last + dt.timedelta(days=1))  # all-day: DTEND is exclusive
    event.add("transp", "TRANSPARENT")
    event.add("summary", item.summary)
    event.add("description", item.description)
    event.add("categories", list(item.categories))
    return event


def _go_live(source: ExportSource, item: Scheduled, *, name: str) -> CalendarEvent:
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
    return CalendarEvent(
        uid=event_uid(portfolio=name, kind="go-live", key=item.key),
        kind="go-live",
        first=item.end,
        last=item.end,
        summary=_text(f"{GO_LIVE}: {item.key} {item.title}"),
        description=_text("\n".join(lines)),
        categories=tuple(_text(c) for c in categories),
    )


def _tollgate(source: ExportSource, phase: PhaseUse, *, name: str) -> CalendarEvent:
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
    return CalendarEvent(
        uid=event_uid(portfolio=name, kind="tollgate", key=str(phase.index)),
        kind="tollgate",
        first=phase.start,
        last=phase.start,
        summary=f"{TOLLGATE}: {phase.label}",
        description=_text("\n".join(lines)),
        categories=(TOLLGATE,),
    )


def _freeze(phase: PhaseUse, *, name: str) -> CalendarEvent:
    return CalendarEvent(
        uid=event_uid(portfolio=name, kind="freeze", key=str(phase.index)),
        kind="freeze",
        first=phase.start,
        last=phase.end,
        summary=f"{FREEZE}: {phase.label}",
        description=_text(
            f"Change freeze in {phase.label}: nothing goes live in this phase.\nPortfolio: {name}"
        ),
        categories=(FREEZE,),
    )
