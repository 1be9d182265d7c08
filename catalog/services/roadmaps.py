"""Solved roadmaps: keeping the latest, publishing one as the baseline."""

from __future__ import annotations

from sqlalchemy import select

from catalog.domain import ADMIN, APPROVED, APPROVER, SCHEDULED, Actor, next_status
from catalog.errors import NotFound, ValidationFailed
from catalog.models import Initiative, RoadmapRecord, utcnow
from catalog.models import Workspace as WorkspaceRow
from catalog.services._access import check_workspace, require_role
from catalog.services._audit import audit
from catalog.services._feed_events import record_published_events
from catalog.services._lookup import workspace_for, workspace_row
from catalog.services._rows import roadmap_view
from catalog.uow import UnitOfWork
from catalog.views import RoadmapView
from planner.portfolio import Portfolio, portfolio_to_dict
from planner.roadmap import Roadmap

KINDS = ("latest", "whatif")
#: `session.info` key listing the roadmaps a transaction saved (a job's fence records them).
SAVED_ROADMAPS = "townhall.saved_roadmaps"
#: Unpublished roadmaps kept per kind; older ones are dropped when a new one is saved.
KEEP = 20
PUBLISHABLE = ("optimal", "feasible")


def save_roadmap(
    uow: UnitOfWork,
    *,
    actor: Actor,
    team_id: str,
    roadmap: Roadmap,
    kind: str = "latest",
    portfolio: Portfolio | None = None,
) -> RoadmapView:
    """Store a solved roadmap (any member who can plan); `portfolio` is what was planned.

    Only the newest unpublished roadmaps of each kind are kept.
    """
    ws = workspace_for(uow, team_id, actor)
    check_workspace(actor, ws, "save a roadmap")
    if kind not in KINDS:
        raise ValidationFailed({"kind": f"expected one of {', '.join(KINDS)}, got {kind!r}"})
    record = RoadmapRecord(
        workspace_id=ws.id,
        kind=kind,
        created_by=str(actor),
        status=roadmap.status,
        objective=roadmap.objective,
        published=False,
        document=roadmap.to_dict(),
        portfolio=portfolio_to_dict(portfolio) if portfolio is not None else None,
    )
    uow.session.add(record)
    uow.session.flush()
    uow.session.info.setdefault(SAVED_ROADMAPS, []).append(record.id)
    _prune(uow, ws, kind)
    audit(
        uow,
        ws,
        actor,
        action="roadmap.save",
        entity="roadmap",
        key=str(record.id),
        after={"kind": kind, "status": roadmap.status, "objective": roadmap.objective},
    )
    uow.commit()
    return roadmap_view(record)


def _prune(uow: UnitOfWork, ws: WorkspaceRow, kind: str) -> None:
    old = uow.session.scalars(
        select(RoadmapRecord)
        .where(
            RoadmapRecord.workspace_id == ws.id,
            RoadmapRecord.kind == kind,
            RoadmapRecord.published.is_(False),
        )
        .order_by(RoadmapRecord.id.desc())
        .offset(KEEP)
    )
    for record in old:
        uow.session.delete(record)


def get_roadmap(uow: UnitOfWork, *, team_id: str, roadmap_id: int) -> RoadmapView:
    ws = workspace_row(uow, team_id)
    return roadmap_view(_record(uow, ws, roadmap_id))


def _record(uow: UnitOfWork, ws: WorkspaceRow, roadmap_id: int) -> RoadmapRecord:
    record = uow.session.scalar(
        select(RoadmapRecord).where(
            RoadmapRecord.workspace_id == ws.id, RoadmapRecord.id == roadmap_id
        )
    )
    if record is None:
        raise NotFound("roadmap", str(roadmap_id))
    return record


def latest_roadmap(uow: UnitOfWork, *, team_id: str, kind: str = "latest") -> RoadmapView | None:
    """The most recently saved roadmap of a kind, if any."""
    ws = workspace_row(uow, team_id)
    record = uow.session.scalar(
        select(RoadmapRecord)
        .where(RoadmapRecord.workspace_id == ws.id, RoadmapRecord.kind == kind)
        .order_by(RoadmapRecord.id.desc())
        .limit(1)
    )
    return roadmap_view(record) if record is not None else None


def published_roadmap(uow: UnitOfWork, *, team_id: str) -> RoadmapView | None:
    """The baseline: the roadmap published most recently, if any."""
    ws = workspace_row(uow, team_id)
    record = uow.session.scalar(
        select(RoadmapRecord)
        .where(RoadmapRecord.workspace_id == ws.id, RoadmapRecord.published.is_(True))
        .order_by(RoadmapRecord.published_at.desc(), RoadmapRecord.id.desc())
        .limit(1)
    )
    return roadmap_view(record) if record is not None else None


def publish_roadmap(
    uow: UnitOfWork, *, actor: Actor, team_id: str, roadmap_id: int | None = None
) -> RoadmapView:
    """Make a roadmap (by default the latest) the published baseline (approvers, admins).

    Approved initiatives it schedules become `scheduled`; scheduled ones it leaves out
    go back to `approved`. Infeasible or unsolved roadmaps cannot be published.
    """
    ws = workspace_row(uow, team_id)
    require_role(uow, ws, actor, (APPROVER, ADMIN), "publish a roadmap")
    if roadmap_id is None:
        latest = latest_roadmap(uow, team_id=team_id)
        if latest is None:
            raise NotFound("roadmap", "to publish (plan one first)")
        roadmap_id = latest.id
    record = _record(uow, ws, roadmap_id)
    if record.status not in PUBLISHABLE:
        problem = (
            f"roadmap {record.id} is {record.status}; only a solved roadmap "
            "(optimal or feasible) can be published"
        )
        raise ValidationFailed({"roadmap": problem})
    record.published = True
    record.published_at = utcnow()
    record.published_by = str(actor)
    planned = {s["key"] for s in record.document.get("scheduled", ())}
    rows = uow.session.scalars(
        select(Initiative)
        .where(Initiative.workspace_id == ws.id, Initiative.status.in_((APPROVED, SCHEDULED)))
        .order_by(Initiative.position, Initiative.key)  # the audit trail in portfolio order
    )
    for row in rows:
        action = None
        if row.status == APPROVED and row.key in planned:
            action = "schedule"
        elif row.status == SCHEDULED and row.key not in planned:
            action = "unschedule"
        if action is None:
            continue
        status = next_status(row.key, row.status, action)
        audit(
            uow,
            ws,
            actor,
            action=f"initiative.{action}",
            entity="initiative",
            key=row.key,
            before={"status": row.status},
            after={"status": status},
            note=f"roadmap {record.id} published",
        )
        row.status = status
        row.updated_by = str(actor)
    record_published_events(uow, ws, record)  # the calendar feed's SEQUENCE, LAST-MODIFIED
    audit(
        uow,
        ws,
        actor,
        action="roadmap.publish",
        entity="roadmap",
        key=str(record.id),
        after={"status": record.status, "objective": record.objective},
    )
    uow.commit()
    return roadmap_view(record)
