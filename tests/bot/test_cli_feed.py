"""`townhall feed [--revoke] [--format json]` through the real console script, with the
address it prints fetched from the WSGI app on loopback over the same database."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from sqlalchemy import text

from catalog.db import session_factory_for
from catalog.settings import normalize_database_url
from catalog.uow import UnitOfWork
from tests.bot.fakeslack import FakeSlack
from tests.bot.wsgi_served import serve_townhall

TOWNHALL = str(Path(sys.executable).with_name("townhall"))
ROOT = Path(__file__).resolve().parents[2]


def fetch(url: str) -> tuple[int, bytes]:
    split = urlsplit(url)
    connection = http.client.HTTPConnection(split.hostname, split.port, timeout=10)
    try:
        connection.request("GET", split.path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture
def setup(tmp_path):
    """A database (a scratch SQLite file, or DATABASE_URL's PostgreSQL with a workspace of
    its own), the app serving it on loopback, and `townhall …` run against both."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("TOWNHALL_PUBLIC_URL", None)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    team = f"T{uuid.uuid4().hex[:10].upper()}"

    def run(*args: str, public: str | None = None) -> subprocess.CompletedProcess:
        argv = [TOWNHALL, *args]
        if args[0] != "db":
            argv += ["--team", team]
        proc_env = env if public is None else {**env, "TOWNHALL_PUBLIC_URL": public}
        return subprocess.run(
            argv, cwd=tmp_path, env=proc_env, capture_output=True, text=True, timeout=120
        )

    assert run("db", "upgrade").returncode == 0
    assert run("demo").returncode == 0
    factory = session_factory_for(normalize_database_url(url))
    with FakeSlack() as fake, serve_townhall(fake, factory) as served:
        yield run, served.root, team, lambda: UnitOfWork(factory)


def test_townhall_feed_prints_the_address_once_and_revoke_replaces_it(setup) -> None:
    run, root, team, uow = setup
    refused = run("feed")
    assert refused.returncode == 1
    assert "TOWNHALL_PUBLIC_URL is not set" in refused.stderr
    assert "nothing was made or revoked" in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout

    made = run("feed", "--format", "json", public=root + "/")
    assert made.returncode == 0, made.stderr
    first = json.loads(made.stdout)
    assert (first["team"], first["created"], first["revoked"]) == (team, True, False)
    assert first["url"].startswith(root + "/calendar/")
    status, body = fetch(first["url"])
    assert status == 200
    assert Calendar.from_ical(body).walk("VEVENT") == []  # nothing published yet

    again = run("feed", public=root)
    assert again.returncode == 0, again.stderr
    assert "has a calendar feed since" in again.stdout and "townhall feed --revoke" in again.stdout
    assert "/calendar/" not in again.stdout
    shown = json.loads(run("feed", "--format", "json", public=root).stdout)
    assert shown["url"] is None and shown["since"] == first["since"]

    revoked = run("feed", "--revoke", public=root)
    assert revoked.returncode == 0, revoked.stderr
    assert "no longer works" in revoked.stdout
    [new_url] = [w for w in revoked.stdout.split() if "/calendar/" in w]
    assert new_url != first["url"]
    assert fetch(first["url"]) == (404, b"not found")
    assert fetch(new_url)[0] == 200

    secrets = [u.rsplit("/", 1)[1].removesuffix(".ics") for u in (first["url"], new_url)]
    with uow() as u:
        stored = u.session.execute(
            text(
                "SELECT secret_hash FROM calendar_feeds JOIN workspaces "
                "ON workspaces.id = calendar_feeds.workspace_id WHERE team_id = :team"
            ),
            {"team": team},
        ).scalar()
    assert stored == hashlib.sha256(secrets[1].encode()).hexdigest()


def test_a_malformed_public_url_is_refused_with_its_example(setup) -> None:
    run, _root, _team, _uow = setup
    proc = run("feed", public="townhall.example.com")
    assert proc.returncode == 1
    assert "e.g. https://townhall.example.com" in proc.stderr
    assert "Traceback" not in proc.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_townhall_serve_answers_the_feed_and_logs_no_secret(tmp_path) -> None:
    """The real `townhall serve` (gunicorn, JSON logs) serving the feed `townhall feed`
    printed, for a roadmap planned and published from the console."""
    port = _free_port()
    root = f"http://127.0.0.1:{port}"
    team = "T0SERVE"
    with FakeSlack() as fake:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "TOWNHALL_")) and k != "DATABASE_URL"
        }
        env.update(
            PYTHONPATH=str(ROOT),
            DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
            SLACK_API_URL=fake.url,
            SLACK_SIGNING_SECRET="serve-feed-signing-secret",
            SLACK_BOT_TOKEN=fake.workspace.bot_token,
            TOWNHALL_PUBLIC_URL=root,
            TOWNHALL_TEAM=team,
            COLUMNS="200",
        )

        def townhall(*args: str) -> str:
            proc = subprocess.run(
                [TOWNHALL, *args],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=180,
            )
            assert proc.returncode == 0, proc.stderr + proc.stdout
            return proc.stdout

        townhall("demo")
        townhall("chat", "-c", "plan time=2s")
        townhall("chat", "-c", "publish")
        url = json.loads(townhall("feed", "--format", "json"))["url"]
        secret = url.rsplit("/", 1)[1].removesuffix(".ics")
        args = ["serve", "--port", str(port), "--app", "tests.bot.minimal_bolt:build_app"]
        proc = subprocess.Popen(
            [TOWNHALL, *args],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    status, body = fetch(url)
                    break
                except OSError:
                    assert proc.poll() is None, proc.stdout.read().decode()
                    assert time.monotonic() < deadline, "townhall serve did not answer"
                    time.sleep(0.1)
            assert status == 200
            found = Calendar.from_ical(body).walk("VEVENT")
            assert any(str(e["summary"]).startswith("Go-live: ") for e in found)
            assert fetch(url.replace(secret, "x" * len(secret))) == (404, b"not found")
        finally:
            proc.terminate()
            output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output.decode()
    lines = [json.loads(line) for line in output.decode().splitlines()]
    paths = [line["path"] for line in lines if line["logger"] == "townhall.requests"]
    assert paths.count("/calendar/[redacted].ics") == 2
    assert secret not in output.decode()
