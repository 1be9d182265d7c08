"""Use cases on business drivers: the list with its weights, the manage form (admins),
the pairwise judgment form (leaders, approvers, admins) and the priority list."""

from __future__ import annotations

from catalog import services
from catalog.domain import DRIVER_ROLES, WEIGH_ROLES
from catalog.errors import PermissionDenied, ValidationFailed
from catalog.usecases import commands as c
from catalog.usecases import results as r
from catalog.usecases.context import Context
from catalog.usecases.initiatives import actor_roles
from planner.drivers import pairs


def drivers(cmd: c.Drivers, ctx: Context) -> r.DriverList:
    """The drivers, the group's weights, each person's consistency and who has not
    answered; and whether the viewer may manage or weigh them."""
    with ctx.uow() as uow:
        if not ctx.actor.is_operator:
            services.ensure_workspace(uow, team_id=ctx.team_id)
        view = services.drivers_overview(uow, team_id=ctx.team_id)
    roles = actor_roles(ctx)
    return r.DriverList(
        view,
        can_manage=bool(roles & set(DRIVER_ROLES)),
        can_weigh=bool(roles & set(WEIGH_ROLES)),
        viewer=ctx.actor.user_id,
    )


def edit_drivers(cmd: c.EditDrivers, ctx: Context) -> r.DriversForm:
    """The manage-drivers form (admins; the catalog checks again when it is saved)."""
    if not actor_roles(ctx) & set(DRIVER_ROLES):
        raise PermissionDenied("manage the business drivers", roles=DRIVER_ROLES)
    with ctx.uow() as uow:
        if not ctx.actor.is_operator:
            services.ensure_workspace(uow, team_id=ctx.team_id)
        view = services.drivers_overview(uow, team_id=ctx.team_id)
    return r.DriversForm(view)


def submit_drivers(cmd: c.SubmitDrivers, ctx: Context) -> r.DriversSaved:
    """Save a filled manage-drivers form. Raises ValidationFailed naming the changes
    (`drivers[1].name`), PermissionDenied for anyone but an admin."""
    with ctx.uow() as uow:
        view = services.save_drivers(
            uow, actor=ctx.actor, team_id=ctx.team_id, changes=list(cmd.changes)
        )
    return r.DriversSaved(view)


def weigh(cmd: c.Weigh, ctx: Context) -> r.WeighForm:
    """The judgment form with the asker's current answers: every pair, or `cmd.pair`
    only (given either way round). Leaders, approvers and admins."""
    if not actor_roles(ctx) & set(WEIGH_ROLES):
        raise PermissionDenied("weigh the business drivers", roles=WEIGH_ROLES)
    with ctx.uow() as uow:
        view = services.drivers_overview(uow, team_id=ctx.team_id)
        mine = services.my_judgments(uow, actor=ctx.actor, team_id=ctx.team_id)
    keys = view.keys
    if len(keys) < 2:
        raise ValidationFailed(
            {
                "__all__": "there are fewer than two business drivers to compare; an admin adds "
                "them first (`drivers`)"
            }
        )
    asked = pairs(keys)
    revising = None
    if cmd.pair is not None:
        a, b = cmd.pair
        known = ", ".join(keys)
        for key in (a, b):
            if key not in keys:
                raise ValidationFailed({"pair": f"{key!r} is not a driver (drivers: {known})"})
        if a == b:
            raise ValidationFailed({"pair": "name two different drivers"})
        revising = (a, b) if (a, b) in asked else (b, a)
        asked = (revising,)
    return r.WeighForm(drivers=view.drivers, pairs=asked, answers=mine, revising=revising)


def submit_judgments(cmd: c.SubmitJudgments, ctx: Context) -> r.JudgmentsSaved:
    """Save a filled judgment form: the asker's answers, revising earlier ones. Raises
    ValidationFailed by pair (`services.pair_field`), PermissionDenied for a member."""
    answers: dict[tuple[str, str], str] = {}
    duplicated: dict[str, str] = {}
    for a, b, ratio in cmd.answers:
        if (a, b) in answers or (b, a) in answers:
            duplicated[services.pair_field(a, b)] = f"{a} vs {b} is answered twice; answer once"
        answers[(a, b)] = ratio
    if duplicated:
        raise ValidationFailed(duplicated)
    with ctx.uow() as uow:
        person = services.record_judgments(
            uow, actor=ctx.actor, team_id=ctx.team_id, answers=answers
        )
        group = services.drivers_overview(uow, team_id=ctx.team_id).weights
    return r.JudgmentsSaved(person=person, group=group)


def priorities(cmd: c.Priorities, ctx: Context) -> r.PriorityList:
    """Approved and proposed initiatives by strategic score, with each driver's part."""
    with ctx.uow() as uow:
        if not ctx.actor.is_operator:
            services.ensure_workspace(uow, team_id=ctx.team_id)
        view = services.priorities(uow, team_id=ctx.team_id)
    return r.PriorityList(view)
