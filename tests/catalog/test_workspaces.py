"""Workspaces and roles."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog import services
from catalog.domain import Actor
from catalog.errors import NotFound, PermissionDenied, ValidationFailed
from catalog.services._lookup import default_start
from tests.catalog.conftest import audit_count


def test_ensure_workspace_creates_once_with_default_settings(uow):
    with uow() as u:
        first = services.ensure_workspace(u, team_id="T-NEW", name="Acme")
    with uow() as u:
        again = services.ensure_workspace(u, team_id="T-NEW")
        settings = services.get_settings(u, team_id="T-NEW")
        portfolio = services.workspace_portfolio(u, team_id="T-NEW")
    assert first == again
    assert first.name == "Acme"
    assert first.created_at.tzinfo is not None
    assert settings.calendar.phases == 8
    assert settings.calendar.phase == "quarter"
    assert settings.calendar.start.day == 1 and settings.calendar.start.month in (1, 4, 7, 10)
    assert settings.budget.per_phase is None
    assert portfolio.initiatives == ()


def test_ensure_workspace_renames(uow):
    with uow() as u:
        services.ensure_workspace(u, team_id="T-NEW", name="Old")
    with uow() as u:
        assert services.ensure_workspace(u, team_id="T-NEW", name="New").name == "New"
    with uow() as u:
        assert services.get_workspace(u, team_id="T-NEW").name == "New"


def test_ensure_workspace_needs_a_team_id(uow):
    with pytest.raises(ValidationFailed) as info, uow() as u:
        services.ensure_workspace(u, team_id="  ")
    assert "team_id" in info.value.fields


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (dt.date(2026, 11, 22), dt.date(2027, 1, 1)),
        (dt.date(2027, 1, 1), dt.date(2027, 4, 1)),
        (dt.date(2027, 6, 30), dt.date(2027, 7, 1)),
        (dt.date(2027, 9, 1), dt.date(2027, 10, 1)),
    ],
)
def test_default_calendar_starts_next_quarter(today, start):
    assert default_start(today) == start


def test_unknown_workspace_is_not_found_but_lists_nothing(uow):
    with uow() as u:
        assert services.list_initiatives(u, team_id="T-NONE") == []
        with pytest.raises(NotFound, match="no workspace T-NONE"):
            services.get_workspace(u, team_id="T-NONE")
        with pytest.raises(NotFound):
            services.workspace_portfolio(u, team_id="T-NONE")


def test_a_user_cannot_write_to_a_workspace_that_does_not_exist(uow):
    with pytest.raises(NotFound), uow() as u:
        services.propose(
            u,
            actor=Actor.user(team_id="T-NONE", user_id="U1"),
            team_id="T-NONE",
            fields={"title": "x", "duration": 1, "value": 1},
        )


def test_the_operator_grants_the_first_admin_and_sets_up_the_workspace(uow):
    with uow() as u:
        grant = services.grant_role(
            u, actor=Actor.operator(), team_id="T-FRESH", user_id="U-BOSS", role="admin"
        )
    assert (grant.user_id, grant.role, grant.granted_by) == ("U-BOSS", "admin", "operator")
    with uow() as u:
        assert services.roles_of(u, team_id="T-FRESH", user_id="U-BOSS") == {"admin", "member"}
        assert services.get_workspace(u, team_id="T-FRESH").team_id == "T-FRESH"


def test_admin_grants_and_revokes(uow, team):
    with uow() as u:
        services.grant_role(
            u, actor=team.admin, team_id=team.id, user_id="U-MEMBER", role="Approver"
        )
    with uow() as u:
        assert services.roles_of(u, team_id=team.id, user_id="U-MEMBER") == {
            "approver",
            "member",
        }
        trail = services.audit_trail(u, actor=team.admin, team_id=team.id, key="U-MEMBER")
    assert trail[0].action == "role.grant"
    assert trail[0].actor == "U-ADMIN"
    assert trail[0].after == {"role": "approver"}
    with uow() as u:
        services.revoke_role(
            u, actor=team.admin, team_id=team.id, user_id="U-MEMBER", role="approver"
        )
    with uow() as u:
        assert services.roles_of(u, team_id=team.id, user_id="U-MEMBER") == {"member"}


def test_granting_a_held_role_changes_nothing(uow, team):
    before = audit_count(uow)
    with uow() as u:
        services.grant_role(u, actor=team.admin, team_id=team.id, user_id="U-PMO", role="pmo")
    assert audit_count(uow) == before


@pytest.mark.parametrize("who", ["approver", "security", "pmo", "member"])
def test_only_admins_grant_or_revoke(uow, team, who):
    actor = getattr(team, who)
    before = audit_count(uow)
    with pytest.raises(PermissionDenied, match="needs the admin role"), uow() as u:
        services.grant_role(u, actor=actor, team_id=team.id, user_id=actor.user_id, role="admin")
    with pytest.raises(PermissionDenied, match="needs the admin role"), uow() as u:
        services.revoke_role(u, actor=actor, team_id=team.id, user_id="U-PMO", role="pmo")
    assert audit_count(uow) == before


def test_an_admin_of_another_workspace_cannot_grant(uow, team):
    outsider = Actor.user(team_id="T-ELSE", user_id="U-ADMIN")
    with pytest.raises(PermissionDenied, match="another workspace"), uow() as u:
        services.grant_role(u, actor=outsider, team_id=team.id, user_id="U-X", role="admin")


def test_unknown_role_and_missing_user_are_refused(uow, team):
    with pytest.raises(ValidationFailed) as info, uow() as u:
        services.grant_role(u, actor=team.admin, team_id=team.id, user_id="U1", role="king")
    assert "admin, approver, security, pmo, leader, member" in info.value.fields["role"]
    with pytest.raises(ValidationFailed) as info, uow() as u:
        services.grant_role(u, actor=team.admin, team_id=team.id, user_id=" ", role="pmo")
    assert "user_id" in info.value.fields


def test_revoking_what_is_not_held(uow, team):
    with pytest.raises(NotFound, match="pmo for U-MEMBER"), uow() as u:
        services.revoke_role(u, actor=team.admin, team_id=team.id, user_id="U-MEMBER", role="pmo")
    with pytest.raises(ValidationFailed, match="every user"), uow() as u:
        services.revoke_role(
            u, actor=team.admin, team_id=team.id, user_id="U-MEMBER", role="member"
        )


def test_the_last_admin_stays(uow, team):
    with pytest.raises(ValidationFailed, match="last admin"), uow() as u:
        services.revoke_role(u, actor=team.admin, team_id=team.id, user_id="U-ADMIN", role="admin")
    with uow() as u:
        services.grant_role(u, actor=team.admin, team_id=team.id, user_id="U-TWO", role="admin")
        services.revoke_role(u, actor=team.admin, team_id=team.id, user_id="U-ADMIN", role="admin")
    with uow() as u:
        assert [(g.user_id, g.role) for g in services.list_roles(u, team_id=team.id)] == [
            ("U-APPROVER", "approver"),
            ("U-PMO", "pmo"),
            ("U-SECURITY", "security"),
            ("U-TWO", "admin"),
        ]
