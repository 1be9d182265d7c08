"""Reading the audit trail (writing it happens inside every other service)."""

from __future__ import annotations

from sqlalchemy import select

from catalog.domain import ADMIN, PMO, Actor
from catalog.errors import ValidationFailed
from catalog.models import AuditEntry
from catalog.services._access import require_role
from catalog.services._lookup import normal_key, workspace_row
from catalog.services._rows import audit_view
from catalog.uow import UnitOfWork
from catalog.views import AuditView


def audit_trail(
    uow: UnitOfWork, *, actor: Actor, team_id: str, key: str | None = None, limit: int = 50
) -> list[AuditView]:
    """The newest audit entries of a workspace, or of one initiative (PMO and admins)."""
    ws = workspace_row(uow, team_id)
    require_role(uow, ws, actor, (PMO, ADMIN), "read the audit trail")
    if limit < 1:
        raise ValidationFailed({"limit": "expected at least 1"})
    query = select(AuditEntry).where(AuditEntry.workspace_id == ws.id)
    if key is not None:
        query = query.where(AuditEntry.entity_key.in_({key.strip(), normal_key(key)}))
    query = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    return [audit_view(r) for r in uow.session.scalars(query)]
