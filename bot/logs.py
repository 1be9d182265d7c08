"""Structured logs: one JSON object a line on stderr, tagged with the request or job it
belongs to, with Slack tokens and configured secrets redacted before anything is written.

`configure_logging(settings)` is called once by each long-running entry point (`townhall
serve`, `socket`, `worker`), at the level `LOG_LEVEL` names (INFO by default).
`bound(request_id=..., job_id=..., team_id=...)` tags every line logged inside it;
`ContextThreadPoolExecutor` carries those tags into the threads Bolt runs listeners on,
so a listener's lines carry the id of the request that started it.

Request bodies are never logged: Bolt's signature check writes the whole refused body
into an INFO line, which `WithoutBodies` cuts off on Bolt's logger once this module is
imported (before any Bolt app is built: `bot.app` imports it).
"""

from __future__ import annotations

import contextvars
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar
from urllib.parse import quote, unquote, urlsplit

from pythonjsonlogger.json import JsonFormatter

from catalog.settings import Settings

REDACTED = "[redacted]"
#: Secrets shorter than this are not searched for: redacting every "abc" would garble
#: the logs and protect nothing a token pattern does not already cover.
MIN_SECRET_LENGTH = 6
#: Slack tokens of every kind: bot, user, app-level, legacy, refresh and rotating ones
#: (`xoxe.xoxb-…`, `xoxe-1-…`).
SLACK_TOKEN = re.compile(r"\b(?:xox[abprse](?:\.xox[a-z])?|xapp)-[A-Za-z0-9-]+")
#: A calendar feed's address, whose last part is the feed's secret (`bot.calendar_feed`).
FEED_PATH = re.compile(r"/calendar/[A-Za-z0-9_-]+\.ics")

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "townhall_request_id", default=None
)
job_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("townhall_job_id", default=None)
team_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "townhall_team_id", default=None
)

_VARIABLES = {"request_id": request_id, "job_id": job_id, "team_id": team_id}
_UNSET: Any = object()
P = ParamSpec("P")
T = TypeVar("T")


@contextmanager
def bound(
    *, request_id: str | None = _UNSET, job_id: str | None = _UNSET, team_id: str | None = _UNSET
) -> Iterator[None]:
    """Tag every log line written inside the block (in this thread, and in threads
    started through `ContextThreadPoolExecutor`) with the given ids; arguments left out
    keep their current value."""
    values = {"request_id": request_id, "job_id": job_id, "team_id": team_id}
    tokens = [
        (_VARIABLES[name], _VARIABLES[name].set(value))
        for name, value in values.items()
        if value is not _UNSET
    ]
    try:
        yield
    finally:
        for variable, token in reversed(tokens):
            variable.reset(token)


class ContextFilter(logging.Filter):
    """Puts `request_id` and `job_id` (None when unbound) and `team_id` (when bound) on
    every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.job_id = job_id.get()
        team = team_id.get()
        if team is not None:
            record.team_id = team
        return True


class Redactor:
    """Replaces Slack tokens, the secret in a calendar feed's address and the exact
    values of known secrets with `[redacted]`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        found = {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}
        # longest first, so a secret containing another is replaced whole
        self._secrets = sorted(found, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        text = SLACK_TOKEN.sub(REDACTED, text)
        text = FEED_PATH.sub(f"/calendar/{REDACTED}.ics", text)
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value in `settings`, including passwords inside the database and
    Redis URLs (both as written and URL-decoded)."""
    values = [
        settings.slack_signing_secret,
        settings.slack_client_secret,
        settings.slack_bot_token,
        settings.slack_app_token,
        settings.slack_state_secret,
        *settings.encryption_keys,
    ]
    for url in (settings.database_url, settings.redis_url):
        password = _url_password(url)
        if password:
            values += [password, unquote(password), quote(unquote(password), safe="")]
    return [v for v in values if v]


def _url_password(url: str | None) -> str | None:
    if not url or "://" not in url:
        return None
    try:
        return urlsplit(url).password
    except ValueError:
        return None


class WithoutBodies(logging.Filter):
    """Cuts a request body out of a log record: Bolt's signature check logs "Invalid
    request signature detected (signature: …, timestamp: …, body: <the whole body>)",
    which can be megabytes of anyone's text. The line is kept, the body is not."""

    MARKER = ", body: "

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cut = message.find(self.MARKER)
        if cut >= 0:
            record.msg = message[:cut] + ", body not logged)"
            record.args = None
        return True


#: Loggers whose records may carry a request body (Bolt's `RequestVerification`).
BODY_LOGGERS = ("slack_bolt.RequestVerification",)


def keep_bodies_out_of_logs() -> None:
    """Put `WithoutBodies` on every logger that may write a request body (idempotent)."""
    for name in BODY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, WithoutBodies) for f in logger.filters):
            logger.addFilter(WithoutBodies())


keep_bodies_out_of_logs()  # Bolt apps are built after this import (`bot.app` imports it)


_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


class RedactingFilter(logging.Filter):
    """Redacts a record's message (after its arguments are merged in), exception text,
    stack and string extras, before any formatter or handler sees it."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_townhall_redacted", False):
            return True
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_ATTRIBUTES and isinstance(value, str):
                setattr(record, name, self.redact(value))
        record._townhall_redacted = True
        return True


_RESERVED = (_STANDARD_ATTRIBUTES - {"levelname", "name", "message"}) | {"_townhall_redacted"}


class _JsonLines(JsonFormatter):
    """JSON lines whose final text is redacted once more (a secret can hide in a field
    the filter does not know, e.g. a dict passed as an extra)."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__(
            ["levelname", "name", "message"],
            rename_fields={"levelname": "level", "name": "logger"},
            reserved_attrs=[*_RESERVED],
            timestamp="time",  # ISO 8601, UTC
        )
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


class _TextLines(logging.Formatter):
    """`time level logger [request job team] message` for a terminal."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(context)s %(message)s")
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        tags = [
            f"{name}={getattr(record, name)}"
            for name in ("request_id", "job_id", "team_id")
            if getattr(record, name, None)
        ]
        record.context = f" [{' '.join(tags)}]" if tags else ""
        return self.redact(super().format(record))


#: The levels `LOG_LEVEL` may name, least to most severe.
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_LEVEL = "INFO"


def log_level(environ: Mapping[str, str] = os.environ) -> int:
    """The level `LOG_LEVEL` names (any case; `WARN` for WARNING), INFO when unset or
    blank. Raises ValueError, naming the levels, for anything else."""
    text = environ.get("LOG_LEVEL", "").strip().upper() or DEFAULT_LEVEL
    text = {"WARN": "WARNING", "FATAL": "CRITICAL"}.get(text, text)
    if text not in LEVELS:
        raise ValueError(
            f"LOG_LEVEL must be one of {', '.join(LEVELS)} (default {DEFAULT_LEVEL}), "
            f"not {environ.get('LOG_LEVEL', '').strip()[:40]!r}"
        )
    return logging.getLevelNamesMapping()[text]


_current: dict[str, Any] = {"settings": Settings(log_format="json")}


def make_handler(settings: Settings | None = None, *, stream: Any = None) -> logging.Handler:
    """The stderr handler every Townhall process logs through: context and redaction
    filters, then the JSON (or text) formatter of `settings.log_format`."""
    settings = settings or _current["settings"]
    redact = Redactor(secrets_of(settings))
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactingFilter(redact))
    formatter = _JsonLines(redact) if settings.log_format == "json" else _TextLines(redact)
    handler.setFormatter(formatter)
    handler._townhall = True  # type: ignore[attr-defined]
    return handler


def configure_logging(
    settings: Settings, *, stream: Any = None, level: int | None = None
) -> logging.Handler:
    """Send every log record (root logger, at `level`: by default the one LOG_LEVEL
    names, see `log_level`) through one Townhall handler, replacing handlers an earlier
    call installed. Returns the handler. A bad LOG_LEVEL raises ValueError before
    anything changes."""
    level = log_level() if level is None else level
    _current["settings"] = settings
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_townhall", False):
            root.removeHandler(handler)
    handler = make_handler(settings, stream=stream)
    root.addHandler(handler)
    root.setLevel(level)
    return handler


class ContextThreadPoolExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in a copy of the submitter's `contextvars`, so
    the request id (and anything else bound) follows work handed to it."""

    def submit(  # type: ignore[override]
        self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
    ) -> Future[T]:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)
