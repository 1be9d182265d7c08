"""Initiatives: reading, proposing and editing them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalog.domain import (
    ADMIN,
    APPROVER,
    CHANGES_REQUESTED,
    PROPOSED,
    PROPOSER_EDITABLE,
    STATUSES,
    Actor,
    next_status,
)
from catalog.errors import PermissionDenied, ValidationFailed
from catalog.models import Initiative
from catalog.models import Workspace as WorkspaceRow
from catalog.services._access import check_workspace, has_role, is_proposer
from catalog.services._audit import audit, changed_fields
from catalog.services._lookup import (
    check_version,
    driver_keys,
    find_workspace,
    initiative_row,
    next_position,
    normal_key,
    portfolio_mapping,
    workspace_for,
    workspace_row,
)
from catalog.services._problems import parse_or_fail
from catalog.services._rows import apply_spec, initiative_view, row_to_spec, spec_to_dict
from catalog.uow import UnitOfWork
from catalog.views import InitiativeView
from planner.portfolio import InitiativeSpec

#: Fields the workflow sets; proposals and edits may not.
WORKFLOW_FIELDS = ("status", "proposer", "review", "review_note")


# --------------------------------------------------------------------------- reading


def list_initiatives(
    uow: UnitOfWork, *, team_id: str, status: str | Iterable[str] | None = None
) -> list[InitiativeView]:
    """The workspace's initiatives in portfolio order, optionally of some statuses only.

    A workspace that was never set up has none.
    """
    ws = find_workspace(uow, team_id)
    if ws is None:
        return []
    wanted = None
    if status is not None:
        wanted = {status} if isinstance(status, str) else set(status)
        unknown = sorted(wanted - set(STATUSES))
        if unknown:
            raise ValidationFailed(
                {"status": f"unknown status {', '.join(unknown)} (known: {', '.join(STATUSES)})"}
            )
    query = select(Initiative).where(Initiative.workspace_id == ws.id)
    if wanted is not None:
        query = query.where(Initiative.status.in_(sorted(wanted)))
    query = query.order_by(Initiative.position, Initiative.id)
    drivers = driver_keys(uow, ws)
    return [initiative_view(r, drivers) for r in uow.session.scalars(query)]


def get_initiative(uow: UnitOfWork, *, team_id: str, key: str) -> InitiativeView:
    """One initiative by key (any case)."""
    ws = workspace_row(uow, team_id)
    return initiative_view(initiative_row(uow, ws, key), driver_keys(uow, ws))


# --------------------------------------------------------------------------- writing


def _validated(
    uow: UnitOfWork, ws: WorkspaceRow, item: dict[str, Any], *, replacing: str | None
) -> InitiativeSpec:
    """The initiative as the portfolio rules read it, checked against the whole workspace."""
    data = portfolio_mapping(uow, ws)
    items = data["initiatives"]
    if replacing is None:
        index = len(items)
        items.append(item)
    else:
        index = next(i for i, d in enumerate(items) if d["key"] == replacing)
        items[index] = item
    subjects = [f"#{index + 1}"]
    if isinstance(item.get("key"), str):
        subjects.append(normal_key(item["key"]))
    portfolio = parse_or_fail(data, subjects=subjects)
    return portfolio.initiatives[index]


def _refuse_workflow_fields(fields: Mapping[str, Any], *, what: str) -> None:
    bad = {
        name: f"is set by the workflow, not by {what}" for name in WORKFLOW_FIELDS if name in fields
    }
    if bad:
        raise ValidationFailed(bad)


def _prefix(category: Any) -> str:
    letters = re.sub(r"[^A-Z0-9]", "", str(category or "").upper())
    return letters[:3] or "INI"


def _next_key(uow: UnitOfWork, ws: WorkspaceRow, category: Any) -> str:
    """`SOC-7` style: the category's first letters and the next free number."""
    prefix = _prefix(category)
    taken = uow.session.scalars(
        select(Initiative.key).where(
            Initiative.workspace_id == ws.id, Initiative.key.like(f"{prefix}-%")
        )
    )
    numbers = [int(m[1]) for k in taken if (m := re.fullmatch(rf"{prefix}-(\d+)", k))]
    return f"{prefix}-{max(numbers, default=0) + 1}"


def propose(
    uow: UnitOfWork, *, actor: Actor, team_id: str, fields: Mapping[str, Any]
) -> InitiativeView:
    """Propose an initiative; any member may. `fields` are portfolio-file fields.

    Without a `key` one is made from the category (`SOC-7`). The proposal is checked with
    the same rules as a portfolio file, against the rest of the workspace.
    """
    ws = workspace_for(uow, team_id, actor)
    check_workspace(actor, ws, "propose an initiative")
    _refuse_workflow_fields(fields, what="a proposal")
    item = dict(fields)
    if item.get("key") in (None, ""):
        item["key"] = _next_key(uow, ws, item.get("category"))
    item["status"] = PROPOSED
    item["proposer"] = actor.user_id
    spec = _validated(uow, ws, item, replacing=None)
    drivers = driver_keys(uow, ws)
    row = Initiative(workspace_id=ws.id, position=next_position(uow, ws), updated_by=str(actor))
    apply_spec(row, spec, drivers)
    uow.session.add(row)
    audit(
        uow,
        ws,
        actor,
        action="initiative.propose",
        entity="initiative",
        key=spec.key,
        after=spec_to_dict(spec),
    )
    try:
        uow.commit()
    except IntegrityError as exc:  # a concurrent proposal took the same key first
        uow.rollback()
        raise ValidationFailed(
            {"key": f"{spec.key} was taken by another proposal a moment ago; submit again"}
        ) from exc
    return initiative_view(row, drivers)


def edit(
    uow: UnitOfWork,
    *,
    actor: Actor,
    team_id: str,
    key: str,
    version: int,
    changes: Mapping[str, Any],
) -> InitiativeView:
    """Change an initiative's fields.

    The proposer may edit while it is proposed or has changes requested (an edit then
    resubmits it); approvers and admins may edit at any time. `version` is the version
    the caller read; if it has moved on the edit is refused with StaleVersion.
    """
    ws = workspace_row(uow, team_id)
    row = initiative_row(uow, ws, key)
    action = f"edit {row.key}"
    check_workspace(actor, ws, action)
    proposer = is_proposer(actor, ws, row)
    if not has_role(uow, ws, actor, (APPROVER, ADMIN)):
        if not proposer:
            raise PermissionDenied(
                action, detail="only its proposer, an approver or an admin may edit it"
            )
        if row.status not in PROPOSER_EDITABLE:
            raise PermissionDenied(
                action,
                detail=f"it is {row.status.replace('_', ' ')}; now only an approver or an "
                "admin may edit it",
            )
    check_version(row, version)
    _refuse_workflow_fields(changes, what="an edit")
    if "key" in changes and normal_key(str(changes["key"])) != row.key:
        raise ValidationFailed({"key": "the key of an initiative cannot change"})
    drivers = driver_keys(uow, ws)
    before = spec_to_dict(row_to_spec(row, drivers))
    item = {**before, **changes, "key": row.key}
    if proposer and row.status == CHANGES_REQUESTED:
        item["status"] = next_status(row.key, row.status, "resubmit")
    spec = _validated(uow, ws, item, replacing=row.key)
    old, new = changed_fields(before, spec_to_dict(spec))
    if not new:
        return initiative_view(row, drivers)
    apply_spec(row, spec, drivers)
    row.updated_by = str(actor)
    action_name = "initiative.resubmit" if "status" in new else "initiative.edit"
    audit(
        uow, ws, actor, action=action_name, entity="initiative", key=row.key, before=old, after=new
    )
    uow.commit()
    return initiative_view(row, drivers)
