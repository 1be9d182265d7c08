"""Initiatives: proposing, editing, deciding, reviewing and following them through."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalog.domain import (
    ACTION_ROLES,
    ADMIN,
    APPROVER,
    CHANGES_REQUESTED,
    FINAL_STATUSES,
    PROPOSED,
    PROPOSER_ACTIONS,
    PROPOSER_EDITABLE,
    SECURITY,
    STATUSES,
    Actor,
    next_status,
)
from catalog.errors import InvalidTransition, PermissionDenied, StaleVersion, ValidationFailed
from catalog.models import Initiative
from catalog.models import Workspace as WorkspaceRow
from catalog.services._base import (
    audit,
    changed_fields,
    check_workspace,
    find_workspace,
    has_role,
    initiative_row,
    next_position,
    normal_key,
    parse_or_fail,
    portfolio_mapping,
    workspace_for,
    workspace_row,
)
from catalog.services._rows import apply_spec, initiative_view, row_to_spec, spec_to_dict
from catalog.uow import UnitOfWork
from catalog.views import InitiativeView
from planner.portfolio import REVIEW_OUTCOMES, InitiativeSpec

#: Fields the workflow sets; proposals and edits may not.
WORKFLOW_FIELDS = ("status", "proposer", "review", "review_note")
#: Review outcomes that need a note saying what was found or agreed.
NOTE_REQUIRED = ("conditions", "failed")


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
    return [initiative_view(r) for r in uow.session.scalars(query)]


def get_initiative(uow: UnitOfWork, *, team_id: str, key: str) -> InitiativeView:
    """One initiative by key (any case)."""
    return initiative_view(initiative_row(uow, workspace_row(uow, team_id), key))


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
    row = Initiative(workspace_id=ws.id, position=next_position(uow, ws), updated_by=str(actor))
    apply_spec(row, spec)
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
    return initiative_view(row)


def _check_version(row: Initiative, version: int | None) -> None:
    if version is not None and version != row.version:
        raise StaleVersion(
            row.key, expected=version, current=row.version, changed_by=row.updated_by
        )


def _is_proposer(actor: Actor, ws: WorkspaceRow, row: Initiative) -> bool:
    return (
        not actor.is_operator
        and actor.team_id == ws.team_id
        and row.proposer is not None
        and row.proposer == actor.user_id
    )


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
    proposer = _is_proposer(actor, ws, row)
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
    _check_version(row, version)
    _refuse_workflow_fields(changes, what="an edit")
    if "key" in changes and normal_key(str(changes["key"])) != row.key:
        raise ValidationFailed({"key": "the key of an initiative cannot change"})
    before = spec_to_dict(row_to_spec(row))
    item = {**before, **changes, "key": row.key}
    if proposer and row.status == CHANGES_REQUESTED:
        item["status"] = next_status(row.key, row.status, "resubmit")
    spec = _validated(uow, ws, item, replacing=row.key)
    old, new = changed_fields(before, spec_to_dict(spec))
    if not new:
        return initiative_view(row)
    apply_spec(row, spec)
    row.updated_by = str(actor)
    action_name = "initiative.resubmit" if "status" in new else "initiative.edit"
    audit(
        uow, ws, actor, action=action_name, entity="initiative", key=row.key, before=old, after=new
    )
    uow.commit()
    return initiative_view(row)


def _transition(
    uow: UnitOfWork,
    *,
    actor: Actor,
    team_id: str,
    key: str,
    action: str,
    reason: str = "",
    version: int | None = None,
    reason_required: bool = False,
) -> InitiativeView:
    ws = workspace_row(uow, team_id)
    row = initiative_row(uow, ws, key)
    verb = f"{action.replace('_', ' ')} {row.key}"
    check_workspace(actor, ws, verb)
    roles = ACTION_ROLES[action]
    allowed = has_role(uow, ws, actor, roles) or (
        action in PROPOSER_ACTIONS and _is_proposer(actor, ws, row)
    )
    if not allowed:
        if action in PROPOSER_ACTIONS:
            raise PermissionDenied(verb, detail=f"only its proposer or the {' or '.join(roles)}")
        raise PermissionDenied(verb, roles=roles)
    reason = (reason or "").strip()
    if reason_required and not reason:
        raise ValidationFailed({"reason": f"say why ({action.replace('_', ' ')} needs a reason)"})
    _check_version(row, version)
    status = next_status(row.key, row.status, action)
    before = {"status": row.status}
    row.status = status
    row.updated_by = str(actor)
    audit(
        uow,
        ws,
        actor,
        action=f"initiative.{action}",
        entity="initiative",
        key=row.key,
        before=before,
        after={"status": status},
        note=reason,
    )
    uow.commit()
    return initiative_view(row)


def approve(
    uow: UnitOfWork,
    *,
    actor: Actor,
    team_id: str,
    key: str,
    reason: str = "",
    version: int | None = None,
) -> InitiativeView:
    """Approve a proposal (approvers and admins)."""
    return _transition(
        uow,
        actor=actor,
        team_id=team_id,
        key=key,
        action="approve",
        reason=reason,
        version=version,
    )


def reject(
    uow: UnitOfWork,
    *,
    actor: Actor,
    team_id: str,
    key: str,
    reason: str,
    version: int | None = None,
) -> InitiativeView:
    """Reject a proposal, saying why (approvers and admins)."""
    return _transition(
        uow,
        actor=actor,
        team_id=team_id,
        key=key,
        action="reject",
        reason=reason,
        version=version,
        reason_required=True,
    )


def request_changes(
    uow: UnitOfWork,
    *,
    actor: Actor,
    team_id: str,
    key: str,
    reason: str,
    version: int | None = None,
) -> InitiativeView:
    """Send a proposal back to its proposer, saying what to change (approvers and admins)."""
    return _transition(
        uow,
        actor=actor,
        team_id=team_id,
        key=key,
        action="request_changes",
        reason=reason,
        version=version,
        reason_required=True,
    )


def withdraw(
    uow: UnitOfWork,
    *,
    actor: Actor,
    team_id: str,
    key: str,
    reason: str = "",
    version: int | None = None,
) -> InitiativeView:
    """Withdraw an initiative that is not under way yet (its proposer or an admin)."""
    return _transition(
        uow,
        actor=actor,
        team_id=team_id,
        key=key,
        action="withdraw",
        reason=reason,
        version=version,
    )


def advance(
    uow: UnitOfWork,
    *,
    actor: Actor,
    team_id: str,
    key: str,
    action: str,
    reason: str = "",
    version: int | None = None,
) -> InitiativeView:
    """Move an initiative along its delivery: `schedule`, `unschedule`, `start`, `finish`."""
    if action not in ("schedule", "unschedule", "start", "finish"):
        raise ValidationFailed({"action": "expected schedule, unschedule, start or finish"})
    return _transition(
        uow, actor=actor, team_id=team_id, key=key, action=action, reason=reason, version=version
    )


def record_review(
    uow: UnitOfWork,
    *,
    actor: Actor,
    team_id: str,
    key: str,
    outcome: str,
    note: str = "",
    version: int | None = None,
) -> InitiativeView:
    """Record the security review outcome: passed, conditions or failed (security, admin).

    Conditions and failures need a note. A failed review keeps the initiative off the
    roadmap; a passed one (with or without conditions) frees it of the review slot.
    """
    ws = workspace_row(uow, team_id)
    row = initiative_row(uow, ws, key)
    verb = f"record the security review of {row.key}"
    check_workspace(actor, ws, verb)
    if not has_role(uow, ws, actor, (SECURITY, ADMIN)):
        raise PermissionDenied(verb, roles=(SECURITY, ADMIN))
    outcome = (outcome or "").strip().lower()
    note = (note or "").strip()
    problems = {}
    if outcome not in REVIEW_OUTCOMES:
        problems["outcome"] = f"expected one of {', '.join(REVIEW_OUTCOMES)}, got {outcome!r}"
    elif outcome in NOTE_REQUIRED and not note:
        problems["note"] = f"a review with outcome {outcome} needs a note saying why"
    if problems:
        raise ValidationFailed(problems)
    if row.status in FINAL_STATUSES:
        raise InvalidTransition(row.key, status=row.status, action="be reviewed", allowed=())
    _check_version(row, version)
    before = {"review": row.review, "review_note": row.review_note}
    after = {"review": outcome, "review_note": note}
    if before == after:
        return initiative_view(row)
    row.review = outcome
    row.review_note = note
    row.updated_by = str(actor)
    audit(
        uow,
        ws,
        actor,
        action="initiative.review",
        entity="initiative",
        key=row.key,
        before=before,
        after=after,
        note=note,
    )
    uow.commit()
    return initiative_view(row)
