"""Catalog test helpers: a small portfolio and a workspace with one user per role."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from catalog import services
from catalog.domain import Actor
from catalog.models import AuditEntry, Initiative
from catalog.uow import UnitOfWork

SMALL: dict[str, Any] = {
    "version": 1,
    "name": "Small portfolio",
    "calendar": {"start": "2027-01-01", "phases": 4, "tollgates": [0, 2], "freeze": [3]},
    "budget": {"per_phase": 100000, "total": 350000},
    "capacity": {"integration": 4, "security_reviews": [1, 1, 2, 2]},
    "policy": {"review": ["saas_personal_data"], "forbid": ["saas_restricted"]},
    "initiatives": [
        {
            "key": "SSO",
            "title": "Single sign-on",
            "duration": 2,
            "value": 10000,
            "capex": 80000,
            "opex": 5000,
            "uses": {"integration": 2},
        },
        {
            "key": "BLOG",
            "title": "Internal blogs",
            "cadence": "agile",
            "duration": 1,
            "value": 3000,
            "depends_on": ["SSO"],
        },
        {
            "key": "WIKI",
            "title": "Team wiki",
            "cadence": "agile",
            "duration": 1,
            "value": 2000,
            "excludes": ["BLOG"],
            "status": "proposed",
            "proposer": "U-MEMBER",
        },
    ],
}


def small(**changes: Any) -> dict[str, Any]:
    """A fresh copy of the small portfolio with top-level sections replaced."""
    data = copy.deepcopy(SMALL)
    data.update(copy.deepcopy(changes))
    return data


@dataclass(frozen=True)
class Team:
    """A workspace with the small portfolio and one user per role."""

    id: str
    admin: Actor
    approver: Actor
    security: Actor
    pmo: Actor
    member: Actor
    other: Actor  # a second plain member

    @property
    def operator(self) -> Actor:
        return Actor.operator()


def make_team(uow: Callable[[], UnitOfWork], team_id: str) -> Team:
    def user(name: str) -> Actor:
        return Actor.user(team_id=team_id, user_id=name)

    team = Team(
        id=team_id,
        admin=user("U-ADMIN"),
        approver=user("U-APPROVER"),
        security=user("U-SECURITY"),
        pmo=user("U-PMO"),
        member=user("U-MEMBER"),
        other=user("U-OTHER"),
    )
    with uow() as u:
        services.ensure_workspace(u, team_id=team_id, name=f"Workspace {team_id}")
        services.import_portfolio(u, actor=Actor.operator(), team_id=team_id, portfolio=small())
        for actor, role in (
            (team.admin, "admin"),
            (team.approver, "approver"),
            (team.security, "security"),
            (team.pmo, "pmo"),
        ):
            services.grant_role(
                u, actor=Actor.operator(), team_id=team_id, user_id=actor.user_id, role=role
            )
    return team


@pytest.fixture
def team(uow: Callable[[], UnitOfWork]) -> Team:
    return make_team(uow, "T-ONE")


def count_rows(uow: Callable[[], UnitOfWork], model: type, **where: Any) -> int:
    with uow() as u:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return u.session.scalar(query)


def audit_count(uow: Callable[[], UnitOfWork]) -> int:
    return count_rows(uow, AuditEntry)


def initiative_count(uow: Callable[[], UnitOfWork]) -> int:
    return count_rows(uow, Initiative)
