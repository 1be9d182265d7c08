"""The unit of work commits only when told, and audit entries share its fate."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from catalog import services
from catalog.errors import StaleVersion, ValidationFailed
from catalog.models import AuditEntry, Workspace
from catalog.uow import UnitOfWork
from tests.catalog.conftest import audit_count, count_rows


def test_rolls_back_unless_committed(uow):
    with uow() as u:
        u.session.add(Workspace(team_id="T-GONE", name="gone"))
        u.session.flush()
    assert count_rows(uow, Workspace) == 0


def test_rolls_back_on_an_exception(uow):
    with pytest.raises(RuntimeError), uow() as u:
        u.session.add(Workspace(team_id="T-GONE", name="gone"))
        u.session.flush()
        raise RuntimeError("boom")
    assert count_rows(uow, Workspace) == 0


def test_commit_keeps_the_work(uow):
    with uow() as u:
        u.session.add(Workspace(team_id="T-KEPT", name="kept"))
        u.commit()
    assert count_rows(uow, Workspace, team_id="T-KEPT") == 1


def test_session_only_inside_the_block(session_factory):
    unit = UnitOfWork(session_factory)
    with pytest.raises(RuntimeError, match="outside"):
        _ = unit.session


def test_a_failing_write_leaves_no_audit_entry(uow, team, monkeypatch):
    """The audit entry is written in the same transaction as the change it records."""
    before = audit_count(uow)

    def fail_after_flush(self):
        self.session.flush()  # the change and its audit entry reach the database …
        raise RuntimeError("the database went away")  # … and the commit never happens

    monkeypatch.setattr(UnitOfWork, "commit", fail_after_flush)
    with pytest.raises(RuntimeError), uow() as u:
        services.approve(u, actor=team.approver, team_id=team.id, key="WIKI")
    monkeypatch.undo()
    assert audit_count(uow) == before
    with uow() as u:
        assert services.get_initiative(u, team_id=team.id, key="WIKI").status == "proposed"


def test_a_concurrent_change_is_refused_at_commit(uow, team):
    """Two writers read version 1; the second to commit gets StaleVersion, not a lost update."""
    before = audit_count(uow)
    raced = []
    with uow() as slow:

        @event.listens_for(slow.session, "before_flush")
        def someone_else_first(session, flush_context, instances):
            if raced:
                return
            raced.append(True)
            with uow() as fast:
                services.edit(
                    fast,
                    actor=team.approver,
                    team_id=team.id,
                    key="SSO",
                    version=1,
                    changes={"value": 11000},
                )

        with pytest.raises(StaleVersion):
            services.edit(
                slow,
                actor=team.admin,
                team_id=team.id,
                key="SSO",
                version=1,
                changes={"value": 99000},
            )
    with uow() as u:
        view = services.get_initiative(u, team_id=team.id, key="SSO")
    assert raced
    assert view.spec.value == 11000
    assert view.version == 2
    assert audit_count(uow) == before + 1  # only the winner's entry
    assert count_rows(uow, AuditEntry, actor="U-ADMIN") == 0


def _before_first_flush(unit, action):
    """Run `action` (another writer) just before `unit` first writes anything."""
    ran = []

    @event.listens_for(unit.session, "before_flush")
    def other_writer_first(session, flush_context, instances):
        if not ran:
            ran.append(True)
            action()

    return ran


def test_two_proposals_racing_for_a_key(uow, team):
    idea = {"title": "Idea", "category": "social", "duration": 1, "value": 1}

    def fast():
        with uow() as u:
            assert services.propose(u, actor=team.other, team_id=team.id, fields=idea).key == (
                "SOC-1"
            )

    with uow() as slow:
        ran = _before_first_flush(slow, fast)
        with pytest.raises(ValidationFailed, match="SOC-1 was taken by another proposal"):
            services.propose(slow, actor=team.member, team_id=team.id, fields=idea)
    assert ran
    with uow() as u:
        assert services.propose(u, actor=team.member, team_id=team.id, fields=idea).key == "SOC-2"


def test_two_processes_setting_up_one_workspace(uow):
    def fast():
        with uow() as u:
            services.ensure_workspace(u, team_id="T-RACE", name="first")

    with uow() as slow:
        ran = _before_first_flush(slow, fast)
        view = services.ensure_workspace(slow, team_id="T-RACE", name="second")
    assert ran
    assert view.name == "first"
    assert count_rows(uow, Workspace, team_id="T-RACE") == 1
