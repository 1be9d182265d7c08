"""Townhall's real Bolt app behind the production WSGI layer (`bot.server.SlackWsgi`:
request ids, the body cap, the signature check and body parsing before Bolt) on
loopback, in front of a fake Slack: what `townhall serve` runs, without gunicorn.

The `served` fixture of `conftest.py` hands requests to Bolt's adapter directly; tests
of what the WSGI layer adds use `serve_townhall` instead. Jobs either run as in
`served` (a small thread pool) or are held (`HeldQueue`: recorded, never run), for tests
that only look at what a request is answered.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.app import build_app
from bot.server import SlackWsgi
from catalog.settings import Settings
from catalog.uow import UnitOfWork
from planner.config import SolverConfig
from tests.bot.fakeslack import FakeSlack
from tests.bot.loopback import serve_wsgi
from tests.bot.signed import SlackRequests

SECRET = "wsgi-signing-secret"


class HeldQueue:
    """A job queue that records the jobs it is given and runs none of them."""

    kind = "in-process"

    def __init__(self) -> None:
        self.submitted: list[str] = []

    def submit(self, team_id: str, job_id: str) -> bool:
        self.submitted.append(job_id)
        return True

    def waiting(self) -> set[str] | None:
        return set(self.submitted)


@dataclass
class Townhall:
    """The app on loopback: its root URL, the events URL, signed requests from alice."""

    fake: FakeSlack
    root: str
    slack: SlackRequests
    session_factory: sessionmaker[Session]
    app: App
    listeners: ListenerTracker = field(default_factory=lambda: ListenerTracker())

    @property
    def events_url(self) -> str:
        return f"{self.root}/slack/events"

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)


class ListenerTracker:
    """Keeps the futures of the listeners Bolt starts, to wait until they are all done
    (a listener acknowledges first and goes on answering after the HTTP response)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._futures: list[Future[object]] = []

    def watch(self, app: App) -> None:
        executor = app.listener_runner.listener_executor
        submit = executor.submit

        def tracked(fn: object, /, *args: object, **kwargs: object) -> Future[object]:
            future = submit(fn, *args, **kwargs)  # type: ignore[arg-type]
            with self._lock:
                self._futures.append(future)
            return future

        executor.submit = tracked  # type: ignore[method-assign]

    def wait(self, timeout: float = 10.0) -> bool:
        """Wait until every listener started so far has returned; False on timeout."""
        with self._lock:
            futures, self._futures = self._futures, []
        _, pending = wait(futures, timeout=timeout)
        return not pending


def settings_for(fake: FakeSlack) -> Settings:
    return replace(
        Settings(),
        slack_signing_secret=SECRET,
        slack_bot_token=fake.workspace.bot_token,
        slack_api_url=fake.url,
    )


@contextmanager
def serve_townhall(
    fake: FakeSlack, session_factory: sessionmaker[Session], *, hold_jobs: bool = False
) -> Iterator[Townhall]:
    """`bot.app.build_app` wrapped in `SlackWsgi`, served on loopback while the block runs."""
    settings = settings_for(fake)
    client = WebClient(base_url=fake.url, token=fake.workspace.bot_token)
    executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="wsgi-jobs")
    app = build_app(
        settings=settings,
        session_factory=session_factory,
        client=client,
        executor=executor,
        queue=HeldQueue() if hold_jobs else None,
        solver=SolverConfig(time_limit=10.0, workers=2),
    )
    wsgi = SlackWsgi(app, session_factory=session_factory, settings=settings)
    try:
        with serve_wsgi(wsgi) as root:
            slack = SlackRequests.for_workspace(
                fake.workspace, signing_secret=SECRET, response_urls=fake.response_url
            )
            townhall = Townhall(fake, root, slack, session_factory, app)
            townhall.listeners.watch(app)
            yield townhall
    finally:
        executor.shutdown(wait=True)


def tracebacks(records: list[logging.LogRecord]) -> list[str]:
    """Each ERROR (or worse) record, and each record carrying a traceback, as text."""
    found = []
    for record in records:
        if record.levelno >= logging.ERROR or record.exc_info or record.exc_text:
            text = record.getMessage()
            if record.exc_info:
                text += "\n" + "".join(traceback.format_exception(*record.exc_info))
            found.append(f"{record.name} {record.levelname}: {text}")
    return found
