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
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from catalog.errors import CatalogError
from catalog.settings import normalize_database_url

#: The migration scripts ship inside the package, so an installed wheel migrates too.
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

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


class DatabaseUnusable(CatalogError):
    """The configured database (`DATABASE_URL`) cannot be used as it is; the message says
    which database, what is wrong and how to fix it."""


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (relative to the working directory), None for an
    in-memory database or any other kind of database."""
    try:
        parsed = make_url(normalize_database_url(url))
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def describe_database(url: str) -> str:
    """The database of `url` as a person would name it, without its password:
    `the SQLite file /abs/townhall.sqlite3` or `database townhall on db.example.com:5432`."""
    path = sqlite_file(url)
    if path is not None:
        return f"the SQLite file {path.resolve()}"
    try:
        parsed = make_url(normalize_database_url(url))
    except ArgumentError:
        return "the database of DATABASE_URL"
    if parsed.get_backend_name() == "sqlite":
        return "the in-memory SQLite database"
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    return f"database {parsed.database or '(none named)'} on {where}"


def database_problem(url: str, exc: SQLAlchemyError) -> DatabaseUnusable:
    """What a person can do about a failure to reach or use the database of `url`
    (`DATABASE_URL`): the database, what went wrong and the fix, in one message."""
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    reason = detail[0].strip() if detail else type(exc).__name__
    what = describe_database(url)
    low = reason.lower()
    try:
        parsed = make_url(normalize_database_url(url))
        name, user = parsed.database, parsed.username
        where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    except ArgumentError:
        name = user = None
        where = "?"
    if "does not exist" in low and name and f'database "{name}"' in reason:
        return DatabaseUnusable(
            f"database {name} does not exist on {where} (DATABASE_URL): create it "
            f"(`createdb {name}`) and run `townhall db upgrade`, or point DATABASE_URL at "
            "an existing one"
        )
    if "password authentication failed" in low or ("role" in low and "does not exist" in low):
        return DatabaseUnusable(
            f"PostgreSQL on {where} refused the user {user or '(none)'} (DATABASE_URL): "
            f"check the user name and password in DATABASE_URL ({reason})"
        )
    if any(
        s in low
        for s in (
            "connection refused",
            "could not translate host",
            "timeout",
            "no route",
            "failed to resolve",
        )
    ):
        return DatabaseUnusable(
            f"cannot connect to PostgreSQL on {where} (DATABASE_URL): is the server running, "
            f"and are the host and port right? ({reason})"
        )
    if "file is not a database" in low:
        return DatabaseUnusable(
            f"{what} is not a SQLite database (DATABASE_URL): point DATABASE_URL at a "
            "Townhall database, or move the file away and run `townhall demo` or "
            "`townhall db upgrade` to start a new one"
        )
    if "unable to open database file" in low:
        return DatabaseUnusable(
            f"cannot open {what} (DATABASE_URL): does its folder exist and may this user "
            "write there?"
        )
    if "no such table" in low or ("relation" in low and "does not exist" in low):
        return DatabaseUnusable(
            f"{what} has no Townhall schema, or an old one (DATABASE_URL): run "
            f"`townhall db upgrade` ({reason})"
        )
    return DatabaseUnusable(f"cannot use {what} (DATABASE_URL): {reason}")


def check_schema(engine: Engine, url: str) -> None:
    """Raise DatabaseUnusable unless the database behind `engine` is at the newest
    migration this code ships: never migrated, behind, or migrated by a newer Townhall.
    The schema is Alembic's (module docstring): `townhall db upgrade` is the fix."""
    what = describe_database(url)
    try:
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        raise database_problem(url, exc) from None
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise DatabaseUnusable(
            f"{what} has no Townhall schema (DATABASE_URL): run `townhall db upgrade` "
            "with the same DATABASE_URL to create it"
        )
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if current in known:
        raise DatabaseUnusable(
            f"{what} is at migration {current}, this Townhall needs {head} (DATABASE_URL): "
            "run `townhall db upgrade`"
        )
    raise DatabaseUnusable(
        f"{what} is at migration {current}, which this version of Townhall does not know "
        f"(it needs {head}; DATABASE_URL): run the Townhall that migrated it, or upgrade this one"
    )
