"""Two approvers deciding the same proposal at the same moment: one decision is recorded
(one audit row, one status change) and the other gets a clear message, not a crash.

Runs on SQLite and, with DATABASE_URL=postgresql://…, on PostgreSQL (where the loser's
UPDATE waits for the winner's row lock and then matches no row of its version)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.reply import error_reply
from catalog import services
from catalog.domain import Actor
from catalog.errors import CatalogError, InvalidTransition, StaleVersion
from catalog.models import AuditEntry
from catalog.uow import UnitOfWork
from tests.catalog.conftest import Team

UowFactory = Callable[[], UnitOfWork]
ROUNDS = 6


def _decision_rows(uow: UowFactory, key: str) -> list[str]:
    with uow() as u:
        return list(
            u.session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.entity_key == key, AuditEntry.action.like("initiative.%"))
                .order_by(AuditEntry.id)
            )
        )


def _race(
    uow: UowFactory, *deciders: Callable[[UnitOfWork], Any]
) -> tuple[list[Any], list[BaseException]]:
    """Run each decider in its own thread and unit of work, all released at once."""
    barrier = threading.Barrier(len(deciders))
    won: list[Any] = []
    lost: list[BaseException] = []
    lock = threading.Lock()

    def run(decide: Callable[[UnitOfWork], Any]) -> None:
        with uow() as u:
            barrier.wait()
            try:
                result = decide(u)
            except BaseException as exc:
                with lock:
                    lost.append(exc)
                return
        with lock:
            won.append(result)

    threads = [threading.Thread(target=run, args=(d,)) for d in deciders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return won, lost


def _fresh_proposal(uow: UowFactory, team: Team, n: int) -> tuple[str, int]:
    with uow() as u:
        view = services.propose(
            u,
            actor=team.member,
            team_id=team.id,
            fields={"title": f"Race {n}", "duration": 1, "value": 1000},
        )
    return view.key, view.version


@pytest.fixture
def second_approver(uow: UowFactory, team: Team) -> Actor:
    with uow() as u:
        services.grant_role(
            u, actor=Actor.operator(), team_id=team.id, user_id="U-APPROVER2", role="approver"
        )
    return Actor.user(team_id=team.id, user_id="U-APPROVER2")


@pytest.mark.parametrize("with_version", [True, False], ids=["button", "command"])
@pytest.mark.parametrize("second", ["approve", "reject"])
def test_two_simultaneous_decisions_record_exactly_one(
    uow: UowFactory, team: Team, second_approver: Actor, second: str, with_version: bool
) -> None:
    for n in range(ROUNDS):
        key, version = _fresh_proposal(uow, team, n)
        at = version if with_version else None
        before = _decision_rows(uow, key)

        def first(u: UnitOfWork, key: str = key, at: int | None = at) -> Any:
            return services.approve(u, actor=team.approver, team_id=team.id, key=key, version=at)

        def other(u: UnitOfWork, key: str = key, at: int | None = at) -> Any:
            if second == "approve":
                return services.approve(
                    u, actor=second_approver, team_id=team.id, key=key, version=at
                )
            return services.reject(
                u, actor=second_approver, team_id=team.id, key=key, reason="no", version=at
            )

        won, lost = _race(uow, first, other)
        assert len(won) == 1 and len(lost) == 1, (won, lost)
        [loser] = lost
        assert isinstance(loser, StaleVersion | InvalidTransition), repr(loser)
        message = error_reply(loser).text
        assert "Something went wrong" not in message
        assert any(w in message for w in ("changed", "already", "cannot", "can't")), message
        after = _decision_rows(uow, key)
        assert len(after) == len(before) + 1
        with uow() as u:
            status = services.get_initiative(u, team_id=team.id, key=key).status
        assert status == won[0].status in ("approved", "rejected")
        assert after[-1] == f"initiative.{'approve' if status == 'approved' else 'reject'}"


def test_the_losers_error_is_a_catalog_error(uow: UowFactory) -> None:
    assert issubclass(StaleVersion, CatalogError) and issubclass(InvalidTransition, CatalogError)
    with uow() as u:
        assert u.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
