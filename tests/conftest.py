"""Shared database fixtures.

The schema comes from the Alembic migrations, never from `create_all`. By default the
database is a SQLite file in a temporary directory; when `DATABASE_URL` points to
PostgreSQL, a fresh, uniquely named database is created on that server for the run and
dropped afterwards. Each test starts with empty tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from catalog.db import make_engine, make_session_factory, upgrade
from catalog.settings import Settings
from catalog.testing import empty_all_tables, scratch_postgres_database
from catalog.uow import UnitOfWork


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of this run's test database, migrated to the newest revision."""
    settings = Settings.from_env()
    if settings.is_postgres:
        with scratch_postgres_database(settings.database_url) as url:
            upgrade(url)
            yield url
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'townhall.sqlite3'}"
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    if engine.dialect.name == "sqlite":
        # a test database need not survive a power cut: skip the fsync of every commit
        event.listen(engine, "connect", _no_sync)
    yield engine
    engine.dispose()


def _no_sync(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous=OFF")


@pytest.fixture
def session_factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions on the test database; every table is emptied after the test."""
    yield make_session_factory(engine)
    empty_all_tables(engine)


@pytest.fixture
def uow(session_factory: sessionmaker[Session]) -> Callable[[], UnitOfWork]:
    """A factory of units of work: `with uow() as u: services.propose(u, ...)`."""
    return lambda: UnitOfWork(session_factory)
