"""`GET /calendar/<secret>.ics`: the workspace's subscribed calendar, for `bot.server`.

- 200 `text/calendar; charset=utf-8` with the published roadmap's go-lives, tollgates
  and freezes (`catalog.usecases.feed.calendar_document`; an empty calendar while
  nothing is published), an `ETag` (a hash of the body) and `Cache-Control: private,
  no-cache`: a calendar asks again with `If-None-Match` and gets 304 without a body
  while nothing changed. HEAD answers the same headers without the body.
- 404 `not found`, the same bytes whatever is wrong (a wrong, revoked or malformed
  secret): nothing tells a guess that was close from one that was not.
- 405 for other methods; 503 when the database cannot be read.

The secret is the feed's only credential: it is never logged (`loggable_path` is what
the request log writes), and only its hash is stored or looked up.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from catalog.uow import UnitOfWork
from catalog.usecases.feed import FEED_PATH_PREFIX, FEED_PATH_SUFFIX, calendar_document

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

CONTENT_TYPE = "text/calendar; charset=utf-8"
#: What the request log writes for any path under the feed's prefix.
REDACTED_PATH = f"{FEED_PATH_PREFIX}[redacted]{FEED_PATH_SUFFIX}"
_FEED_PATH = re.compile(re.escape(FEED_PATH_PREFIX) + r"([^/]*)" + re.escape(FEED_PATH_SUFFIX))
_NOT_FOUND = b"not found"

log = logging.getLogger("townhall.calendar")


def is_feed_path(path: str) -> bool:
    """Whether `path` is the feed's to answer (anything under `/calendar/`)."""
    return path.startswith(FEED_PATH_PREFIX)


def loggable_path(path: str) -> str:
    """The path as the request log may write it: a feed's secret replaced."""
    return REDACTED_PATH if is_feed_path(path) else path


class CalendarFeed:
    """The WSGI application of the feed's path, reading the catalog through
    `session_factory`."""

    def __init__(self, session_factory: sessionmaker[Session] | None) -> None:
        self.session_factory = session_factory

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            start_response(
                "405 Method Not Allowed",
                [("Content-Type", "text/plain"), ("Allow", "GET, HEAD"), ("Content-Length", "18")],
            )
            return [b"method not allowed"]
        found = _FEED_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if found is None or self.session_factory is None:
            return _not_found(start_response)
        factory = self.session_factory
        try:
            body = calendar_document(found.group(1), lambda: UnitOfWork(factory))
        except Exception as exc:  # the database, most likely: said without the path
            log.error("the calendar feed could not be read: %s", type(exc).__name__)
            start_response(
                "503 Service Unavailable",
                [("Content-Type", "text/plain"), ("Content-Length", "11"), ("Retry-After", "60")],
            )
            return [b"unavailable"]
        if body is None:
            return _not_found(start_response)
        etag = f'"{hashlib.sha256(body).hexdigest()[:40]}"'
        headers = [("ETag", etag), ("Cache-Control", "private, no-cache")]
        if _matches(environ.get("HTTP_IF_NONE_MATCH"), etag):
            start_response("304 Not Modified", headers)
            return []
        start_response(
            "200 OK",
            [
                ("Content-Type", CONTENT_TYPE),
                ("Content-Length", str(len(body))),
                ("X-Content-Type-Options", "nosniff"),
                *headers,
            ],
        )
        return [] if method == "HEAD" else [body]


def _matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an `If-None-Match` header names `etag` (weakly compared, RFC 9110) or is `*`."""
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(",")]
    return any(t == "*" or t.removeprefix("W/") == etag for t in tags)


def _not_found(start_response: StartResponse) -> list[bytes]:
    start_response(
        "404 Not Found",
        [("Content-Type", "text/plain"), ("Content-Length", str(len(_NOT_FOUND)))],
    )
    return [_NOT_FOUND]
