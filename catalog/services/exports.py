"""Exports: who may take a roadmap out of Townhall, and which roadmap they get."""

from __future__ import annotations

from dataclasses import replace

from catalog.domain import ADMIN, APPROVER, PMO, Actor
from catalog.errors import NotFound, ValidationFailed
from catalog.services._access import require_role
from catalog.services._lookup import workspace_row
from catalog.services.portfolios import workspace_portfolio
from catalog.services.roadmaps import get_roadmap, latest_roadmap, published_roadmap
from catalog.uow import UnitOfWork
from catalog.views import RoadmapView

#: Roles that may export a roadmap (files leave Slack: the PMO and the deciders).
EXPORT_ROLES = (PMO, APPROVER, ADMIN)
#: Which roadmap to export: the published one, the latest plan, or the published one
#: falling back to the latest.
WHICH = ("published", "latest", "default")


def roadmap_for_export(
    uow: UnitOfWork,
    *,
    actor: Actor,
    team_id: str,
    which: str = "default",
    roadmap_id: int | None = None,
) -> RoadmapView:
    """The roadmap to export (PMO, approvers and admins only), with its portfolio.

    `roadmap_id` names a stored roadmap; otherwise `which` picks one (see WHICH).
    A roadmap stored without the portfolio it was planned from gets the workspace's
    current one. NotFound when there is no such roadmap (nothing planned yet).
    """
    ws = workspace_row(uow, team_id)
    require_role(uow, ws, actor, EXPORT_ROLES, "export a roadmap")
    if roadmap_id is not None:
        view = get_roadmap(uow, team_id=team_id, roadmap_id=roadmap_id)
    elif which not in WHICH:
        raise ValidationFailed({"which": f"expected one of {', '.join(WHICH)}, got {which!r}"})
    else:
        view = None
        if which in ("published", "default"):
            view = published_roadmap(uow, team_id=team_id)
        if view is None and which in ("latest", "default"):
            view = latest_roadmap(uow, team_id=team_id)
        if view is None:
            what = "published roadmap" if which == "published" else "roadmap"
            raise NotFound(what, "yet (plan one first)")
    if view.portfolio is None:
        view = replace(view, portfolio=workspace_portfolio(uow, team_id=team_id))
    return view
