"""Migration 0006: the calendar feed's tables arrive beside existing data, keep one feed
per workspace and one row per event UID, go with their workspace, and leave with the
downgrade."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from catalog.db import current_revision, downgrade, make_engine, upgrade
from catalog.settings import Settings
from catalog.testing import scratch_postgres_database

NEW_TABLES = {"calendar_feeds", "calendar_events"}
HASH = "a" * 64


def _run(engine, sql: str, **params) -> None:
    with engine.begin() as connection:
        connection.execute(text(sql), params)


def _feed_up_and_down(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(url, "0005")
        for id_, team in ((1, "T0ONE"), (2, "T0TWO")):
            _run(
                engine,
                "INSERT INTO workspaces (id, team_id, name, created_at) "
                "VALUES (:id, :team, '', CURRENT_TIMESTAMP)",
                id=id_,
                team=team,
            )
        upgrade(url, "0006")
        assert current_revision(engine) == "0006"
        assert set(inspect(engine).get_table_names()) >= NEW_TABLES

        feed = (
            "INSERT INTO calendar_feeds (workspace_id, secret_hash, created_at, created_by) "
            "VALUES (:ws, :hash, CURRENT_TIMESTAMP, 'op')"
        )
        _run(engine, feed, ws=1, hash=HASH)
        with pytest.raises(IntegrityError):  # one feed per workspace
            _run(engine, feed, ws=1, hash="b" * 64)
        with pytest.raises(IntegrityError):  # a hash opens one feed
            _run(engine, feed, ws=2, hash=HASH)
        event = (
            "INSERT INTO calendar_events (workspace_id, uid, dtstart, dtend, digest, sequence, "
            "last_modified) VALUES (:ws, 'u@townhall', '2027-03-31', '2027-04-01', :d, 0, "
            "CURRENT_TIMESTAMP)"
        )
        _run(engine, event, ws=1, d=HASH)
        _run(engine, event, ws=2, d=HASH)  # the same UID in another workspace
        with pytest.raises(IntegrityError):
            _run(engine, event, ws=1, d=HASH)

        _run(engine, "DELETE FROM workspaces WHERE id = 1")  # its feed and events go too
        with engine.connect() as connection:
            left = connection.execute(
                text(
                    "SELECT (SELECT count(*) FROM calendar_events WHERE workspace_id = 1) + "
                    "(SELECT count(*) FROM calendar_feeds WHERE workspace_id = 1)"
                )
            ).scalar()
            others = connection.execute(text("SELECT count(*) FROM calendar_events")).scalar()
        assert (left, others) == (0, 1)

        downgrade(url, "0005")
        assert current_revision(engine) == "0005"
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            kept = connection.execute(text("SELECT count(*) FROM workspaces")).scalar()
        assert kept >= 1
        upgrade(url)
        assert set(inspect(engine).get_table_names()) >= NEW_TABLES
    finally:
        engine.dispose()


def test_sqlite_feed_upgrade_and_downgrade(tmp_path):
    _feed_up_and_down(f"sqlite:///{tmp_path / 'feed.sqlite3'}")


def test_postgresql_feed_upgrade_and_downgrade():
    settings = Settings.from_env()
    if not settings.is_postgres:
        pytest.skip("DATABASE_URL does not point to PostgreSQL")
    with scratch_postgres_database(settings.database_url, prefix="townhall_feed") as url:
        _feed_up_and_down(url)
