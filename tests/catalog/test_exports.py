"""Which roadmap an export gets, and who may take one out."""

from __future__ import annotations

import pytest

from catalog import services
from catalog.errors import NotFound, PermissionDenied, ValidationFailed
from planner.problem import build_problem
from planner.roadmap import assemble


def store(uow, team, starts, *, portfolio=True, publish=False):
    with uow() as u:
        current = services.workspace_portfolio(u, team_id=team.id)
    roadmap = assemble(build_problem(current), starts, status="optimal", solver="t", seconds=0)
    with uow() as u:
        saved = services.save_roadmap(
            u,
            actor=team.approver,
            team_id=team.id,
            roadmap=roadmap,
            portfolio=current if portfolio else None,
        )
    if publish:
        with uow() as u:
            services.publish_roadmap(u, actor=team.approver, team_id=team.id, roadmap_id=saved.id)
    return saved


def export_view(uow, team, actor, **kw):
    with uow() as u:
        return services.roadmap_for_export(u, actor=actor, team_id=team.id, **kw)


@pytest.mark.parametrize("role", ["pmo", "approver", "admin"])
def test_pmo_approvers_and_admins_may_export(uow, team, role):
    saved = store(uow, team, {"SSO": 0})
    view = export_view(uow, team, getattr(team, role))
    assert view.id == saved.id and view.portfolio is not None


@pytest.mark.parametrize("role", ["member", "security"])
def test_others_are_refused_with_the_roles_named(uow, team, role):
    store(uow, team, {"SSO": 0})
    with pytest.raises(PermissionDenied) as refused:
        export_view(uow, team, getattr(team, role))
    assert set(refused.value.roles) == {"pmo", "approver", "admin"}
    assert "export a roadmap" in str(refused.value)


def test_default_is_the_published_roadmap_else_the_latest(uow, team):
    first = store(uow, team, {"SSO": 0})
    assert export_view(uow, team, team.pmo).id == first.id
    published = store(uow, team, {"SSO": 0, "BLOG": 2}, publish=True)
    newer = store(uow, team, {"SSO": 2})
    assert export_view(uow, team, team.pmo).id == published.id
    assert export_view(uow, team, team.pmo, which="published").id == published.id
    assert export_view(uow, team, team.pmo, which="latest").id == newer.id
    assert export_view(uow, team, team.pmo, roadmap_id=first.id).id == first.id


def test_nothing_planned_yet_is_not_found(uow, team):
    with pytest.raises(NotFound, match="plan one first"):
        export_view(uow, team, team.pmo)
    store(uow, team, {"SSO": 0})
    with pytest.raises(NotFound, match="published roadmap"):
        export_view(uow, team, team.pmo, which="published")
    with pytest.raises(ValidationFailed):
        export_view(uow, team, team.pmo, which="oldest")


def test_a_roadmap_stored_without_its_portfolio_gets_the_workspace_one(uow, team):
    store(uow, team, {"SSO": 0}, portfolio=False)
    view = export_view(uow, team, team.admin)
    with uow() as u:
        assert view.portfolio == services.workspace_portfolio(u, team_id=team.id)


def test_another_workspace_cannot_export(uow, team):
    from tests.catalog.conftest import make_team

    store(uow, team, {"SSO": 0})
    stranger = make_team(uow, "T-TWO").pmo
    with pytest.raises(PermissionDenied):
        export_view(uow, team, stranger)
