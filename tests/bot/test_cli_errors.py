"""Every `townhall` failure is one message on stderr naming the setting, what was
expected and the fix, through the real console script; the traceback only with
`townhall --debug` (README "Errors")."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from catalog.db import DatabaseUnusable, check_schema

TOWNHALL = str(Path(sys.executable).with_name("townhall"))
PG = os.environ.get("DATABASE_URL", "")
needs_postgres = pytest.mark.skipif(
    not PG.startswith("postgres"), reason="DATABASE_URL does not point to PostgreSQL"
)


def townhall(
    *args: str, cwd: Path, env: dict[str, str] | None = None, python: str | None = None
) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TOWNHALL_TEAM")}
    environ.update({"COLUMNS": "200", "NO_COLOR": "1", **(env or {})})
    argv = [sys.executable, "-c", python, *args] if python else [TOWNHALL, *args]
    return subprocess.run(argv, cwd=cwd, env=environ, capture_output=True, text=True, timeout=120)


def one_error(proc: subprocess.CompletedProcess) -> str:
    """The error of a failed command: exit 1, no traceback, one `error:` message."""
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.stderr.count("error:") == 1, proc.stderr
    return " ".join(proc.stderr.split())


def other_database(name: str) -> str:
    head, _, _ = PG.rpartition("/")
    return f"{head}/{name}"


@needs_postgres
def test_a_postgres_database_that_does_not_exist_is_named_with_the_fix(tmp_path):
    name = f"townhall_missing_{uuid.uuid4().hex[:8]}"
    proc = townhall("list", cwd=tmp_path, env={"DATABASE_URL": other_database(name)})
    message = one_error(proc)
    assert f"database {name} does not exist on" in message and "(DATABASE_URL)" in message
    assert "point DATABASE_URL at an existing one" in message


@needs_postgres
def test_a_postgres_database_never_migrated_says_db_upgrade(tmp_path):
    name = f"townhall_empty_{uuid.uuid4().hex[:8]}"
    pgdb = Path(__file__).resolve().parents[2] / ".ci" / "pgdb.py"
    admin = other_database("postgres")
    subprocess.run([sys.executable, str(pgdb), "create", admin, name], check=True)
    try:
        proc = townhall("list", cwd=tmp_path, env={"DATABASE_URL": other_database(name)})
        message = one_error(proc)
        assert f"database {name} on" in message and "has no Townhall schema" in message
        assert "run `townhall db upgrade`" in message
    finally:
        subprocess.run([sys.executable, str(pgdb), "drop", admin, name], check=True)


def test_a_database_never_migrated_is_refused_with_db_upgrade(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    url = f"sqlite:///{empty}"
    engine = create_engine(url)
    try:
        with pytest.raises(DatabaseUnusable, match=r"has no Townhall schema.*townhall db upgrade"):
            check_schema(engine, url)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "argv", [["list"], ["show", "SSO"], ["plan"], ["export", "csv", "-o", "x.csv"]]
)
def test_a_read_command_without_the_database_names_the_file_and_creates_nothing(tmp_path, argv):
    message = one_error(townhall(*argv, cwd=tmp_path))
    assert str(tmp_path / "townhall.sqlite3") in message and "DATABASE_URL" in message
    assert "townhall demo" in message
    assert not (tmp_path / "townhall.sqlite3").exists()


def test_readme_first_commands_work_on_a_fresh_directory(tmp_path):
    demo = townhall("demo", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert "Creating the database" in demo.stderr
    plan = townhall("plan", "--time-limit", "2", cwd=tmp_path)
    assert plan.returncode == 0, plan.stderr
    assert "SSO" in plan.stdout


def test_a_workspace_that_does_not_exist_names_the_database(tmp_path):
    assert townhall("demo", cwd=tmp_path).returncode == 0
    message = one_error(townhall("show", "SSO", "--team", "TNOPE", cwd=tmp_path))
    assert "no workspace TNOPE in the SQLite file" in message and "--team" in message


def test_export_portfolio_into_a_missing_folder_says_so(tmp_path):
    assert townhall("demo", cwd=tmp_path).returncode == 0
    message = one_error(townhall("export-portfolio", "--out", "missing-dir/x.yaml", cwd=tmp_path))
    assert (
        "cannot write missing-dir/x.yaml (--out): the folder missing-dir does not exist" in message
    )


def test_a_bad_setting_is_one_message(tmp_path):
    message = one_error(townhall("list", cwd=tmp_path, env={"TOWNHALL_JOB_LEASE": "abc"}))
    assert "TOWNHALL_JOB_LEASE must be a positive number of seconds" in message


def test_serve_when_slack_cannot_be_reached_names_slack_api_url(tmp_path):
    env = {
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "TOWNHALL_LOG_FORMAT": "text",
    }
    proc = townhall("serve", "--port", "0", cwd=tmp_path, env=env)
    message = one_error(proc)
    assert "cannot reach Slack's Web API at http://127.0.0.1:9/api/ (SLACK_API_URL)" in message
    assert "SLACK_BOT_TOKEN" in message and "Worker failed to boot" not in proc.stderr


# An error no command expects, raised inside a command run by the console script's `main`.
BOOM = (
    "import sys, catalog.services as s\n"
    "def boom(*a, **k): raise ZeroDivisionError('boom [/] ' + 'x' * 1000)\n"
    "s.list_initiatives = boom\n"
    "from bot.cli import main\n"
    "sys.argv = ['townhall', *sys.argv[1:]]\n"
    "main()\n"
)


def test_an_unexpected_error_is_one_line_and_its_traceback_only_with_debug(tmp_path):
    assert townhall("demo", cwd=tmp_path).returncode == 0
    message = one_error(townhall("list", cwd=tmp_path, python=BOOM))
    assert message.startswith("error: ZeroDivisionError: boom [/] xxx")
    assert message.endswith("(run with --debug for the traceback)") and len(message) < 400
    debug = townhall("--debug", "list", cwd=tmp_path, python=BOOM)
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr and "ZeroDivisionError" in debug.stderr


def test_chat_takes_the_slash_command_prefix(tmp_path):
    assert townhall("demo", cwd=tmp_path).returncode == 0
    proc = townhall("chat", "-c", "/roadmap list", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SSO" in proc.stdout


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["whatif", "budget-20%"], 'townhall chat -c "whatif budget-20%"'),
        (["publish"], 'townhall chat -c "publish …"'),
    ],
)
def test_an_unknown_command_of_the_chat_points_at_townhall_chat(tmp_path, argv, hint):
    proc = townhall(*argv, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert hint in " ".join(proc.stderr.replace("│", " ").split())


def test_an_unknown_command_keeps_typers_message(tmp_path):
    proc = townhall("bogus", cwd=tmp_path)
    assert proc.returncode == 2 and "No such command 'bogus'." in proc.stderr
    assert "townhall chat -c" not in proc.stderr
