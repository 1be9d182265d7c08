"""Authorization: who holds which role, and refusing those who do not."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from catalog.domain import MEMBER, Actor
from catalog.errors import PermissionDenied
from catalog.models import Initiative, RoleGrant
from catalog.models import Workspace as WorkspaceRow
from catalog.uow import UnitOfWork


def roles_of_user(uow: UnitOfWork, ws: WorkspaceRow, user_id: str) -> frozenset[str]:
    query = select(RoleGrant.role).where(
        RoleGrant.workspace_id == ws.id, RoleGrant.user_id == user_id
    )
    return frozenset(uow.session.scalars(query)) | {MEMBER}


def check_workspace(actor: Actor, ws: WorkspaceRow, action: str) -> None:
    """Refuse an actor of another workspace."""
    if not actor.acts_in(ws.team_id):
        raise PermissionDenied(action, detail="you belong to another workspace")


def has_role(uow: UnitOfWork, ws: WorkspaceRow, actor: Actor, roles: Iterable[str]) -> bool:
    if actor.is_operator:
        return True
    if not actor.acts_in(ws.team_id):
        return False
    return bool(roles_of_user(uow, ws, actor.user_id) & set(roles))


def require_role(
    uow: UnitOfWork, ws: WorkspaceRow, actor: Actor, roles: tuple[str, ...], action: str
) -> None:
    check_workspace(actor, ws, action)
    if not has_role(uow, ws, actor, roles):
        raise PermissionDenied(action, roles=roles)


def is_proposer(actor: Actor, ws: WorkspaceRow, row: Initiative) -> bool:
    """Whether the actor is the user who proposed the initiative."""
    return (
        not actor.is_operator
        and actor.team_id == ws.team_id
        and row.proposer is not None
        and row.proposer == actor.user_id
    )
