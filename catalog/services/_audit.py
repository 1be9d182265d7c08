"""Writing audit entries inside the transaction of the change they record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from catalog.domain import Actor
from catalog.models import AuditEntry
from catalog.models import Workspace as WorkspaceRow
from catalog.uow import UnitOfWork


def audit(
    uow: UnitOfWork,
    ws: WorkspaceRow,
    actor: Actor,
    *,
    action: str,
    entity: str,
    key: str | None = None,
    before: Any = None,
    after: Any = None,
    note: str = "",
) -> None:
    """Add an audit entry to the current transaction (it commits or rolls back with it)."""
    uow.session.add(
        AuditEntry(
            workspace_id=ws.id,
            actor=str(actor),
            action=action,
            entity=entity,
            entity_key=key,
            before=before,
            after=after,
            note=note,
        )
    )


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    """The parts of two flat mappings that differ, as (before, after)."""
    names = [k for k in after if before.get(k) != after.get(k)]
    names += [k for k in before if k not in after]
    return {k: before.get(k) for k in names}, {k: after.get(k) for k in names}
