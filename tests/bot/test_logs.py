"""Structured logs: JSON fields, the request id following a request into Bolt's listener
threads, and secrets redacted from messages, arguments and exceptions."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import App

from bot.app import build_app as townhall_app
from bot.logs import (
    ContextThreadPoolExecutor,
    Redactor,
    bound,
    configure_logging,
    make_handler,
    secrets_of,
)
from bot.server import wsgi_app
from catalog.settings import Settings
from tests.bot.fakeslack import FakeSlack
from tests.bot.loopback import serve_wsgi
from tests.bot.signed import SlackRequests

SECRET = "logs-signing-secret"
log = logging.getLogger("tests.logs")


class Captured:
    def __init__(self) -> None:
        self.stream = io.StringIO()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    @property
    def text(self) -> str:
        return self.stream.getvalue()


@pytest.fixture
def captured() -> Iterator[Captured]:
    """Townhall's handler (JSON, redacting) on the root logger, writing to a buffer."""
    capture = Captured()
    settings = Settings(
        slack_signing_secret=SECRET,
        slack_client_secret="client-secret-value",
        database_url="postgresql://townhall:db-pa%24%24word@db.internal/townhall",
        redis_url="redis://:redis-password-1@redis.internal:6379/0",
        encryption_keys=("k" * 43 + "=",),
    )
    handler = make_handler(settings, stream=capture.stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield capture
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_json_lines_carry_level_logger_time_and_bound_ids(captured):
    with bound(request_id="req-1", job_id="job-9", team_id="T0ACME"):
        log.info("planned %d initiatives", 12)
    log.warning("unbound")
    first, second = captured.lines()
    assert first["message"] == "planned 12 initiatives"
    assert first["level"] == "INFO" and first["logger"] == "tests.logs"
    assert (first["request_id"], first["job_id"], first["team_id"]) == ("req-1", "job-9", "T0ACME")
    assert first["time"].endswith("+00:00")
    assert second["request_id"] is None and second["job_id"] is None
    assert "team_id" not in second


def test_bound_restores_the_outer_ids():
    from bot.logs import request_id

    with bound(request_id="outer"):
        with bound(request_id="inner", job_id="j"):
            assert request_id.get() == "inner"
        assert request_id.get() == "outer"
    assert request_id.get() is None


def test_the_executor_runs_tasks_in_the_submitters_context(captured):
    with ContextThreadPoolExecutor(max_workers=1) as pool, bound(request_id="req-pool"):
        pool.submit(log.info, "in the pool").result()
    with ContextThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(log.info, "unbound in the pool").result()
    assert [line["request_id"] for line in captured.lines()] == ["req-pool", None]


@pytest.mark.parametrize(
    "token",
    [
        "xoxb-1234-5678-abcdEFGH",
        "xoxp-1-2-3-abc",
        "xoxa-2-abc",
        "xoxr-abc-1",
        "xoxe.xoxb-1-abc",
        "xoxe-1-abcdef",
        "xapp-1-A0-123-abc",
    ],
)
def test_slack_tokens_are_redacted_from_messages_and_arguments(captured, token):
    log.info(f"token in the message {token}")
    log.info("token in an argument %s", token)
    log.info("token in an extra", extra={"detail": f"got {token}"})
    assert token not in captured.text
    assert captured.text.count("[redacted]") == 3


def test_configured_secrets_are_redacted_even_inside_exceptions(captured):
    try:
        raise RuntimeError(
            "connect failed: postgresql://townhall:db-pa$$word@db.internal "
            "secret=logs-signing-secret redis-password-1 client-secret-value"
        )
    except RuntimeError:
        log.exception("boom with %s", "xoxb-999-leak")
    (line,) = captured.lines()
    for secret in ("db-pa$$word", SECRET, "redis-password-1", "client-secret-value", "xoxb-999"):
        assert secret not in captured.text
    assert "RuntimeError: connect failed" in line["exc_info"]
    assert line["message"] == "boom with [redacted]"


def test_secrets_of_settings_cover_urls_and_keys():
    settings = Settings(
        slack_bot_token="xoxb-tok",
        slack_app_token="xapp-tok",
        database_url="postgresql://u:p%40ssw0rd@h/d",
        encryption_keys=("key-one-value", "key-two-value"),
    )
    secrets = secrets_of(settings)
    assert {"p%40ssw0rd", "p@ssw0rd", "key-one-value", "key-two-value"} <= set(secrets)
    assert Redactor(secrets)("dsn p@ssw0rd key-two-value") == "dsn [redacted] [redacted]"
    assert (
        Redactor(["abc"])("abc stays: too short to search for")
        == "abc stays: too short to search for"
    )


def test_text_format_for_terminals():
    stream = io.StringIO()
    handler = make_handler(Settings(log_format="text"), stream=stream)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello %s", ("xoxb-1-2",), None)
    with bound(request_id="r-text"):
        assert handler.filter(record)
    output = handler.format(record)
    assert "hello [redacted]" in output and "request_id=r-text" in output
    assert not output.startswith("{")


def test_configure_logging_replaces_its_own_handler():
    root = logging.getLogger()
    level = root.level
    try:
        configure_logging(Settings(), stream=io.StringIO())
        configure_logging(Settings(), stream=io.StringIO())
        assert sum(getattr(h, "_townhall", False) for h in root.handlers) == 1
        assert root.level == logging.INFO
    finally:
        for handler in [h for h in root.handlers if getattr(h, "_townhall", False)]:
            root.removeHandler(handler)
        root.setLevel(level)


def _probe_builder(**kwargs: Any) -> App:
    """Townhall's real app (its listener executor) plus a `/probe` command that logs."""
    app = townhall_app(**kwargs)

    @app.command("/probe")
    def probe(ack: Any, command: dict[str, Any]) -> None:
        logging.getLogger("tests.listener").info("listener saw %s", command["text"])
        ack(text="probed")

    return app


def test_the_request_id_reaches_a_bolt_listeners_log_lines(captured, session_factory):
    with FakeSlack() as fake:
        settings = Settings(
            slack_signing_secret=SECRET,
            slack_bot_token=fake.workspace.bot_token,
            slack_api_url=fake.url,
        )
        app = wsgi_app(settings=settings, builder=_probe_builder, session_factory=session_factory)
        slack = SlackRequests.for_workspace(fake.workspace, signing_secret=SECRET)
        with serve_wsgi(app) as root:
            reply = slack.command("xoxb-sent-in-text", command="/probe").send(
                f"{root}/slack/events"
            )
    assert reply.status == 200 and "probed" in reply.text
    request_id = reply.headers["x-request-id"]
    lines = captured.lines()
    listener = [line for line in lines if line["logger"] == "tests.listener"]
    assert len(listener) == 1
    assert listener[0]["request_id"] == request_id
    assert listener[0]["team_id"] == fake.workspace.team_id
    assert listener[0]["message"] == "listener saw [redacted]"
    (request_line,) = [line for line in lines if line["logger"] == "townhall.requests"]
    assert request_line["request_id"] == request_id
    assert request_line["method"] == "POST" and request_line["path"] == "/slack/events"
    assert request_line["status"] == 200 and request_line["kind"] == "command"
    assert request_line["command"] == "other"
    assert request_line["duration_ms"] >= 0
    assert "xoxb-sent-in-text" not in captured.text
    assert SECRET not in captured.text
