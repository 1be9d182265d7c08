"""Use cases on initiatives: list, show, the propose / edit form and its submission,
decisions, security reviews, pins."""

from __future__ import annotations

from catalog import services
from catalog.domain import ADMIN, APPROVER, PMO, SECURITY
from catalog.errors import NotFound
from catalog.usecases import commands as c
from catalog.usecases import results as r
from catalog.usecases.context import Context
from catalog.views import InitiativeView
from planner.calendar import Phase, phases_of
from planner.periods import resolve_period

#: Decisions that notify the proposer, by lifecycle action.
NOTIFYING = ("approve", "reject", "request_changes")
_DECIDE = {
    "approve": services.approve,
    "reject": services.reject,
    "request_changes": services.request_changes,
    "withdraw": services.withdraw,
}


def actor_roles(ctx: Context) -> frozenset[str]:
    """The acting user's roles in the workspace (the operator holds them all)."""
    if ctx.actor.is_operator:
        return frozenset({ADMIN, APPROVER, PMO, SECURITY})
    with ctx.uow() as uow:
        return services.roles_of(uow, team_id=ctx.team_id, user_id=ctx.actor.user_id)


def workspace_phases(ctx: Context) -> tuple[Phase, ...]:
    """The phases of the workspace's plan; none before it is set up."""
    with ctx.uow() as uow:
        try:
            settings = services.get_settings(uow, team_id=ctx.team_id)
        except NotFound:
            return ()
    return tuple(phases_of(settings.calendar))


def buttons_for(view: InitiativeView, *, roles: frozenset[str], user_id: str) -> tuple[str, ...]:
    """The initiative buttons a viewer may use now (the catalog still checks each click)."""
    names: list[str] = []
    deciding = bool(roles & {APPROVER, ADMIN})
    if deciding:
        names += [a for a in NOTIFYING if a in view.next_actions]
    own = view.proposer == user_id
    if (own or deciding) and view.status in ("proposed", "changes_requested"):
        names.append("edit")
    if (own or ADMIN in roles) and "withdraw" in view.next_actions:
        names.append("withdraw")
    return tuple(names)


def list_initiatives(cmd: c.ListInitiatives, ctx: Context) -> r.InitiativeList:
    with ctx.uow() as uow:
        views = services.list_initiatives(uow, team_id=ctx.team_id, status=cmd.status)
    return r.InitiativeList(tuple(views), cmd.status)


def show(cmd: c.Show, ctx: Context) -> r.InitiativeDetail:
    with ctx.uow() as uow:
        view = services.get_initiative(uow, team_id=ctx.team_id, key=cmd.key)
        drivers = services.drivers_overview(uow, team_id=ctx.team_id).drivers
    actions = buttons_for(view, roles=actor_roles(ctx), user_id=ctx.actor.user_id)
    labels = tuple(p.label for p in workspace_phases(ctx))
    return r.InitiativeDetail(view, actions, labels, drivers=drivers)


def _form(
    ctx: Context, *, view: InitiativeView | None, prefill: dict[str, str] | None
) -> r.InitiativeForm:
    with ctx.uow() as uow:
        views = services.list_initiatives(uow, team_id=ctx.team_id)
        try:  # a workspace never set up (the operator's first proposal) has no drivers
            drivers = services.drivers_overview(uow, team_id=ctx.team_id).drivers
        except NotFound:
            drivers = ()
    keys = {v.key: v.title for v in views}
    return r.InitiativeForm(
        view=view, prefill=prefill, keys=keys, phases=workspace_phases(ctx), drivers=drivers
    )


def propose(cmd: c.Propose, ctx: Context) -> r.InitiativeForm:
    """The form for a new proposal (any member), with the title and summary given."""
    if not ctx.actor.is_operator:
        with ctx.uow() as uow:  # a Slack workspace exists from its first proposal on
            services.ensure_workspace(uow, team_id=ctx.team_id)
    prefill = {k: v for k, v in (("title", cmd.title), ("summary", cmd.summary)) if v}
    return _form(ctx, view=None, prefill=prefill or None)


def edit(cmd: c.Edit, ctx: Context) -> r.InitiativeForm:
    """The form holding an initiative's current values; its submission edits that
    version (the catalog checks who may edit when it is submitted)."""
    with ctx.uow() as uow:
        view = services.get_initiative(uow, team_id=ctx.team_id, key=cmd.key)
    return _form(ctx, view=view, prefill=None)


def submit_initiative(cmd: c.SubmitInitiative, ctx: Context) -> r.Submitted:
    """Save a filled initiative form: propose (approvers are then asked to decide), or
    edit `cmd.key` at `cmd.version`. Raises ValidationFailed naming the fields."""
    with ctx.uow() as uow:
        if cmd.key is not None:
            changes = {k: v for k, v in cmd.fields.items() if k != "key"}
            view = services.edit(
                uow,
                actor=ctx.actor,
                team_id=ctx.team_id,
                key=cmd.key,
                version=cmd.version,
                changes=changes,
            )
            return r.Submitted(view, created=False)
        services.ensure_workspace(uow, team_id=ctx.team_id)
        view = services.propose(uow, actor=ctx.actor, team_id=ctx.team_id, fields=cmd.fields)
    notify = approvers_of(view, ctx) if view.status == "proposed" else ()
    return r.Submitted(view, created=True, notify=notify)


def approvers_of(view: InitiativeView, ctx: Context) -> tuple[str, ...]:
    """Who is asked to decide on a proposal: the approvers, or the admins when there is
    no approver; never the proposer."""
    with ctx.uow() as uow:
        grants = services.list_roles(uow, team_id=ctx.team_id)
    approvers = sorted({g.user_id for g in grants if g.role == APPROVER})
    if not approvers:
        approvers = sorted({g.user_id for g in grants if g.role == ADMIN})
    return tuple(user for user in approvers if user != view.proposer)


def _decide(action: str, ctx: Context, *, key: str, reason: str, version: int | None) -> r.Decision:
    with ctx.uow() as uow:
        view = _DECIDE[action](
            uow, actor=ctx.actor, team_id=ctx.team_id, key=key, reason=reason, version=version
        )
    by = ctx.actor.user_id
    notify = (
        (view.proposer,) if view.proposer and view.proposer != by and action in NOTIFYING else ()
    )
    return r.Decision(view, action=action, by=by, reason=reason, notify=notify)


def approve(cmd: c.Approve, ctx: Context) -> r.Decision:
    return _decide("approve", ctx, key=cmd.key, reason=cmd.reason, version=cmd.version)


def reject(cmd: c.Reject, ctx: Context) -> r.Decision:
    return _decide("reject", ctx, key=cmd.key, reason=cmd.reason, version=cmd.version)


def request_changes(cmd: c.RequestChanges, ctx: Context) -> r.Decision:
    return _decide("request_changes", ctx, key=cmd.key, reason=cmd.reason, version=cmd.version)


def withdraw(cmd: c.Withdraw, ctx: Context) -> r.Decision:
    return _decide("withdraw", ctx, key=cmd.key, reason="", version=cmd.version)


def review(cmd: c.Review, ctx: Context) -> r.Decision:
    with ctx.uow() as uow:
        view = services.record_review(
            uow,
            actor=ctx.actor,
            team_id=ctx.team_id,
            key=cmd.key,
            outcome=cmd.outcome,
            note=cmd.note,
            version=cmd.version,
        )
    return r.Decision(view, action=cmd.outcome, by=ctx.actor.user_id, reason=cmd.note)


def pin(cmd: c.Pin, ctx: Context) -> r.Pinned:
    phases = workspace_phases(ctx)
    index = resolve_period(cmd.period, phases=phases, today=ctx.day)
    return _set_pin(cmd.key, index, ctx, label=phases[index].label)


def unpin(cmd: c.Unpin, ctx: Context) -> r.Pinned:
    return _set_pin(cmd.key, None, ctx, label=None)


def _set_pin(key: str, index: int | None, ctx: Context, *, label: str | None) -> r.Pinned:
    """Pin through an edit of the initiative's `pin` field (the catalog authorizes it)."""
    with ctx.uow() as uow:
        current = services.get_initiative(uow, team_id=ctx.team_id, key=key)
        view = services.edit(
            uow,
            actor=ctx.actor,
            team_id=ctx.team_id,
            key=current.key,
            version=current.version,
            changes={"pin": index},
        )
    return r.Pinned(view, label)
