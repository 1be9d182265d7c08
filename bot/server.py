"""The HTTP transport: one WSGI application for Slack and the platform.

Routes:
    POST /slack/events          every Slack request (commands, interactivity, events):
                                capped at 1 MiB (413), signature-checked before it is
                                parsed (401), read by its content (`bot.slack_intake`),
                                then dispatched by Bolt
    GET  /slack/install         OAuth mode: redirect to Slack's authorize page
    GET  /slack/oauth_redirect  OAuth mode: Slack sends the installer back here
    GET  /healthz               200 `ok` for the platform's health checks (liveness)
    GET  /readyz                200 when the database (and Redis, if configured) answer,
                                503 naming the failing check otherwise
    GET  /metrics               Prometheus metrics (`bot.metrics`)
    GET  /calendar/<secret>.ics the calendar feed (`bot.calendar_feed`): the published
                                roadmap as iCalendar, ETag and 304; 404 for any wrong
                                secret; the request log writes the path without it

Every request gets a request id (the caller's `X-Request-Id` when it is sane, else a
new one), returned as `X-Request-Id`, bound to every log line written while serving it
(and by the Bolt listeners it starts) and logged once when answered: method, path,
status, milliseconds, and for Slack requests their kind and subcommand; never a body.

`townhall serve` runs it on gunicorn with threaded workers; `bolt_app` and
`load_builder` are shared with Socket Mode (`bot.socket_mode`).
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Protocol

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as GunicornLogger
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot import gunicorn_config, metrics
from bot.calendar_feed import CalendarFeed, is_feed_path, loggable_path
from bot.logs import Redactor, bound, configure_logging, secrets_of
from bot.oauth import oauth_settings
from bot.readiness import ReadinessProbe, token_key_check
from bot.request_labels import OTHER, Labels, labels
from bot.slack_intake import (
    MAX_BODY_BYTES,
    BadLength,
    MalformedBody,
    ParsedRequest,
    parse_body,
    read_capped,
    signature_problem,
)
from bot.token_cipher import EncryptionKeyError, TokenCipher, check_stored_tokens
from catalog.db import make_engine, session_factory_for, upgrade
from catalog.settings import Settings

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
#: A caller's request id is kept only if it looks like one (no log injection, no novels).
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
#: Platform probes are logged at DEBUG, not once a second at INFO.
_QUIET_PATHS = frozenset({HEALTH_PATH, READY_PATH, METRICS_PATH})

#: The environ key under which the events route leaves a Slack request's labels for
#: the request log line and metrics.
SLACK_LABELS = "townhall.slack_labels"

logger = logging.getLogger("townhall.requests")
#: Where the Bolt app comes from unless `--app` says otherwise.
DEFAULT_BUILDER = "bot.app:build_app"


class StartupError(Exception):
    """The configuration cannot serve Slack; the message says what to set, one line each."""


class AppBuilder(Protocol):
    """Builds the Bolt app (`bot.app.build_app` has this signature)."""

    def __call__(
        self,
        *,
        settings: Settings,
        session_factory: sessionmaker[Session],
        oauth_settings: Any = None,
    ) -> App: ...


class SlackWsgi:
    """WSGI application: `/healthz`, `/readyz` and `/metrics` here; `POST /slack/events`
    through `bot.slack_intake` (cap, signature, body) into the Bolt app; anything else
    (OAuth's install pages, 404s) through Bolt's WSGI adapter; all of it behind the
    request-id and request-log layer."""

    def __init__(
        self,
        bolt_app: App,
        *,
        session_factory: sessionmaker[Session] | None = None,
        settings: Settings | None = None,
    ) -> None:
        settings = settings or Settings()
        self.bolt_app = bolt_app
        self.session_factory = session_factory
        self._signing_secret = settings.slack_signing_secret
        self._slack = SlackRequestHandler(bolt_app, path=EVENTS_PATH)
        self._readiness = (
            ReadinessProbe(
                session_factory=session_factory,
                redis_url=settings.redis_url,
                redact=Redactor(secrets_of(settings)),
                token_keys=token_key_check(settings, session_factory),
            )
            if session_factory is not None
            else None
        )
        self._redis = metrics.redis_for_metrics(settings.redis_url)
        self._calendar = CalendarFeed(session_factory)
        self._logged = RequestLog(self._route)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self._logged(environ, start_response)

    def _route(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if path == HEALTH_PATH:
            return health_response(environ, start_response)
        if path == READY_PATH:
            return self._ready(environ, start_response)
        if path == METRICS_PATH:
            return self._metrics(environ, start_response)
        if path and is_feed_path(path):
            return self._calendar(environ, start_response)
        if path == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            return self._events(environ, start_response)
        return self._slack(environ, start_response)

    def _events(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """A Slack request: capped, its signature checked, its body read, then Bolt's."""
        environ[SLACK_LABELS] = OTHER
        try:
            body = read_capped(environ, MAX_BODY_BYTES)
        except BadLength:
            return _refuse(start_response, 400, "bad content length")
        if body is None:
            return _refuse(start_response, 413, "request body too large")
        content_type = environ.get("CONTENT_TYPE") or ""
        slack = labels(body, content_type)
        environ[SLACK_LABELS] = slack._replace(team_id=None)  # a workspace once it is signed
        problem = signature_problem(
            body,
            timestamp=environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
            signature=environ.get("HTTP_X_SLACK_SIGNATURE"),
            signing_secret=self._signing_secret,
        )
        if problem is not None:
            logger.debug("refused a Slack request: %s", problem)
            return _refuse(start_response, 401, "invalid request")
        environ[SLACK_LABELS] = slack
        with bound(team_id=slack.team_id):
            wsgi_request = WsgiHttpRequest(environ)
            try:
                parsed = parse_body(body, content_type)  # UTF-8, or MalformedBody
                request = ParsedRequest(
                    raw_body=body.decode("utf-8"),
                    body=parsed,
                    query=wsgi_request.query_string,
                    headers=wsgi_request.get_headers(),
                )
            except MalformedBody as exc:
                logger.warning("refused a signed Slack request: %s", exc)
                return _refuse(start_response, 400, "malformed request")
            answer = self.bolt_app.dispatch(request)
        response = WsgiHttpResponse(status=answer.status, headers=answer.headers, body=answer.body)
        start_response(response.status, response.get_headers())
        return response.get_body()

    def _ready(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return ready_response(self._readiness, environ, start_response)

    def _metrics(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return metrics_response(self.session_factory, self._redis, environ, start_response)


def ready_response(
    readiness: ReadinessProbe | None, environ: WSGIEnvironment, start_response: StartResponse
) -> Iterable[bytes]:
    """`GET /readyz`: 200 with every check `ok`, 503 naming the failing one (HTTP and
    Socket Mode processes alike)."""
    if (refused := _only_get(environ, start_response)) is not None:
        return refused
    if readiness is None:
        start_response("503 Service Unavailable", [("Content-Type", "application/json")])
        return [b'{"status":"unavailable","checks":{"database":"not configured"}}']
    verdict = readiness()
    body = json.dumps(verdict.as_json()).encode()
    status = "200 OK" if verdict.ready else "503 Service Unavailable"
    headers = [("Content-Type", "application/json"), ("Cache-Control", "no-store")]
    start_response(status, [*headers, ("Content-Length", str(len(body)))])
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]


def metrics_response(
    session_factory: sessionmaker[Session] | None,
    redis: Any,
    environ: WSGIEnvironment,
    start_response: StartResponse,
) -> Iterable[bytes]:
    """`GET /metrics`: the Prometheus exposition (`bot.metrics.exposition`)."""
    if (refused := _only_get(environ, start_response)) is not None:
        return refused
    body = metrics.exposition(session_factory, redis=redis)
    start_response(
        "200 OK", [("Content-Type", metrics.CONTENT_TYPE), ("Content-Length", str(len(body)))]
    )
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]


def _refuse(start_response: StartResponse, status: int, error: str) -> list[bytes]:
    """A short JSON refusal, as Bolt answers (`{"error": "invalid request"}`)."""
    body = json.dumps({"error": error}).encode()
    start_response(
        f"{status} {HTTPStatus(status).phrase}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


class RequestLog:
    """WSGI middleware: a request id for every request (bound for logs, returned as
    `X-Request-Id`), one log line when it is answered, and for Slack's requests the
    `townhall_requests_total` / `townhall_ack_seconds` metrics.

    The events route leaves the Slack request's labels (kind, subcommand, team) in the
    environ (`SLACK_LABELS`); neither the body nor any header is logged.
    """

    def __init__(self, app: Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        request_id = _request_id(environ.get("HTTP_X_REQUEST_ID"))
        method = environ.get("REQUEST_METHOD", "GET")
        path = loggable_path(environ.get("PATH_INFO", ""))  # never a feed's secret
        seen: dict[str, int] = {}

        def respond(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"] = int(status.split(" ", 1)[0])
            headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
            return start_response(status, [*headers, ("X-Request-Id", request_id)], exc_info)

        with bound(request_id=request_id):
            try:
                answer = self.app(environ, respond)
            except Exception:
                seen["status"] = 500
                raise
            finally:
                log_request(
                    method=method,
                    path=path,
                    status=seen.get("status", 500),
                    seconds=time.perf_counter() - started,
                    slack=environ.get(SLACK_LABELS),
                )
        return answer


def log_request(
    *,
    method: str,
    path: str,
    status: int,
    seconds: float,
    slack: Labels | None,
    extra: dict[str, Any] | None = None,
) -> None:
    """The request log line (method, path, status, milliseconds; for Slack's requests
    their kind, subcommand and workspace) and, for Slack's, the request and
    acknowledgement metrics. HTTP's `RequestLog` and Socket Mode's envelopes
    (`bot.socket_mode`) both end here; the request id is the one bound by the caller."""
    fields: dict[str, Any] = {
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": round(seconds * 1000, 1),
        **(extra or {}),
    }
    if slack is not None:
        fields.update(kind=slack.kind, command=slack.command)
        metrics.observe_request(
            kind=slack.kind, command=slack.command, status=status, seconds=seconds
        )
    level = logging.DEBUG if path in _QUIET_PATHS and status < 500 else logging.INFO
    with bound(team_id=slack.team_id if slack else None):
        logger.log(level, "%s %s %s", method, path, status, extra=fields)


def _request_id(given: str | None) -> str:
    if given and SANE_REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def _only_get(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes] | None:
    if environ.get("REQUEST_METHOD", "GET") in ("GET", "HEAD"):
        return None
    start_response(
        "405 Method Not Allowed", [("Content-Type", "text/plain"), ("Allow", "GET, HEAD")]
    )
    return [b"method not allowed"]


def health_response(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """`GET /healthz`: `200 ok` while the process lives (HTTP and Socket Mode alike)."""
    if (refused := _only_get(environ, start_response)) is not None:
        return refused
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [b"ok"]


def load_builder(spec: str = DEFAULT_BUILDER) -> AppBuilder:
    """The function named by `module:function`, e.g. `bot.app:build_app`."""
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise StartupError(f"--app takes module:function, not {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise StartupError(f"cannot import {module_name}: {exc}") from exc
    builder = getattr(module, attribute, None)
    if not callable(builder):
        raise StartupError(f"{module_name} has no function {attribute}")
    return builder


def check_settings(settings: Settings, *, socket_mode: bool = False) -> None:
    """Raise StartupError naming every missing or inconsistent Slack setting."""
    problems = settings.slack_problems(socket_mode=socket_mode)
    if settings.oauth_enabled:
        try:
            TokenCipher.from_settings(settings)
        except EncryptionKeyError as exc:
            problems.append(str(exc))
    if problems:
        raise StartupError("\n".join(problems))


def prepare_database(settings: Settings) -> None:
    """Migrate the embedded SQLite database (PostgreSQL is migrated by the release step);
    with OAuth installs, raise StartupError when stored tokens do not open with
    `TOWNHALL_ENCRYPTION_KEY` (README "Operations"): every request from their workspaces
    would fail."""
    if settings.database_url.startswith("sqlite"):
        upgrade(settings.database_url)
    if settings.oauth_enabled:
        engine = make_engine(settings.database_url)
        try:
            check_stored_tokens(engine, TokenCipher.from_settings(settings))
        except EncryptionKeyError as exc:
            raise StartupError(str(exc)) from None
        except SQLAlchemyError as exc:  # `/readyz` reports the database; nothing to add here
            logger.warning("the stored OAuth tokens could not be checked: %s", type(exc).__name__)
        finally:
            engine.dispose()


def check_slack(settings: Settings) -> None:
    """A single-workspace install's bot token tried with `auth.test` before gunicorn
    starts: Bolt tries it in every worker, and a worker that cannot reach Slack fails to
    boot with a traceback (README "Slack"). OAuth installs have no token to try."""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError, SlackClientError

    if settings.oauth_enabled or not settings.slack_bot_token:
        return
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=10)
    try:
        client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
        raise StartupError(
            f"Slack refused SLACK_BOT_TOKEN ({error or exc.response.status_code}) at "
            f"{settings.slack_api_url} (SLACK_API_URL): use the app's Bot User OAuth Token "
            "(xoxb-…) from its OAuth & Permissions page"
        ) from None
    except (OSError, ValueError, SlackClientError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise StartupError(
            f"cannot reach Slack's Web API at {settings.slack_api_url} (SLACK_API_URL) to "
            f"check SLACK_BOT_TOKEN: {reason}. Check SLACK_API_URL (unset, it is "
            "https://slack.com/api/) and this machine's network, then start again"
        ) from None


def bolt_app(
    *,
    settings: Settings,
    builder: AppBuilder,
    session_factory: sessionmaker[Session] | None = None,
    socket_mode: bool = False,
    recover_jobs: bool = False,
) -> App:
    """The Bolt app for `settings`, with OAuth installs when a client id and secret are set.

    `recover_jobs`: a server's app runs the recovery sweep of the jobs it runs itself (when
    there is no Redis queue), if its builder takes that option as `bot.app.build_app` does.
    """
    check_settings(settings, socket_mode=socket_mode)
    session_factory = session_factory or session_factory_for(settings.database_url)
    extra: dict[str, Any] = {}
    if settings.oauth_enabled:
        extra["oauth_settings"] = oauth_settings(settings=settings, session_factory=session_factory)
    if recover_jobs and "recover_jobs" in inspect.signature(builder).parameters:
        extra["recover_jobs"] = True
    return builder(settings=settings, session_factory=session_factory, **extra)


def wsgi_app(
    *,
    settings: Settings,
    builder: AppBuilder,
    session_factory: sessionmaker[Session] | None = None,
    recover_jobs: bool = False,
) -> SlackWsgi:
    """The WSGI application serving `settings`' Slack app (see `bolt_app`)."""
    session_factory = session_factory or session_factory_for(settings.database_url)
    app = bolt_app(
        settings=settings,
        builder=builder,
        session_factory=session_factory,
        recover_jobs=recover_jobs,
    )
    return SlackWsgi(app, session_factory=session_factory, settings=settings)


def create_wsgi(builder_spec: str = DEFAULT_BUILDER) -> SlackWsgi:
    """The WSGI application configured from the environment, for any WSGI server
    (`gunicorn 'bot.server:create_wsgi()'`)."""
    settings = Settings.from_env()
    configure_logging(settings)
    return wsgi_app(settings=settings, builder=load_builder(builder_spec), recover_jobs=True)


def serve(
    *,
    settings: Settings,
    host: str,
    port: int,
    builder_spec: str = DEFAULT_BUILDER,
    workers: int = 1,
    threads: int = 8,
) -> None:
    """Serve Slack over HTTP on gunicorn (threaded workers) until stopped.

    Everything that can be checked before the workers start is checked here, so a bad
    configuration fails at once with a StartupError instead of a crash loop.
    """
    check_settings(settings)
    load_builder(builder_spec)
    prepare_database(settings)
    check_slack(settings)
    metrics.clear_multiprocess_dir()
    _Gunicorn(
        lambda: create_wsgi(builder_spec),
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            # the request log line (RequestLog) is the access log, with the request id
            "accesslog": None,
            "errorlog": "-",
            "logger_class": JsonGunicornLogger,
            "child_exit": _child_exit,
            "timeout": 60,
            "graceful_timeout": 20,
            "forwarded_allow_ips": "*",
        },
    ).run()


class _Gunicorn(BaseApplication):
    """gunicorn run from Python with a fixed configuration and a lazy app factory."""

    def __init__(self, load: Callable[[], SlackWsgi], options: dict[str, Any]) -> None:
        self._load = load
        self._options = options
        super().__init__()

    def load_config(self) -> None:  # over these: gunicorn.conf.py, GUNICORN_CMD_ARGS, CLI
        gunicorn_config.apply(self.cfg, self._options)

    def load(self) -> SlackWsgi:
        return self._load()


class JsonGunicornLogger(GunicornLogger):
    """gunicorn's logger with its own handlers removed: its error (and, if enabled,
    access) lines propagate to the root logger, which `configure_logging` set up, so they
    come out as the same redacted JSON lines as everything else."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in list(log.handlers):
                log.removeHandler(handler)
            log.propagate = True


def _child_exit(server: Any, worker: Any) -> None:
    metrics.mark_process_dead(worker.pid)
