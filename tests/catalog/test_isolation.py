"""Two workspaces with the same keys and users never see or touch each other's data."""

from __future__ import annotations

import pytest

from catalog import services
from catalog.domain import Actor
from catalog.errors import NotFound, PermissionDenied
from planner.problem import build_problem
from planner.roadmap import assemble
from tests.catalog.conftest import make_team


@pytest.fixture
def two(uow):
    return make_team(uow, "T-ONE"), make_team(uow, "T-TWO")


def test_same_keys_are_separate_initiatives(uow, two):
    one, two_ = two
    with uow() as u:
        services.edit(
            u, actor=one.admin, team_id=one.id, key="SSO", version=1, changes={"value": 1}
        )
        services.approve(u, actor=one.approver, team_id=one.id, key="WIKI")
    with uow() as u:
        assert services.get_initiative(u, team_id=one.id, key="SSO").spec.value == 1
        assert services.get_initiative(u, team_id=two_.id, key="SSO").spec.value == 10000
        assert services.get_initiative(u, team_id=two_.id, key="WIKI").status == "proposed"
        assert [v.status for v in services.list_initiatives(u, team_id=two_.id)] == [
            "approved",
            "approved",
            "proposed",
        ]


def test_a_proposal_in_one_workspace_stays_there(uow, two):
    one, two_ = two
    with uow() as u:
        view = services.propose(
            u,
            actor=one.member,
            team_id=one.id,
            fields={"title": "Only here", "duration": 1, "value": 1},
        )
    with uow() as u:
        with pytest.raises(NotFound):
            services.get_initiative(u, team_id=two_.id, key=view.key)
        assert len(services.workspace_portfolio(u, team_id=two_.id).initiatives) == 3
        assert len(services.workspace_portfolio(u, team_id=one.id).initiatives) == 4
    # the same key can be proposed in the other workspace, numbered on its own
    with uow() as u:
        other = services.propose(
            u,
            actor=two_.member,
            team_id=two_.id,
            fields={"title": "There", "duration": 1, "value": 1},
        )
    assert other.key == view.key


def test_roles_are_per_workspace(uow, two):
    one, two_ = two
    admin_of_one_acting_in_two = Actor.user(team_id=two_.id, user_id="U-NEW")
    with uow() as u:
        services.grant_role(u, actor=one.admin, team_id=one.id, user_id="U-NEW", role="approver")
    with uow() as u:
        assert services.roles_of(u, team_id=one.id, user_id="U-NEW") == {"approver", "member"}
        assert services.roles_of(u, team_id=two_.id, user_id="U-NEW") == {"member"}
    with pytest.raises(PermissionDenied), uow() as u:
        services.approve(u, actor=admin_of_one_acting_in_two, team_id=two_.id, key="WIKI")


def test_an_actor_cannot_reach_into_another_workspace(uow, two):
    one, two_ = two
    for call in (
        lambda u: services.approve(u, actor=one.approver, team_id=two_.id, key="WIKI"),
        lambda u: services.withdraw(u, actor=one.member, team_id=two_.id, key="WIKI"),
        lambda u: services.edit(
            u, actor=one.admin, team_id=two_.id, key="SSO", version=1, changes={"value": 1}
        ),
        lambda u: services.update_settings(
            u, actor=one.pmo, team_id=two_.id, changes={"budget": None}
        ),
        lambda u: services.audit_trail(u, actor=one.admin, team_id=two_.id),
        lambda u: services.import_portfolio(
            u, actor=one.admin, team_id=two_.id, portfolio={"version": 1}
        ),
    ):
        with pytest.raises(PermissionDenied), uow() as u:
            call(u)


def test_settings_audit_and_roadmaps_are_separate(uow, two):
    one, two_ = two
    with uow() as u:
        services.update_settings(
            u, actor=one.pmo, team_id=one.id, changes={"budget": {"per_phase": 1}}
        )
        portfolio = services.workspace_portfolio(u, team_id=one.id)
        problem = build_problem(portfolio)
        roadmap = assemble(problem, {}, status="optimal", solver="test", seconds=0.0)
        saved = services.save_roadmap(u, actor=one.approver, team_id=one.id, roadmap=roadmap)
    with uow() as u:
        assert services.get_settings(u, team_id=two_.id).budget.per_phase == 100000
        assert services.latest_roadmap(u, team_id=two_.id) is None
        with pytest.raises(NotFound):
            services.get_roadmap(u, team_id=two_.id, roadmap_id=saved.id)
        with pytest.raises(NotFound):
            services.publish_roadmap(u, actor=two_.approver, team_id=two_.id, roadmap_id=saved.id)
        one_trail = services.audit_trail(u, actor=one.admin, team_id=one.id, limit=500)
        two_trail = services.audit_trail(u, actor=two_.admin, team_id=two_.id, limit=500)
    assert {e.id for e in one_trail}.isdisjoint({e.id for e in two_trail})
    assert "settings.update" in {e.action for e in one_trail}
    assert "settings.update" not in {e.action for e in two_trail}
