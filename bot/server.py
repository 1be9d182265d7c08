"""The HTTP transport: one WSGI application for Slack and the platform.

Routes:
    POST /slack/events          every Slack request (commands, interactivity, events),
                                signature-checked by Bolt
    GET  /slack/install         OAuth mode: redirect to Slack's authorize page
    GET  /slack/oauth_redirect  OAuth mode: Slack sends the installer back here
    GET  /healthz               200 `ok` for the platform's health checks

`townhall serve` runs it on gunicorn with threaded workers; `bolt_app` and
`load_builder` are shared with Socket Mode (`bot.socket_mode`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

from gunicorn.app.base import BaseApplication
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy.orm import Session, sessionmaker

from bot.oauth import oauth_settings
from catalog.db import session_factory_for, upgrade
from catalog.settings import Settings

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
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
    """WSGI application: `/healthz` here, everything else through Bolt's WSGI adapter."""

    def __init__(self, bolt_app: App) -> None:
        self.bolt_app = bolt_app
        self._slack = SlackRequestHandler(bolt_app, path=EVENTS_PATH)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            return _health(environ, start_response)
        return self._slack(environ, start_response)


def _health(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    method = environ.get("REQUEST_METHOD", "GET")
    if method not in ("GET", "HEAD"):
        start_response(
            "405 Method Not Allowed", [("Content-Type", "text/plain"), ("Allow", "GET, HEAD")]
        )
        return [b"method not allowed"]
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [] if method == "HEAD" else [b"ok"]


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
    if problems:
        raise StartupError("\n".join(problems))


def prepare_database(settings: Settings) -> None:
    """Migrate the embedded SQLite database; PostgreSQL is migrated by the release step."""
    if settings.database_url.startswith("sqlite"):
        upgrade(settings.database_url)


def bolt_app(
    *,
    settings: Settings,
    builder: AppBuilder,
    session_factory: sessionmaker[Session] | None = None,
    socket_mode: bool = False,
) -> App:
    """The Bolt app for `settings`, with OAuth installs when a client id and secret are set."""
    check_settings(settings, socket_mode=socket_mode)
    session_factory = session_factory or session_factory_for(settings.database_url)
    extra: dict[str, Any] = {}
    if settings.oauth_enabled:
        extra["oauth_settings"] = oauth_settings(settings=settings, session_factory=session_factory)
    return builder(settings=settings, session_factory=session_factory, **extra)


def wsgi_app(
    *,
    settings: Settings,
    builder: AppBuilder,
    session_factory: sessionmaker[Session] | None = None,
) -> SlackWsgi:
    """The WSGI application serving `settings`' Slack app."""
    return SlackWsgi(bolt_app(settings=settings, builder=builder, session_factory=session_factory))


def create_wsgi(builder_spec: str = DEFAULT_BUILDER) -> SlackWsgi:
    """The WSGI application configured from the environment, for any WSGI server
    (`gunicorn 'bot.server:create_wsgi()'`)."""
    settings = Settings.from_env()
    return wsgi_app(settings=settings, builder=load_builder(builder_spec))


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
    _Gunicorn(
        lambda: create_wsgi(builder_spec),
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "accesslog": "-",
            "errorlog": "-",
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

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> SlackWsgi:
        return self._load()
