"""Use cases on the workspace itself: roles, the audit trail, jobs, planning settings,
and a person's dashboard (the App Home)."""

from __future__ import annotations

from catalog import services
from catalog.domain import ADMIN, APPROVER, PMO, SECURITY
from catalog.errors import PermissionDenied
from catalog.usecases import commands as c
from catalog.usecases import results as r
from catalog.usecases.context import Context
from catalog.usecases.initiatives import actor_roles
from planner.problem import needs_review

#: Roles that may open the planning settings (the security officer sees the policy only).
SETTINGS_ROLES = (PMO, ADMIN, SECURITY)


def role(cmd: c.Role, ctx: Context) -> r.RoleList | r.RoleChanged:
    """List who holds which role, or grant / revoke one (admins; the catalog checks)."""
    with ctx.uow() as uow:
        if cmd.action == "list":
            grants = services.list_roles(uow, team_id=ctx.team_id)
            if cmd.user_id:
                grants = [g for g in grants if g.user_id == cmd.user_id]
            return r.RoleList(tuple(grants), cmd.user_id)
        if not cmd.user_id or not cmd.role:
            raise ValueError(f"`role {cmd.action}` needs a user and a role")
        change = services.grant_role if cmd.action == "grant" else services.revoke_role
        change(uow, actor=ctx.actor, team_id=ctx.team_id, user_id=cmd.user_id, role=cmd.role)
    return r.RoleChanged(cmd.user_id, cmd.role, granted=cmd.action == "grant")


def audit(cmd: c.Audit, ctx: Context) -> r.AuditTrail:
    with ctx.uow() as uow:
        entries = services.audit_trail(uow, actor=ctx.actor, team_id=ctx.team_id, key=cmd.key)
    return r.AuditTrail(tuple(entries), cmd.key)


def jobs(cmd: c.Jobs, ctx: Context) -> r.JobList:
    with ctx.uow() as uow:
        views = services.recent_jobs(uow, actor=ctx.actor, team_id=ctx.team_id)
    return r.JobList(tuple(views))


def settings_sections(roles: frozenset[str]) -> tuple[str, ...]:
    """The parts of the settings a viewer with these roles may change."""
    out: list[str] = []
    if roles & {PMO, ADMIN}:
        out += ["name", "calendar", "budget", "capacity", "objective", "blend", "stability"]
    if roles & {SECURITY, ADMIN}:
        out.append("policy")
    return tuple(out)


def settings(cmd: c.Settings, ctx: Context) -> r.SettingsForm:
    """The planning settings form, with the sections the viewer may change."""
    roles = actor_roles(ctx)
    if not roles & set(SETTINGS_ROLES):
        raise PermissionDenied("change the planning settings", roles=SETTINGS_ROLES)
    with ctx.uow() as uow:
        if not ctx.actor.is_operator:
            services.ensure_workspace(uow, team_id=ctx.team_id)
        current = services.get_settings(uow, team_id=ctx.team_id)
    return r.SettingsForm(current, settings_sections(roles))


def submit_settings(cmd: c.SubmitSettings, ctx: Context) -> r.SettingsSaved:
    """Save a filled settings form (each section by the roles that own it). Raises
    ValidationFailed naming the fields, StaleVersion if someone saved first."""
    with ctx.uow() as uow:
        saved = services.update_settings(
            uow, actor=ctx.actor, team_id=ctx.team_id, changes=cmd.changes, version=cmd.version
        )
    return r.SettingsSaved(saved)


def dashboard(ctx: Context) -> r.Dashboard:
    """What waits for the viewer's decision or security review, the published roadmap,
    and the viewer's own proposals."""
    with ctx.uow() as uow:
        roles = services.roles_of(uow, team_id=ctx.team_id, user_id=ctx.actor.user_id)
        views = services.list_initiatives(uow, team_id=ctx.team_id)
        published = services.published_roadmap(uow, team_id=ctx.team_id) if views else None
        portfolio = None
        if SECURITY in roles and views:
            portfolio = services.workspace_portfolio(uow, team_id=ctx.team_id)
    decisions = [v for v in views if v.status == "proposed"] if roles & {APPROVER, ADMIN} else []
    reviews = []
    if portfolio is not None:
        reviews = [
            v
            for v in views
            if v.status in ("proposed", "approved", "scheduled")
            and v.spec.review is None
            and needs_review(v.spec, portfolio)
        ]
    own = [v for v in views if v.proposer == ctx.actor.user_id]
    return r.Dashboard(
        user_id=ctx.actor.user_id,
        pending_decisions=tuple(decisions),
        pending_reviews=tuple(reviews),
        published=published,
        own_proposals=tuple(own),
    )
