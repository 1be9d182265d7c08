"""Engines, sessions and migrations.

The schema is owned by Alembic: `upgrade(url)` is how a database gets its tables
(the CLI's `townhall db upgrade` and the Procfile's release step call it).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from catalog.settings import normalize_database_url

#: The migration scripts live next to the packages, at the top of the project.
MIGRATIONS = Path(__file__).resolve().parent.parent / "alembic"

#: Tables the migrations create for slack-sdk's OAuth installation and state stores; they
#: are not catalog models, so comparing the schema with the models leaves them out.
SLACK_OAUTH_TABLES = frozenset({"slack_bots", "slack_installations", "slack_oauth_states"})


def is_model_object(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic `include_name` hook: everything but the Slack OAuth stores' tables."""
    return not (type_ == "table" and name in SLACK_OAUTH_TABLES)


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for `url`: SQLite with foreign keys on; PostgreSQL with pre-ping."""
    url = normalize_database_url(url)
    if url.startswith("sqlite"):
        options.setdefault("connect_args", {"check_same_thread": False})
        if url in ("sqlite://", "sqlite:///:memory:"):
            options.setdefault("poolclass", StaticPool)
        engine = create_engine(url, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    options.setdefault("pool_pre_ping", True)
    return create_engine(url, **options)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for units of work; loaded objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@cache
def session_factory_for(url: str) -> sessionmaker[Session]:
    """One engine and session factory per database URL for the life of the process."""
    return make_session_factory(make_engine(url))


def alembic_config(url: str | None = None, *, engine: Engine | None = None) -> Config:
    """An Alembic configuration for the project's migrations, without alembic.ini."""
    if not (MIGRATIONS / "env.py").exists():
        raise RuntimeError(f"migration scripts not found in {MIGRATIONS}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    elif url is not None:
        config.attributes["url"] = normalize_database_url(url)
    return config


def upgrade(
    url: str | None = None, revision: str = "head", *, engine: Engine | None = None
) -> None:
    """Bring the database at `url` (or behind `engine`) up to `revision`."""
    command.upgrade(alembic_config(url, engine=engine), revision)


def downgrade(
    url: str | None = None, revision: str = "base", *, engine: Engine | None = None
) -> None:
    """Take the database at `url` (or behind `engine`) down to `revision`."""
    command.downgrade(alembic_config(url, engine=engine), revision)


def head_revision() -> str | None:
    """The newest migration revision shipped with the code."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The migration revision the database is at (None when it has never been migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
