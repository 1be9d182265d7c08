"""Finding (and setting up) a workspace and its rows; every query filters by workspace."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update

from catalog.domain import Actor
from catalog.errors import NotFound, StaleVersion
from catalog.models import Driver, Initiative, JudgmentRecord, PlanningSettings
from catalog.models import Workspace as WorkspaceRow
from catalog.services._audit import audit
from catalog.services._rows import (
    driver_to_dict,
    judgment_to_dict,
    row_to_spec,
    settings_record,
    settings_to_dict,
    spec_to_dict,
)
from catalog.uow import UnitOfWork

#: Who creates workspaces and their default settings in the audit trail.
SYSTEM = Actor.operator("townhall")
DEFAULT_PHASES = 8


def find_workspace(uow: UnitOfWork, team_id: str) -> WorkspaceRow | None:
    return uow.session.scalar(select(WorkspaceRow).where(WorkspaceRow.team_id == team_id))


def workspace_row(uow: UnitOfWork, team_id: str) -> WorkspaceRow:
    row = find_workspace(uow, team_id)
    if row is None:
        raise NotFound("workspace", team_id)
    return row


def workspace_for(uow: UnitOfWork, team_id: str, actor: Actor) -> WorkspaceRow:
    """The workspace a write goes to; the operator's writes set up a missing one."""
    row = find_workspace(uow, team_id)
    if row is None:
        if not actor.is_operator:
            raise NotFound("workspace", team_id)
        row = create_workspace(uow, team_id=team_id)
    return row


def lock_workspace(uow: UnitOfWork, ws: WorkspaceRow) -> None:
    """Take the workspace's write lock for the rest of the transaction.

    Writes that check the workspace's state before changing it (who is still an admin)
    take it first, so that two of them run one after the other and the second sees what
    the first committed. PostgreSQL: `SELECT … FOR UPDATE` on the workspace row (the
    second waits for the first's commit; under READ COMMITTED its next statements see
    it). SQLite has no row locks and pysqlite begins a transaction only at the first
    write: an UPDATE of the row (changing nothing) begins it and takes the database's
    write lock, which the second writer waits for (the busy timeout) before it reads.
    """
    if uow.session.get_bind().dialect.name == "postgresql":
        uow.session.execute(
            select(WorkspaceRow.id).where(WorkspaceRow.id == ws.id).with_for_update()
        )
        return
    uow.session.execute(
        update(WorkspaceRow)
        .where(WorkspaceRow.id == ws.id)
        .values(team_id=WorkspaceRow.team_id)
        .execution_options(synchronize_session=False)
    )


def default_start(today: dt.date) -> dt.date:
    """The first day of the quarter after `today`: where a new workspace's calendar begins."""
    month = (today.month - 1) // 3 * 3 + 4
    return dt.date(today.year + (month > 12), (month - 1) % 12 + 1, 1)


def create_workspace(uow: UnitOfWork, *, team_id: str, name: str | None = None) -> WorkspaceRow:
    """Add a workspace and its default planning settings to the transaction (no commit)."""
    row = WorkspaceRow(team_id=team_id, name=name or team_id)
    uow.session.add(row)
    uow.session.flush()
    settings = PlanningSettings(
        workspace_id=row.id,
        name=name or "Portfolio",
        calendar_start=default_start(dt.datetime.now(dt.UTC).date()),
        phase_kind="quarter",
        phases=DEFAULT_PHASES,
        tollgates=None,
        freeze=[],
        fiscal_year_start=1,
        budget_per_phase=None,
        budget_total=None,
        capacity={},
        policy_review=[],
        policy_forbid=[],
        updated_by=str(SYSTEM),
    )
    uow.session.add(settings)
    uow.session.flush()
    audit(uow, row, SYSTEM, action="workspace.create", entity="workspace", key=team_id)
    audit(
        uow,
        row,
        SYSTEM,
        action="settings.create",
        entity="settings",
        after=settings_record(settings),
    )
    return row


def settings_row(uow: UnitOfWork, ws: WorkspaceRow) -> PlanningSettings:
    row = uow.session.get(PlanningSettings, ws.id)
    if row is None:  # ensure_workspace always writes one; only a damaged database lacks it
        raise NotFound("planning settings for workspace", ws.team_id)
    return row


def initiative_rows(uow: UnitOfWork, ws: WorkspaceRow) -> list[Initiative]:
    query = (
        select(Initiative)
        .where(Initiative.workspace_id == ws.id)
        .order_by(Initiative.position, Initiative.id)
    )
    return list(uow.session.scalars(query))


def normal_key(key: str) -> str:
    return key.strip().upper()


def initiative_row(uow: UnitOfWork, ws: WorkspaceRow, key: str) -> Initiative:
    query = select(Initiative).where(
        Initiative.workspace_id == ws.id, Initiative.key == normal_key(key)
    )
    row = uow.session.scalar(query)
    if row is None:
        raise NotFound("initiative", normal_key(key))
    return row


def next_position(uow: UnitOfWork, ws: WorkspaceRow) -> int:
    query = select(func.max(Initiative.position)).where(Initiative.workspace_id == ws.id)
    top = uow.session.scalar(query)
    return 0 if top is None else top + 1


def driver_rows(uow: UnitOfWork, ws: WorkspaceRow) -> list[Driver]:
    """Every driver of the workspace, retired ones too, in their order."""
    query = select(Driver).where(Driver.workspace_id == ws.id).order_by(Driver.position, Driver.id)
    return list(uow.session.scalars(query))


def active_drivers(uow: UnitOfWork, ws: WorkspaceRow) -> list[Driver]:
    return [d for d in driver_rows(uow, ws) if not d.retired]


def driver_keys(uow: UnitOfWork, ws: WorkspaceRow) -> tuple[str, ...]:
    """The keys of the workspace's active drivers, in order: the scores an initiative
    shows and the pairs people are asked about."""
    return tuple(d.key for d in active_drivers(uow, ws))


def judgment_rows(
    uow: UnitOfWork, ws: WorkspaceRow, user_id: str | None = None
) -> list[JudgmentRecord]:
    """The workspace's judgments (one person's, when `user_id` is given), by person and
    pair."""
    query = select(JudgmentRecord).where(JudgmentRecord.workspace_id == ws.id)
    if user_id is not None:
        query = query.where(JudgmentRecord.user_id == user_id)
    query = query.order_by(JudgmentRecord.user_id, JudgmentRecord.a, JudgmentRecord.b)
    return list(uow.session.scalars(query))


def portfolio_mapping(uow: UnitOfWork, ws: WorkspaceRow) -> dict[str, Any]:
    """The workspace as a version 1 portfolio mapping: settings, the active drivers and
    the judgments between them, and every initiative (scored against those drivers)."""
    data = settings_to_dict(settings_row(uow, ws))
    drivers = active_drivers(uow, ws)
    order = {d.key: i for i, d in enumerate(drivers)}
    if drivers:
        data["drivers"] = [driver_to_dict(d) for d in drivers]
        judgments = [
            judgment_to_dict(j, order)
            for j in judgment_rows(uow, ws)
            if j.a in order and j.b in order
        ]
        if judgments:
            data["judgments"] = sorted(
                judgments, key=lambda j: (j["by"], order[j["a"]], order[j["b"]])
            )
    data["initiatives"] = [spec_to_dict(row_to_spec(r, order)) for r in initiative_rows(uow, ws)]
    return data


def check_version(row: Initiative, version: int | None) -> None:
    """Refuse a write based on a version of the initiative that is no longer current."""
    if version is not None and version != row.version:
        raise StaleVersion(
            row.key, expected=version, current=row.version, changed_by=row.updated_by
        )
