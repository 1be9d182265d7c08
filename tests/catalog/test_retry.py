"""Retry once on a lost database connection: unit tests everywhere, real disconnects on
PostgreSQL (backends terminated from an admin connection)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.commands import handle_text
from catalog import services
from catalog.db import make_engine
from catalog.models import AuditEntry, IdempotencyKey
from catalog.retry import is_disconnect, retry_on_disconnect
from catalog.uow import UnitOfWork
from catalog.usecases import Context
from tests.catalog.conftest import Team

TERMINATE_OTHERS = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = :db AND pid <> pg_backend_pid()"
)


def _disconnect() -> DBAPIError:
    return OperationalError(
        "SELECT 1", {}, Exception("server closed the connection"), connection_invalidated=True
    )


def test_a_disconnect_runs_the_unit_of_work_once_more(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    def fn() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise _disconnect()
        return "done"

    with caplog.at_level(logging.WARNING, logger="catalog.retry"):
        assert retry_on_disconnect(fn, what="a test") == "done"
    assert len(calls) == 2
    assert "database connection lost during a test" in caplog.text


def test_a_second_disconnect_in_a_row_is_raised() -> None:
    calls: list[int] = []

    def fn() -> None:
        calls.append(1)
        raise _disconnect()

    with pytest.raises(OperationalError):
        retry_on_disconnect(fn)
    assert len(calls) == 2


@pytest.mark.parametrize(
    "error",
    [
        IntegrityError("INSERT", {}, Exception("duplicate key")),
        OperationalError("SELECT", {}, Exception("database is locked")),
        ValueError("a bug"),
    ],
)
def test_other_errors_are_raised_at_once(error: Exception) -> None:
    calls: list[int] = []

    def fn() -> None:
        calls.append(1)
        raise error

    with pytest.raises(type(error)):
        retry_on_disconnect(fn)
    assert calls == [1]


def test_a_disconnect_behind_another_error_counts() -> None:
    try:
        try:
            raise _disconnect()
        except DBAPIError as exc:
            raise RuntimeError("wrapped") from exc
    except RuntimeError as wrapped:
        assert is_disconnect(wrapped)
    assert not is_disconnect(RuntimeError("plain"))


# --------------------------------------------------------------------- on PostgreSQL


@pytest.fixture
def pg(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("terminating backends needs PostgreSQL (set DATABASE_URL=postgresql://…)")
    return engine


@pytest.fixture
def admin(pg: Engine) -> Iterator[Engine]:
    """An autocommit connection pool to the same database, for pg_terminate_backend."""
    admin = make_engine(pg.url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    yield admin
    admin.dispose()


def _terminate(admin: Engine, pid: int | None = None) -> int:
    with admin.connect() as connection:
        if pid is None:
            db = connection.execute(text("SELECT current_database()")).scalar_one()
            return len(connection.execute(text(TERMINATE_OTHERS), {"db": db}).all())
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return 1


def test_a_transaction_dropped_midway_is_retried_and_takes_effect_once(
    pg: Engine, admin: Engine, session_factory: sessionmaker[Session]
) -> None:
    attempts: list[int] = []

    def unit() -> None:
        with UnitOfWork(session_factory) as uow:
            attempts.append(1)
            uow.session.add(IdempotencyKey(key="T1:command:midway"))
            uow.session.flush()  # the row is written inside the open transaction
            if len(attempts) == 1:
                pid = uow.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
                _terminate(admin, pid)
            uow.commit()

    retry_on_disconnect(unit, what="a test")
    assert len(attempts) == 2
    with UnitOfWork(session_factory) as uow:
        count = uow.session.scalar(select(func.count()).select_from(IdempotencyKey))
    assert count == 1


def test_commands_work_after_every_connection_was_terminated(
    pg: Engine, admin: Engine, uow: Callable[[], UnitOfWork], team: Team
) -> None:
    first = handle_text("list", Context(actor=team.member, team_id=team.id, uow_factory=uow))
    assert not first.error and "WIKI" in str(first.blocks)
    assert _terminate(admin) >= 1  # the pool's idle connections are dead now
    reply = handle_text("list", Context(actor=team.member, team_id=team.id, uow_factory=uow))
    assert not reply.error and "WIKI" in str(reply.blocks)


def test_a_command_whose_connection_dies_midway_is_retried_and_decides_once(
    pg: Engine, admin: Engine, session_factory: sessionmaker[Session], team: Team
) -> None:
    """The first unit of work of `approve` loses its connection after a query; the whole
    command runs again and records one approval."""
    killed: list[int] = []

    class Fragile(UnitOfWork):
        def __enter__(self) -> Fragile:
            super().__enter__()
            if not killed:
                pid = self.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
                killed.append(_terminate(admin, pid))
            return self

    before = _audit(session_factory)
    reply = handle_text(
        "approve WIKI",
        Context(actor=team.approver, team_id=team.id, uow_factory=lambda: Fragile(session_factory)),
    )
    assert killed == [1]
    assert not reply.error, reply.text
    with UnitOfWork(session_factory) as uow:
        assert services.get_initiative(uow, team_id=team.id, key="WIKI").status == "approved"
    assert _audit(session_factory) == before + 1


def _audit(session_factory: sessionmaker[Session]) -> int:
    with UnitOfWork(session_factory) as uow:
        return uow.session.scalar(select(func.count()).select_from(AuditEntry)) or 0
