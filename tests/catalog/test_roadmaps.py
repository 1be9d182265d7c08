"""Stored roadmaps: saving, reading back, publishing the baseline."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from catalog import services
from catalog.errors import NotFound, PermissionDenied, ValidationFailed
from catalog.models import RoadmapRecord
from catalog.services import roadmaps as roadmap_service
from planner.problem import build_problem
from planner.roadmap import assemble
from planner.validate import check_starts
from tests.catalog.conftest import count_rows


def solved(uow, team, starts=None, status="optimal"):
    with uow() as u:
        portfolio = services.workspace_portfolio(u, team_id=team.id)
    problem = build_problem(portfolio)
    starts = {"SSO": 0, "BLOG": 2} if starts is None else starts
    if status in ("optimal", "feasible"):
        assert check_starts(problem, starts) == []
    return portfolio, assemble(problem, starts, status=status, solver="test", seconds=0.25)


def save(uow, team, roadmap, actor=None, **kw):
    with uow() as u:
        return services.save_roadmap(
            u, actor=actor or team.approver, team_id=team.id, roadmap=roadmap, **kw
        )


def test_a_saved_roadmap_reads_back_equal(uow, team):
    portfolio, roadmap = solved(uow, team)
    saved = save(uow, team, roadmap, portfolio=portfolio)
    assert saved.roadmap == roadmap
    assert saved.portfolio == portfolio
    assert (saved.status, saved.objective, saved.kind) == ("optimal", roadmap.objective, "latest")
    assert not saved.published
    with uow() as u:
        latest = services.latest_roadmap(u, team_id=team.id)
        again = services.get_roadmap(u, team_id=team.id, roadmap_id=saved.id)
    assert latest == saved == again


def test_latest_is_per_kind_and_none_at_first(uow, team):
    with uow() as u:
        assert services.latest_roadmap(u, team_id=team.id) is None
        assert services.published_roadmap(u, team_id=team.id) is None
    _, first = solved(uow, team)
    _, whatif = solved(uow, team, starts={"SSO": 0}, status="feasible")
    save(uow, team, first)
    save(uow, team, whatif, kind="whatif")
    with uow() as u:
        assert services.latest_roadmap(u, team_id=team.id).roadmap == first
        assert services.latest_roadmap(u, team_id=team.id, kind="whatif").roadmap == whatif


def test_any_member_may_save_but_not_a_stranger_or_an_unknown_kind(uow, team):
    _, roadmap = solved(uow, team)
    assert save(uow, team, roadmap, actor=team.member).created_by == "U-MEMBER"
    with pytest.raises(ValidationFailed, match="latest, whatif"):
        save(uow, team, roadmap, kind="draft")


def test_old_unpublished_roadmaps_are_dropped(uow, team, monkeypatch):
    monkeypatch.setattr(roadmap_service, "KEEP", 2)
    _, roadmap = solved(uow, team)
    first = save(uow, team, roadmap)
    with uow() as u:
        services.publish_roadmap(u, actor=team.approver, team_id=team.id, roadmap_id=first.id)
    ids = [save(uow, team, roadmap).id for _ in range(4)]
    with uow() as u:
        kept = sorted(u.session.scalars(select(RoadmapRecord.id)))
    assert kept == sorted([first.id, *ids[-2:]])


@pytest.mark.parametrize("who", ["approver", "admin"])
def test_publishing_makes_the_baseline_and_schedules_its_initiatives(uow, team, who):
    _, roadmap = solved(uow, team)
    saved = save(uow, team, roadmap)
    with uow() as u:
        published = services.publish_roadmap(u, actor=getattr(team, who), team_id=team.id)
    assert published.id == saved.id
    assert published.published and published.published_at is not None
    assert published.published_by == getattr(team, who).user_id
    with uow() as u:
        assert services.published_roadmap(u, team_id=team.id) == published
        statuses = {v.key: v.status for v in services.list_initiatives(u, team_id=team.id)}
        trail = services.audit_trail(u, actor=team.admin, team_id=team.id, limit=3)
    assert statuses == {"SSO": "scheduled", "BLOG": "scheduled", "WIKI": "proposed"}
    assert [e.action for e in trail] == [
        "roadmap.publish",
        "initiative.schedule",
        "initiative.schedule",
    ]


def test_a_new_baseline_unschedules_what_it_drops(uow, team):
    _, both = solved(uow, team)
    _, only_sso = solved(uow, team, starts={"SSO": 0})
    save(uow, team, both)
    with uow() as u:
        services.publish_roadmap(u, actor=team.approver, team_id=team.id)
    later = save(uow, team, only_sso)
    with uow() as u:
        services.publish_roadmap(u, actor=team.approver, team_id=team.id, roadmap_id=later.id)
        statuses = {v.key: v.status for v in services.list_initiatives(u, team_id=team.id)}
        assert services.published_roadmap(u, team_id=team.id).id == later.id
    assert statuses["SSO"] == "scheduled"
    assert statuses["BLOG"] == "approved"


@pytest.mark.parametrize("who", ["member", "pmo", "security"])
def test_only_approvers_and_admins_publish(uow, team, who):
    _, roadmap = solved(uow, team)
    save(uow, team, roadmap)
    with pytest.raises(PermissionDenied, match="approver or admin"), uow() as u:
        services.publish_roadmap(u, actor=getattr(team, who), team_id=team.id)


def test_an_infeasible_roadmap_cannot_be_published(uow, team):
    _, roadmap = solved(uow, team, starts={}, status="infeasible")
    saved = save(uow, team, roadmap)
    with pytest.raises(ValidationFailed, match="is infeasible"), uow() as u:
        services.publish_roadmap(u, actor=team.approver, team_id=team.id, roadmap_id=saved.id)


def test_nothing_to_publish(uow, team):
    with pytest.raises(NotFound, match="plan one first"), uow() as u:
        services.publish_roadmap(u, actor=team.approver, team_id=team.id)
    with pytest.raises(NotFound, match="no roadmap 999"), uow() as u:
        services.publish_roadmap(u, actor=team.approver, team_id=team.id, roadmap_id=999)
    assert count_rows(uow, RoadmapRecord) == 0
