"""Decisions and delivery: approving, rejecting, withdrawing, reviewing, moving along."""

from __future__ import annotations

from catalog.domain import (
    ACTION_ROLES,
    ADMIN,
    FINAL_STATUSES,
    NOTE_REQUIRED,
    PROPOSER_ACTIONS,
    SECURITY,
    Actor,
    next_status,
)
from catalog.errors import InvalidTransition, PermissionDenied, ValidationFailed
from catalog.services._access import check_workspace, has_role, is_proposer
from catalog.services._audit import audit
from catalog.services._lookup import check_version, driver_keys, initiative_row, workspace_row
from catalog.services._rows import initiative_view
from catalog.uow import UnitOfWork
from catalog.views import InitiativeView
from planner.portfolio import REVIEW_OUTCOMES

#: Review outcomes that need a note saying what was found or agreed.


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
        action in PROPOSER_ACTIONS and is_proposer(actor, ws, row)
    )
    if not allowed:
        if action in PROPOSER_ACTIONS:
            raise PermissionDenied(verb, detail=f"only its proposer or the {' or '.join(roles)}")
        raise PermissionDenied(verb, roles=roles)
    reason = (reason or "").strip()
    if reason_required and not reason:
        raise ValidationFailed({"reason": f"say why ({action.replace('_', ' ')} needs a reason)"})
    check_version(row, version)
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
    return initiative_view(row, driver_keys(uow, ws))


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
    check_version(row, version)
    before = {"review": row.review, "review_note": row.review_note}
    after = {"review": outcome, "review_note": note}
    if before == after:
        return initiative_view(row, driver_keys(uow, ws))
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
    return initiative_view(row, driver_keys(uow, ws))
