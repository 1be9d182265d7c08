"""The HTTP transport: health, routing and signatures through the WSGI app on loopback,
and `townhall serve` as a real process on gunicorn."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.server import (
    DEFAULT_BUILDER,
    SlackWsgi,
    StartupError,
    bolt_app,
    load_builder,
    serve,
    wsgi_app,
)
from catalog.db import session_factory_for
from catalog.settings import Settings
from tests.bot.fakeslack import FakeSlack
from tests.bot.loopback import serve_wsgi
from tests.bot.minimal_bolt import build_app
from tests.bot.signed import SlackRequests, get, post

SECRET = "server-signing-secret"
ROOT = Path(__file__).resolve().parents[2]
TOWNHALL = str(Path(sys.executable).with_name("townhall"))


@pytest.fixture
def fake():
    with FakeSlack() as fake:
        yield fake


def _settings(fake: FakeSlack, **changes: str) -> Settings:
    return Settings(
        slack_signing_secret=SECRET,
        slack_bot_token=fake.workspace.bot_token,
        slack_api_url=fake.url,
        **changes,
    )


@pytest.fixture
def served(fake, session_factory):
    app = wsgi_app(settings=_settings(fake), builder=build_app, session_factory=session_factory)
    with serve_wsgi(app) as root:
        yield root


def _requests(fake: FakeSlack) -> SlackRequests:
    return SlackRequests.for_workspace(fake.workspace, signing_secret=SECRET)


def test_healthz_answers_ok(served):
    reply = get(f"{served}/healthz")
    assert reply.status == 200
    assert reply.text == "ok"


def test_healthz_refuses_other_methods(served):
    reply = post(f"{served}/healthz", body=b"", headers={})
    assert reply.status == 405


@pytest.mark.parametrize("path", ["/", "/nope", "/slack/install", "/slack/oauth_redirect"])
def test_unknown_paths_are_404(served, path):
    assert get(f"{served}{path}").status == 404


def test_events_route_runs_the_bolt_app(served, fake):
    reply = _requests(fake).command("plan budget=1M").send(f"{served}/slack/events")
    assert reply.status == 200
    assert "pong plan budget=1M" in reply.text


@pytest.mark.parametrize("spoil", ["forged", "stale", "unsigned"])
def test_events_route_verifies_signatures(served, fake, spoil):
    request = getattr(_requests(fake).command("plan"), spoil)()
    reply = request.send(f"{served}/slack/events")
    assert reply.status == 401
    assert "pong" not in reply.text


def test_events_route_takes_only_post(served):
    assert get(f"{served}/slack/events").status == 404


def _get_with(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    split = url.removeprefix("http://").split("/", 1)
    host, port = split[0].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", "/" + split[1], headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_readyz_reports_the_database_and_no_redis(served):
    reply = get(f"{served}/readyz")
    assert reply.status == 200
    assert reply.json() == {
        "status": "ready",
        "checks": {"database": "ok", "redis": "not configured"},
    }


def _closed_port() -> int:
    return _free_port()  # bound, then released: nothing listens there


def test_readyz_is_503_when_the_database_does_not_answer(fake):
    url = f"postgresql://townhall:hunter2-db-pass@127.0.0.1:{_closed_port()}/townhall"
    settings = _settings(fake, database_url=url)
    app = wsgi_app(settings=settings, builder=build_app, session_factory=session_factory_for(url))
    with serve_wsgi(app) as root:
        started = time.perf_counter()
        reply = get(f"{root}/readyz")
        took = time.perf_counter() - started
        assert get(f"{root}/healthz").status == 200  # liveness does not depend on it
    assert reply.status == 503
    body = reply.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"].startswith("OperationalError")
    assert "hunter2-db-pass" not in reply.text
    assert took < 2.5


def test_readyz_is_503_when_redis_does_not_answer(fake, session_factory):
    redis_url = f"redis://:hunter2-redis-pass@127.0.0.1:{_closed_port()}/13"
    settings = _settings(fake, redis_url=redis_url)
    app = wsgi_app(settings=settings, builder=build_app, session_factory=session_factory)
    with serve_wsgi(app) as root:
        reply = get(f"{root}/readyz")
    assert reply.status == 503
    checks = reply.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["redis"].startswith("ConnectionError")
    assert "hunter2-redis-pass" not in reply.text


def test_readyz_pings_a_running_redis(fake, session_factory):
    redis_url = Settings.from_env().redis_url
    if not redis_url or not redis_url.startswith("redis://"):
        pytest.skip("REDIS_URL does not point to a Redis server")
    app = wsgi_app(
        settings=_settings(fake, redis_url=redis_url),
        builder=build_app,
        session_factory=session_factory,
    )
    with serve_wsgi(app) as root:
        reply = get(f"{root}/readyz")
    assert reply.status == 200, reply.text
    assert reply.json()["checks"] == {"database": "ok", "redis": "ok"}


def test_every_answer_carries_a_request_id(served, fake):
    status, headers, _ = _get_with(f"{served}/healthz", {})
    assert status == 200 and len(headers["x-request-id"]) == 32
    _, headers, _ = _get_with(f"{served}/healthz", {"X-Request-Id": "lb-abc.123"})
    assert headers["x-request-id"] == "lb-abc.123"  # the load balancer's id is kept
    _, headers, _ = _get_with(f"{served}/healthz", {"X-Request-Id": "bad id\twith spaces"})
    assert headers["x-request-id"] != "bad id\twith spaces"
    assert len(headers["x-request-id"]) == 32
    reply = _requests(fake).command("plan").send(f"{served}/slack/events")
    assert len(reply.headers["x-request-id"]) == 32


def test_missing_configuration_names_every_variable(session_factory):
    with pytest.raises(StartupError) as caught:
        bolt_app(settings=Settings(), builder=build_app, session_factory=session_factory)
    message = str(caught.value)
    assert "SLACK_SIGNING_SECRET" in message
    assert "SLACK_BOT_TOKEN" in message and "SLACK_CLIENT_ID" in message


def test_serve_checks_settings_before_starting(tmp_path):
    with pytest.raises(StartupError, match="SLACK_SIGNING_SECRET"):
        serve(settings=Settings(slack_bot_token="xoxb-1"), host="127.0.0.1", port=1)


def test_builders_are_named_module_colon_function():
    assert load_builder("tests.bot.minimal_bolt:build_app") is build_app
    assert DEFAULT_BUILDER == "bot.app:build_app"
    for spec, words in [
        ("tests.bot.minimal_bolt", "module:function"),
        ("tests.bot.no_such_module:build_app", "cannot import"),
        ("tests.bot.minimal_bolt:nothing", "no function nothing"),
    ]:
        with pytest.raises(StartupError, match=words):
            load_builder(spec)


def test_the_wsgi_app_wraps_the_bolt_app(fake, session_factory):
    app = wsgi_app(settings=_settings(fake), builder=build_app, session_factory=session_factory)
    assert isinstance(app, SlackWsgi)
    assert app.bolt_app.oauth_flow is None  # a bot token: no OAuth routes


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(fake: FakeSlack, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SLACK_") and key != "DATABASE_URL"
    }
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        SLACK_API_URL=fake.url,
        **extra,
    )
    return env


def test_townhall_serve_answers_health_checks_and_slack(fake, tmp_path):
    port = _free_port()
    env = _environment(
        fake, tmp_path, SLACK_SIGNING_SECRET=SECRET, SLACK_BOT_TOKEN=fake.workspace.bot_token
    )
    args = ["serve", "--port", str(port), "--app", "tests.bot.minimal_bolt:build_app"]
    proc = subprocess.Popen(
        [TOWNHALL, *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    root = f"http://127.0.0.1:{port}"
    try:
        health = _wait_until_up(f"{root}/healthz", proc)
        assert health.status == 200 and health.text == "ok"
        reply = _requests(fake).command("hello").send(f"{root}/slack/events")
        assert reply.status == 200 and "pong hello" in reply.text
        assert _requests(fake).command("hello").forged().send(f"{root}/slack/events").status == 401
        ready = get(f"{root}/readyz")
        assert ready.status == 200 and ready.json()["checks"]["database"] == "ok"
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output.decode()
    lines = [json.loads(line) for line in output.decode().splitlines()]  # every line is JSON
    requests = [line for line in lines if line["logger"] == "townhall.requests"]
    slack = [line for line in requests if line["path"] == "/slack/events"]
    assert [line["status"] for line in slack] == [200, 401]
    assert slack[0]["request_id"] == reply.headers["x-request-id"]
    assert slack[0]["kind"] == "command" and slack[0]["command"] == "other"
    assert any(line["logger"] == "gunicorn.error" for line in lines)  # gunicorn's own, as JSON
    assert fake.workspace.bot_token not in output.decode()
    assert SECRET not in output.decode()


def test_townhall_serve_with_several_workers_sums_their_metrics(fake, tmp_path):
    port = _free_port()
    env = _environment(
        fake, tmp_path, SLACK_SIGNING_SECRET=SECRET, SLACK_BOT_TOKEN=fake.workspace.bot_token
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    args = ["serve", "--port", str(port), "--workers", "3", "--threads", "2"]
    proc = subprocess.Popen(
        [TOWNHALL, *args, "--app", "tests.bot.minimal_bolt:build_app"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    root = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{root}/healthz", proc)
        for n in range(12):
            reply = _requests(fake).command(f"plan {n}").send(f"{root}/slack/events")
            assert reply.status == 200
        scrapes = [get(f"{root}/metrics").text for _ in range(6)]  # lands on any worker
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output.decode()
    for text in scrapes:
        assert 'townhall_requests_total{command="plan",kind="command",outcome="ok"} 12.0' in text
        assert text.count('townhall_jobs{status="queued"}') == 1  # counted once, not per worker


def _wait_until_up(url: str, proc: subprocess.Popen):
    deadline = time.monotonic() + 60
    while True:
        try:
            return get(url, timeout=5)
        except OSError:
            if proc.poll() is not None:
                output = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"townhall serve exited with {proc.returncode}:\n{output}")
            if time.monotonic() > deadline:
                pytest.fail("townhall serve did not answer within 60 s")
            time.sleep(0.1)


def test_townhall_serve_fails_clearly_without_a_signing_secret(fake, tmp_path):
    env = _environment(fake, tmp_path, SLACK_BOT_TOKEN="xoxb-1")
    proc = subprocess.run(
        [TOWNHALL, "serve", "--port", str(_free_port())],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "SLACK_SIGNING_SECRET is not set" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_townhall_socket_fails_clearly_without_an_app_token(fake, tmp_path):
    env = _environment(fake, tmp_path, SLACK_BOT_TOKEN=fake.workspace.bot_token)
    proc = subprocess.run(
        [TOWNHALL, "socket", "--app", "tests.bot.minimal_bolt:build_app"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "SLACK_APP_TOKEN is not set" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_default_builder_is_townhalls_app(fake, session_factory):
    """`townhall serve` without --app serves bot.app.build_app behind the same routes."""
    app = wsgi_app(
        settings=_settings(fake), builder=load_builder(), session_factory=session_factory
    )
    with serve_wsgi(app) as root:
        assert get(f"{root}/healthz").text == "ok"
        request = SlackRequests.for_workspace(
            fake.workspace, signing_secret=SECRET, response_urls=fake.response_url
        ).command("help")
        assert request.send(f"{root}/slack/events").status == 200
        assert request.forged().send(f"{root}/slack/events").status == 401
