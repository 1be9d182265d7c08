"""Fixtures of the bot's end-to-end tests: a fake Slack on loopback, Townhall's real
Bolt app served on loopback in front of a fresh catalog, and signed requests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import pytest
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.app import build_app
from catalog import services
from catalog.domain import Actor
from catalog.settings import Settings
from catalog.uow import UnitOfWork
from planner.config import SolverConfig
from tests.bot.fakeslack import FakeSlack
from tests.bot.loopback import serve_wsgi
from tests.bot.signed import SlackRequests

SECRET = "test-signing-secret"
OPERATOR = Actor.operator()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """A fake Slack Web API on loopback, with the workspace T0ACME."""
    with FakeSlack() as slack:
        yield slack


@dataclass
class Served:
    """Townhall's app on loopback: where to send requests and what it talks to."""

    fake: FakeSlack
    slack: SlackRequests  # requests from alice (U0ALICE) in #general of T0ACME
    events_url: str
    uow: Callable[[], UnitOfWork]

    def requests(self, team_id: str, *, user_id: str = "U0ALICE") -> SlackRequests:
        """Signed requests from a user of another workspace the fake knows."""
        workspace = self.fake.workspace_of(team_id)
        base = SlackRequests.for_workspace(
            workspace, signing_secret=SECRET, response_urls=self.fake.response_url
        )
        return base.as_user(user_id)


@pytest.fixture
def served(fake: FakeSlack, session_factory: sessionmaker[Session]) -> Iterator[Served]:
    """The real app (`bot.app.build_app`) behind Bolt's WSGI adapter on loopback."""
    settings = replace(
        Settings(),
        slack_signing_secret=SECRET,
        slack_bot_token=fake.workspace.bot_token,
        slack_api_url=fake.url,
    )
    client = WebClient(base_url=fake.url, token=fake.workspace.bot_token)
    executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="test-jobs")
    app = build_app(
        settings=settings,
        session_factory=session_factory,
        client=client,
        executor=executor,
        solver=SolverConfig(time_limit=10.0, workers=2),
    )
    try:
        with serve_wsgi(SlackRequestHandler(app)) as root:
            slack = SlackRequests.for_workspace(
                fake.workspace, signing_secret=SECRET, response_urls=fake.response_url
            )
            yield Served(fake, slack, f"{root}/slack/events", lambda: UnitOfWork(session_factory))
    finally:
        executor.shutdown(wait=True)


@pytest.fixture
def demo(served: Served) -> Served:
    """The served app with the demo portfolio in T0ACME; bob (U0BOB) is its approver."""
    with served.uow() as uow:
        services.load_demo(uow, actor=OPERATOR, team_id="T0ACME")
    with served.uow() as uow:
        services.grant_role(uow, actor=OPERATOR, team_id="T0ACME", user_id="U0BOB", role="approver")
    return served
