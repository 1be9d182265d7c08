"""What the calendar feed last published of each event: written when a roadmap is
published, in the publishing transaction (`record_published_events`), read by the feed
(`revisions`).

Per event UID (`planner.exports.ics`: stable across re-plans) a `calendar_events` row
keeps the dates and digest last published, SEQUENCE and LAST-MODIFIED:

- a new event: SEQUENCE 0, LAST-MODIFIED the moment of publishing;
- an event that moved (its first or last day changed): SEQUENCE + 1, LAST-MODIFIED now;
- an event that only says something else (a tollgate's list of initiatives starting, a
  renamed title): LAST-MODIFIED now, SEQUENCE kept (RFC 5545 counts only significant
  revisions, such as the dates);
- an unchanged event, or one the roadmap no longer has: nothing changes (the row stays,
  so an event that comes back never gets an older SEQUENCE).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from catalog.models import CalendarEventRecord, RoadmapRecord
from catalog.models import Workspace as WorkspaceRow
from catalog.services._lookup import lock_workspace
from catalog.services._rows import roadmap_view
from catalog.services.portfolios import workspace_portfolio
from catalog.uow import UnitOfWork
from planner.exports import ExportSource
from planner.exports.ics import CalendarEvent, Revision, events


def record_published_events(uow: UnitOfWork, ws: WorkspaceRow, record: RoadmapRecord) -> None:
    """Bring the workspace's event rows up to the roadmap `record`, being published now
    (its `published_at` set); the caller commits. Two publishes in one workspace take
    turns (the workspace's lock), so neither overwrites what the other counted."""
    lock_workspace(uow, ws)
    rows = _rows(uow, ws)
    if not rows:
        _seed_from_previous(uow, ws, record, rows)
    when = record.published_at or dt.datetime.now(dt.UTC)
    for event in events(export_source(uow, ws, record)):
        _apply(uow, ws, rows, event, when)


def revisions(uow: UnitOfWork, ws: WorkspaceRow) -> dict[str, Revision]:
    """Each event UID's SEQUENCE and LAST-MODIFIED, as last published."""
    return {uid: Revision(r.sequence, r.last_modified) for uid, r in _rows(uow, ws).items()}


def export_source(uow: UnitOfWork, ws: WorkspaceRow, record: RoadmapRecord) -> ExportSource:
    """The roadmap with the portfolio it was planned from (a roadmap stored without it
    gets the workspace's current one, as its export does)."""
    view = roadmap_view(record)
    portfolio = view.portfolio or workspace_portfolio(uow, team_id=ws.team_id)
    return ExportSource(roadmap=view.roadmap, portfolio=portfolio)


def _rows(uow: UnitOfWork, ws: WorkspaceRow) -> dict[str, CalendarEventRecord]:
    query = select(CalendarEventRecord).where(CalendarEventRecord.workspace_id == ws.id)
    return {r.uid: r for r in uow.session.scalars(query)}


def _seed_from_previous(
    uow: UnitOfWork,
    ws: WorkspaceRow,
    record: RoadmapRecord,
    rows: dict[str, CalendarEventRecord],
) -> None:
    """A workspace that published before the feed existed (or whose rows are gone): its
    previous published roadmap's events, as of when it was published, so that what
    moved since counts as moved."""
    previous = uow.session.scalar(
        select(RoadmapRecord)
        .where(
            RoadmapRecord.workspace_id == ws.id,
            RoadmapRecord.published.is_(True),
            RoadmapRecord.id != record.id,
            RoadmapRecord.published_at.is_not(None),
        )
        .order_by(RoadmapRecord.published_at.desc(), RoadmapRecord.id.desc())
        .limit(1)
    )
    if previous is None or previous.published_at is None:
        return
    for event in events(export_source(uow, ws, previous)):
        _apply(uow, ws, rows, event, previous.published_at)


def _apply(
    uow: UnitOfWork,
    ws: WorkspaceRow,
    rows: dict[str, CalendarEventRecord],
    event: CalendarEvent,
    when: dt.datetime,
) -> None:
    dtend = event.last + dt.timedelta(days=1)
    row = rows.get(event.uid)
    if row is None:
        row = CalendarEventRecord(
            workspace_id=ws.id,
            uid=event.uid,
            dtstart=event.first,
            dtend=dtend,
            digest=event.digest,
            sequence=0,
            last_modified=when,
        )
        uow.session.add(row)
        rows[event.uid] = row
        return
    if row.digest == event.digest:
        return
    if (row.dtstart, row.dtend) != (event.first, dtend):
        row.sequence += 1
        row.dtstart, row.dtend = event.first, dtend
    row.digest = event.digest
    row.last_modified = when
