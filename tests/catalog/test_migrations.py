"""The schema comes from the migrations, and the migrations match the models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from catalog.db import (
    MIGRATIONS,
    current_revision,
    downgrade,
    head_revision,
    is_model_object,
    make_engine,
    upgrade,
)
from catalog.models import Base
from catalog.settings import Settings
from catalog.testing import scratch_postgres_database

TABLES = {
    "workspaces",
    "role_grants",
    "initiatives",
    "planning_settings",
    "audit_entries",
    "roadmaps",
}


def _up_and_down(url: str) -> None:
    engine = make_engine(url)
    try:
        assert current_revision(engine) is None
        upgrade(url)
        assert current_revision(engine) == head_revision()
        assert set(inspect(engine).get_table_names()) >= TABLES
        downgrade(url, "base")
        assert current_revision(engine) is None
        assert not TABLES & set(inspect(engine).get_table_names())
        upgrade(url)  # and back up again, from a downgraded database
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_sqlite_upgrade_and_downgrade(tmp_path):
    _up_and_down(f"sqlite:///{tmp_path / 'm.sqlite3'}")


def test_postgresql_upgrade_and_downgrade():
    settings = Settings.from_env()
    if not settings.is_postgres:
        pytest.skip("DATABASE_URL does not point to PostgreSQL")
    with scratch_postgres_database(settings.database_url, prefix="townhall_migrations") as url:
        _up_and_down(url)


def test_the_migrated_schema_equals_the_models(engine):
    """Autogenerate finds nothing to do: migrations and models describe the same schema."""
    with engine.connect() as connection:
        opts = {"compare_type": True, "include_name": is_model_object}
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, Base.metadata) == []


def test_there_is_one_head_and_it_is_the_newest_script():
    newest = max(p.name.split("_")[0] for p in (MIGRATIONS / "versions").glob("[0-9]*.py"))
    assert head_revision() == newest  # get_current_head() refuses several heads


def test_constraints_follow_the_naming_convention(engine):
    inspector = inspect(engine)
    assert inspector.get_pk_constraint("initiatives")["name"] in ("pk_initiatives", None)
    uniques = {u["name"] for u in inspector.get_unique_constraints("initiatives")}
    assert "uq_initiatives_workspace_key" in uniques
    foreign = {f["name"] for f in inspector.get_foreign_keys("initiatives")}
    assert foreign == {"fk_initiatives_workspace_id_workspaces"}


def test_alembic_ini_drives_the_same_migrations(tmp_path):
    """`alembic -x url=… upgrade head` from the project root works as documented."""
    root = Path(__file__).resolve().parents[2]
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    engine = make_engine(url)

    def alembic(*args: str) -> None:
        proc = subprocess.run(
            [sys.executable, "-m", "alembic", "-x", f"url={url}", *args],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr

    try:
        alembic("upgrade", "head")
        assert current_revision(engine) == head_revision()
        alembic("downgrade", "base")
        assert current_revision(engine) is None
    finally:
        engine.dispose()
