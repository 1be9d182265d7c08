"""Migration 0005: business drivers, judgments, initiative scores, the planning objective
and the leader role; existing rows get their defaults, and the downgrade leaves what the
older code can read."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from catalog.db import current_revision, downgrade, make_engine, upgrade
from catalog.settings import Settings
from catalog.testing import scratch_postgres_database

NEW_TABLES = {"drivers", "judgments"}


def _columns(engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def _seed_at_0004(engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO workspaces (id, team_id, name, created_at) "
                "VALUES (1, 'T0MIG', 'Mig', CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO planning_settings (workspace_id, name, calendar_start, phase_kind, "
                'phases, "freeze", fiscal_year_start, capacity, policy_review, policy_forbid, '
                "version, updated_at) VALUES (1, 'P', '2027-01-01', 'quarter', 4, '[]', 1, "
                "'{}', '[]', '[]', 1, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO initiatives (workspace_id, position, key, title, summary, category, "
                "status, cadence, duration, capex, opex, value, hosting, data_class, "
                "personal_data, review_note, uses, teams, depends_on, excludes, mandatory, "
                "earliest, version, created_at, updated_at) VALUES (1, 0, 'SSO', 'SSO', '', '', "
                "'approved', 'waterfall', 1, 0, 0, 10, 'on_prem', 'internal', false, '', '{}', "
                "1, '[]', '[]', false, 0, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )


def _grant(engine, user: str, role: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO role_grants (workspace_id, user_id, role, granted_by, granted_at) "
                "VALUES (1, :user, :role, 'op', CURRENT_TIMESTAMP)"
            ),
            {"user": user, "role": role},
        )


def _drivers_up_and_down(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(url, "0004")
        _seed_at_0004(engine)
        with pytest.raises(IntegrityError):  # 0004 knows no leader
            _grant(engine, "U-LEAD", "leader")

        upgrade(url, "0005")
        assert current_revision(engine) == "0005"
        assert set(inspect(engine).get_table_names()) >= NEW_TABLES
        assert "scores" in _columns(engine, "initiatives")
        assert {"objective", "blend", "stability"} <= _columns(engine, "planning_settings")
        with engine.connect() as connection:
            scores = connection.execute(text("SELECT scores FROM initiatives")).scalar_one()
            settings = connection.execute(
                text("SELECT objective, blend, stability FROM planning_settings")
            ).one()
        assert scores in ({}, "{}")  # the existing initiative scores nothing yet
        assert tuple(settings) == ("value", 1.0, "normal")
        _grant(engine, "U-LEAD", "leader")
        _grant(engine, "U-ADMIN", "admin")
        with pytest.raises(IntegrityError):  # still only the known roles
            _grant(engine, "U-X", "boss")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO drivers (workspace_id, key, name, description, position, "
                    "retired, created_at, updated_at) VALUES (1, 'engage', 'Engagement', '', 0, "
                    "false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO drivers (workspace_id, key, name, description, position, "
                    "retired, created_at, updated_at) VALUES (1, 'engage', 'Again', '', 1, "
                    "false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )

        downgrade(url, "0004")
        assert current_revision(engine) == "0004"
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
        assert "scores" not in _columns(engine, "initiatives")
        assert not {"objective", "blend", "stability"} & _columns(engine, "planning_settings")
        with engine.connect() as connection:
            roles = connection.execute(text("SELECT user_id, role FROM role_grants")).all()
            initiatives = connection.execute(text("SELECT key FROM initiatives")).all()
        assert [tuple(r) for r in roles] == [("U-ADMIN", "admin")]  # leader grants went
        assert [tuple(r) for r in initiatives] == [("SSO",)]  # the rest stays
        with pytest.raises(IntegrityError):
            _grant(engine, "U-LEAD", "leader")
        upgrade(url)  # and up again
        assert set(inspect(engine).get_table_names()) >= NEW_TABLES
    finally:
        engine.dispose()


def test_sqlite_drivers_upgrade_and_downgrade(tmp_path):
    _drivers_up_and_down(f"sqlite:///{tmp_path / 'drivers.sqlite3'}")


def test_postgresql_drivers_upgrade_and_downgrade():
    settings = Settings.from_env()
    if not settings.is_postgres:
        pytest.skip("DATABASE_URL does not point to PostgreSQL")
    with scratch_postgres_database(settings.database_url, prefix="townhall_drivers") as url:
        _drivers_up_and_down(url)
