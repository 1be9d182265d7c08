"""Helpers for tests that need a database of their own (used by tests/conftest.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, delete, make_url, text

from catalog.db import make_engine
from catalog.models import Base
from catalog.settings import normalize_database_url


@contextmanager
def scratch_postgres_database(url: str, *, prefix: str = "townhall_test") -> Iterator[str]:
    """Create a uniquely named, empty database on the PostgreSQL server of `url`.

    Yields its URL and drops it afterwards, so runs never see each other's data. The
    server's `postgres` maintenance database is used to create and drop it.
    """
    server = make_url(normalize_database_url(url))
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(
        server.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def empty_all_tables(engine: Engine) -> None:
    """Delete every row of every catalog table (the schema stays)."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))
