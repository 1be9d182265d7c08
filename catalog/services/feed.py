"""The calendar feed's secret: made on first use, replaced on revoke, stored hashed;
and what the feed serves, found by the secret alone.

Only the SHA-256 of the secret is stored (`calendar_feeds.secret_hash`): a request's
secret is hashed and looked up, so the database never holds what opens the feed, and
the address can be shown only when it is made (`open_feed`, `replace_feed`). Making and
replacing it are audited without either the secret or its hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass, field

from sqlalchemy import select

from catalog.domain import ADMIN, PMO, Actor
from catalog.models import CalendarFeed, PlanningSettings, RoadmapRecord, utcnow
from catalog.models import Workspace as WorkspaceRow
from catalog.services._access import require_role
from catalog.services._audit import audit
from catalog.services._feed_events import export_source, revisions
from catalog.services._lookup import lock_workspace, workspace_row
from catalog.uow import UnitOfWork
from planner.exports import ExportSource
from planner.exports.ics import Revision

#: Who may see, make and replace a workspace's feed address (README "Calendar feed").
FEED_ROLES = (PMO, ADMIN)
#: Random bytes in a secret (`secrets.token_urlsafe`: 43 URL-safe characters).
SECRET_BYTES = 32
#: What a secret looks like; anything else is not looked up.
SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class FeedView:
    """A workspace's feed: when and by whom its address was made; `secret` only in the
    answer of the call that made it (it is stored nowhere)."""

    team_id: str
    created_at: dt.datetime
    created_by: str
    secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class FeedContent:
    """What a feed serves: the published roadmap with its portfolio (None: nothing is
    published yet), each event's revision, the calendar's name and the moment an event
    without a revision is dated."""

    name: str
    source: ExportSource | None
    revisions: dict[str, Revision]
    modified: dt.datetime


def secret_hash(secret: str) -> str:
    """The hex SHA-256 stored for a secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def feed_status(uow: UnitOfWork, *, actor: Actor, team_id: str) -> FeedView | None:
    """The workspace's feed, if it has one (PMO and admins)."""
    ws = workspace_row(uow, team_id)
    require_role(uow, ws, actor, FEED_ROLES, "see the calendar feed")
    row = uow.session.get(CalendarFeed, ws.id)
    return _view(ws, row) if row is not None else None


def open_feed(uow: UnitOfWork, *, actor: Actor, team_id: str) -> FeedView:
    """The workspace's feed, made now if it has none (PMO and admins): then with its
    secret, which is shown this once."""
    ws = workspace_row(uow, team_id)
    require_role(uow, ws, actor, FEED_ROLES, "make the calendar feed")
    lock_workspace(uow, ws)  # two first uses at once: the second finds the first's
    row = uow.session.get(CalendarFeed, ws.id, populate_existing=True)
    if row is not None:
        return _view(ws, row)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    row = CalendarFeed(workspace_id=ws.id, secret_hash=secret_hash(secret), created_by=str(actor))
    uow.session.add(row)
    audit(
        uow,
        ws,
        actor,
        action="calendar_feed.create",
        entity="calendar_feed",
        note="calendar feed address made",
    )
    uow.commit()
    return _view(ws, row, secret)


def replace_feed(uow: UnitOfWork, *, actor: Actor, team_id: str) -> FeedView:
    """A new secret for the workspace's feed (PMO and admins): the old address stops
    working at once. A workspace without a feed gets its first."""
    ws = workspace_row(uow, team_id)
    require_role(uow, ws, actor, FEED_ROLES, "revoke the calendar feed")
    lock_workspace(uow, ws)
    row = uow.session.get(CalendarFeed, ws.id, populate_existing=True)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    if row is None:
        row = CalendarFeed(workspace_id=ws.id, secret_hash=secret_hash(secret))
        uow.session.add(row)
        note = "calendar feed address made (there was none to revoke)"
    else:
        row.secret_hash = secret_hash(secret)
        note = "calendar feed address revoked and replaced"
    row.created_at = utcnow()
    row.created_by = str(actor)
    audit(uow, ws, actor, action="calendar_feed.revoke", entity="calendar_feed", note=note)
    uow.commit()
    return _view(ws, row, secret)


def feed_content(uow: UnitOfWork, *, secret: str) -> FeedContent | None:
    """What the feed of `secret` serves; None for a secret that opens no feed (wrong,
    revoked, or not even shaped like one)."""
    if not SECRET_SHAPE.fullmatch(secret):
        return None
    row = uow.session.scalar(
        select(CalendarFeed).where(CalendarFeed.secret_hash == secret_hash(secret))
    )
    if row is None:
        return None
    ws = uow.session.get(WorkspaceRow, row.workspace_id)
    if ws is None:
        return None
    record = uow.session.scalar(
        select(RoadmapRecord)
        .where(RoadmapRecord.workspace_id == ws.id, RoadmapRecord.published.is_(True))
        .order_by(RoadmapRecord.published_at.desc(), RoadmapRecord.id.desc())
        .limit(1)
    )
    settings = uow.session.get(PlanningSettings, ws.id)
    name = settings.name if settings is not None else (ws.name or ws.team_id)
    if record is None:
        return FeedContent(name=name, source=None, revisions={}, modified=row.created_at)
    return FeedContent(
        name=name,
        source=export_source(uow, ws, record),
        revisions=revisions(uow, ws),
        modified=record.published_at or record.created_at,
    )


def _view(ws: WorkspaceRow, row: CalendarFeed, secret: str | None = None) -> FeedView:
    return FeedView(
        team_id=ws.team_id, created_at=row.created_at, created_by=row.created_by, secret=secret
    )
