"""The same judgment form submitted twice at the same moment (a double click, two
devices), and two admins adding the same driver at once: each write takes the workspace's
lock before it reads, so both go through and one row results, never a duplicate-key
error.

Runs on SQLite and, with DATABASE_URL=postgresql://…, on PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from catalog import services
from catalog.models import AuditEntry, Driver, JudgmentRecord
from catalog.services import _strategy
from catalog.uow import UnitOfWork

ROUNDS = 4


def _race(uow: Callable[[], UnitOfWork], *writers: Callable[[UnitOfWork], Any]) -> list[Any]:
    """Run each writer in its own thread and unit of work, all released at once; return
    what they raised (nothing, when all went through)."""
    barrier = threading.Barrier(len(writers))
    errors: list[BaseException] = []

    def run(write: Callable[[UnitOfWork], Any]) -> None:
        with uow() as u:
            barrier.wait()
            try:
                write(u)
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in writers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


@pytest.fixture
def slow_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widen the window between the read and the commit, as a busy server would."""
    real = _strategy.audit

    def audit(*args: Any, **kwargs: Any) -> None:
        time.sleep(0.05)
        real(*args, **kwargs)

    monkeypatch.setattr(_strategy, "audit", audit)


def _count(uow, model, **where) -> int:
    with uow() as u:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return u.session.scalar(query)


def test_one_answer_submitted_twice_at_once_is_stored_once(uow, team, slow_audit):
    drivers = [{"key": f"d{i}", "name": f"Driver {i}"} for i in range(2 * ROUNDS)]
    with uow() as u:
        services.save_drivers(u, actor=team.admin, team_id=team.id, changes=drivers)
    for n in range(ROUNDS):
        pair = (f"d{2 * n}", f"d{2 * n + 1}")

        def submit(u: UnitOfWork, pair=pair) -> None:
            services.record_judgments(u, actor=team.approver, team_id=team.id, answers={pair: 3})

        assert _race(uow, submit, submit) == []
    assert _count(uow, JudgmentRecord) == ROUNDS
    assert _count(uow, AuditEntry, action="weigh") == ROUNDS  # the second changed nothing


def test_two_admins_adding_one_driver_at_once_make_one(uow, team, slow_audit):
    with uow() as u:
        services.grant_role(u, actor=team.admin, team_id=team.id, user_id="U-ADMIN2", role="admin")
    second = type(team.admin)(user_id="U-ADMIN2", team_id=team.id)
    for n in range(ROUNDS):
        change = [{"key": f"k{n}", "name": f"Goal {n}"}]

        def add(u: UnitOfWork, who, change=change) -> None:
            services.save_drivers(u, actor=who, team_id=team.id, changes=change)

        errors = _race(uow, lambda u, c=change: add(u, team.admin), lambda u: add(u, second))
        assert errors == []
    assert _count(uow, Driver) == ROUNDS
    assert _count(uow, AuditEntry, action="driver.add") == ROUNDS
