"""Who is acting, in which workspace: the use-case Context of an interactive payload."""

from __future__ import annotations

from typing import Any

from catalog.domain import Actor
from catalog.usecases.context import Context, UowFactory


def team_of(body: dict[str, Any]) -> str:
    """The workspace of a payload (`team.id`, or the user's team in some views)."""
    return (body.get("team") or {}).get("id") or body["user"]["team_id"]


def context_of(body: dict[str, Any], *, uow_factory: UowFactory) -> Context:
    """The use-case Context for the user who sent an interactive payload."""
    team_id = team_of(body)
    actor = Actor.user(team_id=team_id, user_id=body["user"]["id"])
    return Context(actor=actor, team_id=team_id, uow_factory=uow_factory)
