"""Migration 0002 creates exactly the tables slack-sdk's SQLAlchemy OAuth stores use;
0004 widens their token columns for encrypted tokens (and narrows them back, decrypting)."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, String, inspect, text

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


#: The token columns migration 0004 widens to hold Fernet tokens.
TOKEN_COLUMNS = {
    "slack_bots": ("bot_token", "bot_refresh_token"),
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
}


def _stores_metadata(engine) -> MetaData:
    """slack-sdk's tables as the migrations leave them: token columns 1000 wide."""
    installs, states = _stores(engine)
    metadata = MetaData()
    for table in [*installs.metadata.tables.values(), *states.metadata.tables.values()]:
        copy = table.to_metadata(metadata)
        for name in TOKEN_COLUMNS.get(table.name, ()):
            copy.c[name].type = String(1000)
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


def _token_widths(engine) -> dict[str, int]:
    return {
        f"{table}.{c['name']}": c["type"].length
        for table, names in TOKEN_COLUMNS.items()
        for c in inspect(engine).get_columns(table)
        if c["name"] in names
    }


def _tokens_up_and_down(url: str, monkeypatch) -> None:
    key = Fernet.generate_key()
    engine = make_engine(url)
    try:
        upgrade(url, "0003")
        assert set(_token_widths(engine).values()) == {200}
        insert = text(
            "INSERT INTO slack_bots (client_id, app_id, team_id, bot_token, "
            "is_enterprise_install, installed_at) VALUES ('c', 'A1', :team, :token, false, "
            "CURRENT_TIMESTAMP)"
        )
        with engine.begin() as connection:
            connection.execute(insert, {"team": "T0PLAIN", "token": "xoxb-plain"})
        upgrade(url, "0004")
        assert set(_token_widths(engine).values()) == {1000}
        encrypted = Fernet(key).encrypt(b"xoxb-" + b"9" * 190).decode()
        assert len(encrypted) > 200
        with engine.begin() as connection:
            connection.execute(insert, {"team": "T0SECRET", "token": encrypted})
        monkeypatch.delenv("TOWNHALL_ENCRYPTION_KEY", raising=False)
        with pytest.raises(Exception, match="TOWNHALL_ENCRYPTION_KEY"):
            downgrade(url, "0003")
        assert current_revision(engine) == "0004"  # nothing half-done
        monkeypatch.setenv("TOWNHALL_ENCRYPTION_KEY", key.decode())
        downgrade(url, "0003")
        assert current_revision(engine) == "0003"
        assert set(_token_widths(engine).values()) == {200}
        with engine.connect() as connection:
            result = connection.execute(text("SELECT team_id, bot_token FROM slack_bots"))
            rows = {team: token for team, token in result}
        assert rows == {"T0PLAIN": "xoxb-plain", "T0SECRET": "xoxb-" + "9" * 190}
    finally:
        engine.dispose()


def test_sqlite_token_columns_widen_and_narrow(tmp_path, monkeypatch):
    _tokens_up_and_down(f"sqlite:///{tmp_path / 'tokens.sqlite3'}", monkeypatch)


def test_postgresql_token_columns_widen_and_narrow(monkeypatch):
    settings = Settings.from_env()
    if not settings.is_postgres:
        pytest.skip("DATABASE_URL does not point to PostgreSQL")
    with scratch_postgres_database(settings.database_url, prefix="townhall_tokens") as url:
        _tokens_up_and_down(url, monkeypatch)
