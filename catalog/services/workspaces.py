"""Workspaces and who holds which role in them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalog.domain import ADMIN, MEMBER, ROLES, Actor
from catalog.errors import NotFound, ValidationFailed
from catalog.models import RoleGrant
from catalog.models import Workspace as WorkspaceRow
from catalog.services._access import require_role, roles_of_user
from catalog.services._audit import audit
from catalog.services._lookup import (
    SYSTEM,
    create_workspace,
    lock_workspace,
    workspace_for,
    workspace_row,
)
from catalog.services._rows import grant_view, workspace_view
from catalog.uow import UnitOfWork
from catalog.views import RoleGrantView, WorkspaceView


def ensure_workspace(uow: UnitOfWork, *, team_id: str, name: str | None = None) -> WorkspaceView:
    """The workspace of a Slack team, created with default planning settings if new.

    Default settings: quarters from the next quarter on, 8 phases, no budget or capacity
    limits, no security policy. A new `name` replaces the stored one.
    """
    team_id = team_id.strip()
    if not team_id:
        raise ValidationFailed({"team_id": "a workspace needs a team id"})
    row = uow.session.scalar(select(WorkspaceRow).where(WorkspaceRow.team_id == team_id))
    if row is None:
        try:
            row = create_workspace(uow, team_id=team_id, name=name)
            uow.commit()
        except IntegrityError:  # another process set it up at the same moment
            uow.rollback()
            return workspace_view(workspace_row(uow, team_id))
    elif name and name != row.name:
        audit(
            uow,
            row,
            SYSTEM,
            action="workspace.rename",
            entity="workspace",
            key=team_id,
            before={"name": row.name},
            after={"name": name},
        )
        row.name = name
        uow.commit()
    return workspace_view(row)


def get_workspace(uow: UnitOfWork, *, team_id: str) -> WorkspaceView:
    return workspace_view(workspace_row(uow, team_id))


def roles_of(uow: UnitOfWork, *, team_id: str, user_id: str) -> frozenset[str]:
    """The roles a user holds in a workspace; every user is at least a member."""
    return roles_of_user(uow, workspace_row(uow, team_id), user_id)


def list_roles(uow: UnitOfWork, *, team_id: str) -> list[RoleGrantView]:
    """Every role grant of a workspace, by user then role."""
    ws = workspace_row(uow, team_id)
    query = (
        select(RoleGrant)
        .where(RoleGrant.workspace_id == ws.id)
        .order_by(RoleGrant.user_id, RoleGrant.role)
    )
    return [grant_view(r) for r in uow.session.scalars(query)]


def _check_role_name(role: str) -> str:
    role = role.strip().lower()
    if role not in ROLES:
        raise ValidationFailed({"role": f"expected one of {', '.join(ROLES)}, got {role!r}"})
    return role


def _check_user(user_id: str) -> str:
    user_id = user_id.strip()
    if not user_id:
        raise ValidationFailed({"user_id": "name a user"})
    return user_id


def grant_role(
    uow: UnitOfWork, *, actor: Actor, team_id: str, user_id: str, role: str
) -> RoleGrantView:
    """Give a user a role (admins only; the operator grants a workspace's first admin).

    Granting a role the user already holds changes nothing. Role changes of a workspace
    run one at a time (`lock_workspace`): the granter's own role is checked after the lock.
    """
    ws = workspace_for(uow, team_id, actor)
    role = _check_role_name(role)
    user_id = _check_user(user_id)
    lock_workspace(uow, ws)
    require_role(uow, ws, actor, (ADMIN,), f"grant the {role} role")
    existing = uow.session.scalar(
        select(RoleGrant).where(
            RoleGrant.workspace_id == ws.id, RoleGrant.user_id == user_id, RoleGrant.role == role
        )
    )
    if existing is not None:
        return grant_view(existing)
    grant = RoleGrant(workspace_id=ws.id, user_id=user_id, role=role, granted_by=str(actor))
    uow.session.add(grant)
    audit(uow, ws, actor, action="role.grant", entity="role", key=user_id, after={"role": role})
    uow.commit()
    return grant_view(grant)


def revoke_role(uow: UnitOfWork, *, actor: Actor, team_id: str, user_id: str, role: str) -> None:
    """Take a role back (admins only). The last admin of a workspace stays.

    Role changes of a workspace run one at a time (`lock_workspace`), and the revoker's
    role and the count of admins are read after the lock: of two admins revoking each
    other at the same moment, the second finds it is no longer an admin and is refused.
    """
    ws = workspace_row(uow, team_id)
    role = _check_role_name(role)
    user_id = _check_user(user_id)
    lock_workspace(uow, ws)
    require_role(uow, ws, actor, (ADMIN,), f"revoke the {role} role")
    grant = uow.session.scalar(
        select(RoleGrant).where(
            RoleGrant.workspace_id == ws.id, RoleGrant.user_id == user_id, RoleGrant.role == role
        )
    )
    if grant is None:
        if role == MEMBER:
            raise ValidationFailed({"role": "every user of the workspace is a member"})
        raise NotFound("role grant", f"{role} for {user_id}")
    if role == ADMIN:
        admins = uow.session.scalars(
            select(RoleGrant.user_id).where(
                RoleGrant.workspace_id == ws.id, RoleGrant.role == ADMIN
            )
        ).all()
        if len(admins) == 1:
            raise ValidationFailed(
                {"role": f"{user_id} is the last admin of the workspace; grant another admin first"}
            )
    uow.session.delete(grant)
    audit(uow, ws, actor, action="role.revoke", entity="role", key=user_id, before={"role": role})
    uow.commit()
