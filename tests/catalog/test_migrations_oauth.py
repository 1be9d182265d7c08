"""Migration 0002 creates exactly the tables slack-sdk's SQLAlchemy OAuth stores use."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, inspect

from catalog.db import (
    SLACK_OAUTH_TABLES,
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    upgrade,
)
from catalog.settings import Settings
from catalog.testing import scratch_postgres_database


def _stores(engine):
    installs = SQLAlchemyInstallationStore(client_id="111.222", engine=engine)
    states = SQLAlchemyOAuthStateStore(expiration_seconds=60, engine=engine)
    return installs, states


def _stores_metadata(engine) -> MetaData:
    installs, states = _stores(engine)
    metadata = MetaData()
    for table in [*installs.metadata.tables.values(), *states.metadata.tables.values()]:
        table.to_metadata(metadata)
    return metadata


def test_the_tables_are_the_ones_slack_sdk_defines(engine):
    metadata = _stores_metadata(engine)
    assert set(metadata.tables) == SLACK_OAUTH_TABLES

    def only_slack(name, type_, parent_names):
        return type_ != "table" or name in SLACK_OAUTH_TABLES

    with engine.connect() as connection:
        opts = {"compare_type": True, "include_name": only_slack}
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, metadata) == []


def test_the_stores_work_on_the_migrated_tables(engine):
    installs, states = _stores(engine)
    state = states.issue()
    assert states.consume(state)
    assert not states.consume(state)  # one use only
    installs.save(
        Installation(
            app_id="A1",
            enterprise_id=None,
            team_id="T0MIGRATE",
            team_name="Migrate",
            bot_token="xoxb-migrate",
            bot_id="B1",
            bot_user_id="U1BOT",
            bot_scopes=["commands", "chat:write"],
            user_id="U1",
            installed_at=dt.datetime.now(dt.UTC).timestamp(),
        )
    )
    try:
        bot = installs.find_bot(enterprise_id=None, team_id="T0MIGRATE")
        assert bot is not None and bot.bot_token == "xoxb-migrate"
        found = installs.find_installation(enterprise_id=None, team_id="T0MIGRATE")
        assert found is not None and found.user_id == "U1"
    finally:
        installs.delete_all(enterprise_id=None, team_id="T0MIGRATE")
    assert installs.find_bot(enterprise_id=None, team_id="T0MIGRATE") is None


def _oauth_up_and_down(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(url, "0001")
        assert not SLACK_OAUTH_TABLES & set(inspect(engine).get_table_names())
        upgrade(url)
        assert current_revision(engine) == head_revision()
        assert set(inspect(engine).get_table_names()) >= SLACK_OAUTH_TABLES
        indexes = {i["name"] for i in inspect(engine).get_indexes("slack_installations")}
        assert "slack_installations_idx" in indexes
        downgrade(url, "0001")
        assert current_revision(engine) == "0001"
        tables = set(inspect(engine).get_table_names())
        assert not SLACK_OAUTH_TABLES & tables
        assert "workspaces" in tables  # the catalog stays
    finally:
        engine.dispose()


def test_sqlite_oauth_upgrade_and_downgrade(tmp_path):
    _oauth_up_and_down(f"sqlite:///{tmp_path / 'oauth.sqlite3'}")


def test_postgresql_oauth_upgrade_and_downgrade():
    settings = Settings.from_env()
    if not settings.is_postgres:
        pytest.skip("DATABASE_URL does not point to PostgreSQL")
    with scratch_postgres_database(settings.database_url, prefix="townhall_oauth") as url:
        _oauth_up_and_down(url)
