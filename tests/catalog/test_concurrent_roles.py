"""Two admins revoking each other at the same moment: one succeeds, the other is refused,
and the workspace keeps an admin (issue 11, item 3).

Runs on SQLite and, with DATABASE_URL=postgresql://…, on PostgreSQL: role changes of a
workspace take its lock (`catalog.services._lookup.lock_workspace`) before reading who
is an admin."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from bot.reply import error_reply
from catalog import services
from catalog.domain import Actor
from catalog.errors import PermissionDenied, ValidationFailed
from catalog.services import workspaces as workspace_service
from catalog.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
ROUNDS = 6
OPERATOR = Actor.operator()


def _race(
    uow: UowFactory, *writers: Callable[[UnitOfWork], Any]
) -> tuple[list[Any], list[BaseException]]:
    """Run each writer in its own thread and unit of work, all released at once."""
    barrier = threading.Barrier(len(writers))
    won: list[Any] = []
    lost: list[BaseException] = []
    lock = threading.Lock()

    def run(write: Callable[[UnitOfWork], Any]) -> None:
        with uow() as u:
            barrier.wait()
            try:
                result = write(u)
            except BaseException as exc:
                with lock:
                    lost.append(exc)
                return
        with lock:
            won.append(result)

    threads = [threading.Thread(target=run, args=(w,)) for w in writers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return won, lost


@pytest.fixture
def slow_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widen the window between the check and the commit, as a busy server would."""
    real = workspace_service.audit

    def audit(*args: Any, **kwargs: Any) -> None:
        time.sleep(0.05)
        real(*args, **kwargs)

    monkeypatch.setattr(workspace_service, "audit", audit)


def _admins(uow: UowFactory, team_id: str) -> list[str]:
    with uow() as u:
        return sorted(
            g.user_id for g in services.list_roles(u, team_id=team_id) if g.role == "admin"
        )


@pytest.mark.usefixtures("slow_audit")
def test_two_admins_revoking_each_other_leave_one_admin(uow: UowFactory) -> None:
    for n in range(ROUNDS):
        team_id = f"T-RACE-{n}"
        a = Actor.user(team_id=team_id, user_id="U-A")
        b = Actor.user(team_id=team_id, user_id="U-B")
        with uow() as u:
            for user in (a, b):
                services.grant_role(
                    u, actor=OPERATOR, team_id=team_id, user_id=user.user_id, role="admin"
                )

        def a_revokes_b(u: UnitOfWork, team_id: str = team_id, a: Actor = a) -> str:
            services.revoke_role(u, actor=a, team_id=team_id, user_id="U-B", role="admin")
            return "U-A"

        def b_revokes_a(u: UnitOfWork, team_id: str = team_id, b: Actor = b) -> str:
            services.revoke_role(u, actor=b, team_id=team_id, user_id="U-A", role="admin")
            return "U-B"

        won, lost = _race(uow, a_revokes_b, b_revokes_a)
        assert len(won) == 1 and len(lost) == 1, (n, won, lost)
        [loser] = lost
        assert isinstance(loser, PermissionDenied | ValidationFailed), repr(loser)
        message = error_reply(loser).text
        assert "Something went wrong" not in message, message
        assert _admins(uow, team_id) == won
        with uow() as u:
            revokes = [
                e
                for e in services.audit_trail(u, actor=OPERATOR, team_id=team_id, limit=50)
                if e.action == "role.revoke"
            ]
        assert len(revokes) == 1


@pytest.mark.usefixtures("slow_audit")
def test_revoking_two_other_admins_at_once_leaves_one(uow: UowFactory) -> None:
    """The operator revoking both of the last two admins at once: the last one stays."""
    for n in range(ROUNDS):
        team_id = f"T-RACE-OP-{n}"
        with uow() as u:
            for user in ("U-A", "U-B"):
                services.grant_role(u, actor=OPERATOR, team_id=team_id, user_id=user, role="admin")

        def revoke(u: UnitOfWork, user: str, team_id: str = team_id) -> str:
            services.revoke_role(u, actor=OPERATOR, team_id=team_id, user_id=user, role="admin")
            return user

        won, lost = _race(uow, lambda u: revoke(u, "U-A"), lambda u: revoke(u, "U-B"))
        assert len(won) == 1 and len(lost) == 1, (n, won, lost)
        assert isinstance(lost[0], ValidationFailed) and "last admin" in str(lost[0])
        assert len(_admins(uow, team_id)) == 1
