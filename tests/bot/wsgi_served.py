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
import traceback
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace

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

    @property
    def events_url(self) -> str:
        return f"{self.root}/slack/events"

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)


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
            yield Townhall(fake, root, slack, session_factory)
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
