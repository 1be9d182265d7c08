"""The bot at its edges, end to end on loopback: failing background jobs, progress during
a long solve, Web API rate limits, the settings modal, double submissions."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace

from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy.orm import Session, sessionmaker

from bench.generate import generate_portfolio
from bot.app import build_app
from bot.blocks import ids
from catalog import services
from catalog.settings import Settings
from catalog.uow import UnitOfWork
from planner.config import SolverConfig
from tests.bot.blocks_support import submitted, typed
from tests.bot.conftest import OPERATOR, SECRET, Served
from tests.bot.fakeslack import FakeSlack, iter_blocks_text
from tests.bot.loopback import serve_wsgi
from tests.bot.signed import SlackRequests

IB = ids.INITIATIVE_BLOCKS
SB = ids.SETTINGS_BLOCKS


def _texts(blocks: list[dict]) -> str:
    return "\n".join(iter_blocks_text(blocks))


@dataclass(frozen=True)
class ExplodingSolver(SolverConfig):
    """Solver options that blow up when a solve starts (when its progress is attached)."""

    def __post_init__(self) -> None:
        if self.progress is not None:
            raise RuntimeError("the solver crashed")


@contextmanager
def served_app(
    fake: FakeSlack, session_factory: sessionmaker[Session], *, solver: SolverConfig
) -> Iterator[Served]:
    """The real app with its own Web API client (the retrying one `build_app` makes when
    given none), pointed at the fake, with the demo portfolio in T0ACME."""
    settings = replace(
        Settings(),
        slack_signing_secret=SECRET,
        slack_bot_token=fake.workspace.bot_token,
        slack_api_url=fake.url,
    )
    executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="edge-jobs")
    app = build_app(
        settings=settings, session_factory=session_factory, executor=executor, solver=solver
    )
    uow = lambda: UnitOfWork(session_factory)  # noqa: E731
    with uow() as u:
        services.load_demo(u, actor=OPERATOR, team_id="T0ACME")
    try:
        with serve_wsgi(SlackRequestHandler(app)) as root:
            slack = SlackRequests.for_workspace(
                fake.workspace, signing_secret=SECRET, response_urls=fake.response_url
            )
            yield Served(fake, slack, f"{root}/slack/events", uow)
    finally:
        executor.shutdown(wait=True)


def test_a_failing_background_job_is_reported_in_slack(
    fake: FakeSlack, session_factory: sessionmaker[Session]
) -> None:
    with served_app(fake, session_factory, solver=ExplodingSolver(time_limit=5)) as app:
        assert app.slack.command("plan").send(app.events_url).status == 200
        [posted] = fake.wait_for("chat.postMessage")
        [final] = fake.wait_for("chat.update")
    assert final.body["ts"] == posted.response["ts"]
    text = _texts(final.body["blocks"])
    assert "Something went wrong" in text and "the solver crashed" in text
    [message] = fake.messages_to("C0GENERAL")
    assert "the solver crashed" in _texts(message.blocks)


def test_a_rate_limited_post_is_retried_and_the_roadmap_still_arrives(
    fake: FakeSlack, session_factory: sessionmaker[Session]
) -> None:
    with served_app(fake, session_factory, solver=SolverConfig(solver="greedy")) as app:
        fake.fail_next("chat.postMessage", status=429, retry_after=1)
        app.slack.command("plan").send(app.events_url)
        posts = fake.wait_for("chat.postMessage", count=2, timeout=10)
        fake.wait_for("chat.update", timeout=10)
    assert [p.status for p in posts] == [429, 200]
    [message] = fake.messages_to("C0GENERAL")
    assert message.edits >= 1 and "Roadmap" in message.text


def test_a_long_solve_shows_progress_before_the_result(
    fake: FakeSlack, session_factory: sessionmaker[Session]
) -> None:
    with served_app(fake, session_factory, solver=SolverConfig(workers=2)) as app:
        with app.uow() as uow:  # the demo makes way for 200 generated initiatives
            services.import_portfolio(
                uow,
                actor=OPERATOR,
                team_id="T0ACME",
                portfolio=generate_portfolio(200, 12, seed=1),
            )
        assert app.slack.command("plan time=3s").send(app.events_url).status == 200
        [posted] = fake.wait_for("chat.postMessage")
        updates = fake.wait_for(
            "chat.update", where=lambda c: "Roadmap (" in str(c.body.get("text")), timeout=30
        )
        every = fake.calls("chat.update")
    final = updates[0]
    progress = every[: every.index(final)]
    assert progress, "no progress update before the result"
    assert all(c.body["ts"] == posted.response["ts"] for c in every)
    assert "gap" in _texts(progress[0].body["blocks"]).lower()


def test_the_pmo_saves_a_budget_in_the_settings_modal_and_a_member_cannot(
    demo: Served,
) -> None:
    with demo.uow() as uow:
        services.grant_role(uow, actor=OPERATOR, team_id="T0ACME", user_id="U0PMO", role="pmo")
        before = services.get_settings(uow, team_id="T0ACME")
    pmo = demo.slack.as_user("U0PMO")
    pmo.command("settings").send(demo.events_url)
    [opened] = demo.fake.wait_for("views.open")
    modal = demo.fake.view(opened.response["view"]["id"])
    assert modal["callback_id"] == ids.SETTINGS_MODAL

    # alice, a member, submits the same modal: refused inline, nothing changes
    alice_values = submitted(modal, **{SB["budget.per_phase"]: typed("1")})
    refused = demo.slack.view_submission(view=modal, values=alice_values).send(demo.events_url)
    answer = refused.json()
    assert answer["response_action"] == "errors"
    assert "may not" in " ".join(answer["errors"].values())
    with demo.uow() as uow:
        assert services.get_settings(uow, team_id="T0ACME").budget == before.budget

    values = submitted(modal, **{SB["budget.per_phase"]: typed("300k")})
    saved = pmo.view_submission(view=modal, values=values).send(demo.events_url)
    assert (saved.status, saved.body) == (200, b"")
    with demo.uow() as uow:
        after = services.get_settings(uow, team_id="T0ACME")
    assert after.budget.per_phase == 300_000 and after.version > before.version


def test_a_double_submitted_proposal_creates_one_initiative(demo: Served) -> None:
    carol = demo.slack.as_user("U0CAROL")
    carol.command("propose").send(demo.events_url)
    [opened] = demo.fake.wait_for("views.open")
    modal = demo.fake.view(opened.response["view"]["id"])

    bad = submitted(modal, **{IB["title"]: typed("Podcast"), IB["value"]: typed("lots")})
    first = carol.view_submission(view=modal, values=bad).send(demo.events_url)
    assert first.json()["response_action"] == "errors"  # corrected and submitted again below

    good = submitted(modal, **{IB["title"]: typed("Podcast"), IB["value"]: typed("40k")})
    submission = carol.view_submission(view=modal, values=good)
    replies = [submission.send(demo.events_url), submission.send(demo.events_url)]
    assert [(r.status, r.body) for r in replies] == [(200, b""), (200, b"")]
    with demo.uow() as uow:
        views = services.list_initiatives(uow, team_id="T0ACME")
    assert [v.title for v in views if v.proposer == "U0CAROL"] == ["Podcast"]
