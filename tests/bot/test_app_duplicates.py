"""The same request delivered twice — to one web process or to two — takes effect once;
two approvers clicking at the same moment record one decision; and the served app keeps
answering after PostgreSQL dropped every connection."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bot.app import build_app
from bot.blocks import ids
from bot.listeners.once import Once, fitted
from catalog import services
from catalog.db import make_engine
from catalog.settings import Settings
from tests.bot.conftest import OPERATOR, SECRET, Served
from tests.bot.fakeslack import RESPONSE_URL, iter_blocks_text
from tests.bot.loopback import serve_wsgi
from tests.bot.signed import Reply, SignedRequest

#: How long to watch for a second answer that must not come.
QUIET = 0.5


@pytest.fixture
def second_process(demo: Served, session_factory: sessionmaker[Session]) -> Iterator[str]:
    """Another instance of the app (as in a second web process) on the same database."""
    settings = replace(
        Settings(),
        slack_signing_secret=SECRET,
        slack_bot_token=demo.fake.workspace.bot_token,
        slack_api_url=demo.fake.url,
    )
    client = WebClient(base_url=demo.fake.url, token=demo.fake.workspace.bot_token)
    app = build_app(settings=settings, session_factory=session_factory, client=client)
    with serve_wsgi(SlackRequestHandler(app)) as root:
        yield f"{root}/slack/events"


def _approvals(demo: Served, key: str) -> int:
    with demo.uow() as uow:
        trail = services.audit_trail(uow, actor=OPERATOR, team_id="T0ACME", key=key)
    return [e.action for e in trail].count("initiative.approve")


def _send_together(*sends: tuple[SignedRequest, str]) -> list[Reply]:
    barrier = threading.Barrier(len(sends))
    replies: list[Reply | None] = [None] * len(sends)

    def go(i: int, request: SignedRequest, url: str) -> None:
        barrier.wait()
        replies[i] = request.send(url)

    threads = [threading.Thread(target=go, args=(i, *s)) for i, s in enumerate(sends)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert all(r is not None for r in replies)
    return [r for r in replies if r is not None]


def _texts(blocks: list[dict]) -> str:
    return " ".join(iter_blocks_text(blocks))


def test_a_command_delivered_twice_without_retry_header_is_answered_once(demo: Served) -> None:
    command = demo.slack.as_user("U0BOB").command("approve FACEBOOK")
    assert command.send(demo.events_url).status == 200
    assert command.send(demo.events_url).status == 200  # the same trigger_id again
    demo.fake.wait_for(RESPONSE_URL)
    time.sleep(QUIET)
    assert len(demo.fake.calls(RESPONSE_URL)) == 1
    assert _approvals(demo, "FACEBOOK") == 1


def test_a_command_delivered_to_two_processes_at_once_takes_effect_once(
    demo: Served, second_process: str
) -> None:
    command = demo.slack.as_user("U0BOB").command("approve FACEBOOK")
    replies = _send_together((command, demo.events_url), (command, second_process))
    assert [r.status for r in replies] == [200, 200]
    [answer] = demo.fake.wait_for(RESPONSE_URL)
    time.sleep(QUIET)
    assert len(demo.fake.calls(RESPONSE_URL)) == 1
    assert "approved" in _texts(answer.body["blocks"]).lower()
    assert _approvals(demo, "FACEBOOK") == 1


def test_a_click_delivered_twice_decides_once(demo: Served, second_process: str) -> None:
    with demo.uow() as uow:
        view = services.get_initiative(uow, team_id="T0ACME", key="OUTAGE")
    click = demo.slack.as_user("U0BOB").block_actions(
        action_id=ids.APPROVE,
        value=ids.initiative_value(view.key, view.version),
        message={"ts": "1700000000.000300"},
    )
    assert click.send(demo.events_url).status == 200
    assert click.send(second_process).status == 200
    demo.fake.wait_for(RESPONSE_URL)
    time.sleep(QUIET)
    assert len(demo.fake.calls(RESPONSE_URL)) == 1  # no "already approved" for the copy
    assert _approvals(demo, "OUTAGE") == 1


def test_two_approvers_clicking_at_the_same_moment_record_one_decision(
    demo: Served, second_process: str
) -> None:
    with demo.uow() as uow:
        services.grant_role(
            uow, actor=OPERATOR, team_id="T0ACME", user_id="U0CAROL", role="approver"
        )
        view = services.get_initiative(uow, team_id="T0ACME", key="OUTAGE")
    value = ids.initiative_value(view.key, view.version)
    clicks = [
        demo.slack.as_user(user).block_actions(
            action_id=action, value=value, message={"ts": "1700000000.000400"}
        )
        for user, action in (("U0BOB", ids.APPROVE), ("U0CAROL", ids.APPROVE))
    ]
    replies = _send_together((clicks[0], demo.events_url), (clicks[1], second_process))
    assert [r.status for r in replies] == [200, 200]
    answers = demo.fake.wait_for(RESPONSE_URL, count=2)
    texts = [_texts(a.body.get("blocks") or []) for a in answers]
    assert _approvals(demo, "OUTAGE") == 1
    losers = [t for t in texts if "changed" in t or "already" in t or "cannot" in t]
    assert len(losers) == 1, texts
    assert not any("Something went wrong" in t for t in texts)
    with demo.uow() as uow:
        assert services.get_initiative(uow, team_id="T0ACME", key="OUTAGE").status == "approved"


def test_the_app_answers_after_postgres_dropped_every_connection(
    demo: Served, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("terminating backends needs PostgreSQL (set DATABASE_URL=postgresql://…)")
    bob = demo.slack.as_user("U0BOB")
    bob.command("list").send(demo.events_url)
    demo.fake.wait_for(RESPONSE_URL)
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            db = connection.execute(text("SELECT current_database()")).scalar_one()
            killed = connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": db},
            ).all()
    finally:
        admin.dispose()
    assert killed  # the app's pooled connections were among them
    assert bob.command("approve FACEBOOK").send(demo.events_url).status == 200
    [_, answer] = demo.fake.wait_for(RESPONSE_URL, count=2)
    assert "Something went wrong" not in _texts(answer.body["blocks"])
    assert _approvals(demo, "FACEBOOK") == 1


def test_an_overlong_key_is_hashed_to_fit_and_still_claims_once(demo: Served) -> None:
    long_key = "T0ACME:action:1700000000.000100:" + "a" * 255
    short = fitted(long_key)
    assert len(short) <= 200 and short.startswith("T0ACME:action:sha256:")
    assert fitted("T0ACME:view:V1") == "T0ACME:view:V1"
    once = Once(demo.uow)
    assert once.claim(long_key) is True
    assert once.claim(long_key) is False
    once.release(long_key)
    assert once.claim(long_key) is True
