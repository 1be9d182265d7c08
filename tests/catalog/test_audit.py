"""The audit trail: who, when, what, before and after; readable by the PMO and admins."""

from __future__ import annotations

import pytest

from catalog import services
from catalog.errors import PermissionDenied, ValidationFailed


def test_newest_first_with_a_limit_and_per_key(uow, team):
    with uow() as u:
        services.approve(u, actor=team.approver, team_id=team.id, key="WIKI")
        services.advance(u, actor=team.approver, team_id=team.id, key="WIKI", action="schedule")
    with uow() as u:
        latest = services.audit_trail(u, actor=team.pmo, team_id=team.id, limit=2)
        wiki = services.audit_trail(u, actor=team.pmo, team_id=team.id, key="wiki")
    assert [e.action for e in latest] == ["initiative.schedule", "initiative.approve"]
    assert [e.action for e in wiki] == [
        "initiative.schedule",
        "initiative.approve",
        "initiative.import_create",
    ]
    assert all(e.key == "WIKI" for e in wiki)
    assert latest[0].at >= latest[1].at
    assert latest[0].at.tzinfo is not None
    assert latest[0].actor == "U-APPROVER"


def test_setup_is_audited_too(uow, team):
    with uow() as u:
        actions = [
            e.action for e in services.audit_trail(u, actor=team.admin, team_id=team.id, limit=100)
        ]
    for action in (
        "workspace.create",
        "settings.create",
        "settings.import",
        "initiative.import_create",
        "portfolio.import",
        "role.grant",
    ):
        assert action in actions


@pytest.mark.parametrize("who", ["member", "approver", "security"])
def test_only_pmo_and_admins_read_it(uow, team, who):
    with pytest.raises(PermissionDenied, match="pmo or admin"), uow() as u:
        services.audit_trail(u, actor=getattr(team, who), team_id=team.id)


def test_limit_must_be_positive(uow, team):
    with pytest.raises(ValidationFailed), uow() as u:
        services.audit_trail(u, actor=team.pmo, team_id=team.id, limit=0)
