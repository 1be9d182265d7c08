"""Background jobs end to end: the row, the queue, the runner, the sweep, and what the
user sees in Slack — in process (the embedded default) and on a real Redis when
REDIS_URL points at one."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial

import pytest
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from sqlalchemy import update

from bot.app import build_app
from bot.jobs.queue import InProcessQueue, JobQueue, RedisQueue
from bot.jobs.runner import run
from bot.jobs.runtime import Runtime
from bot.jobs.sweeper import sweep
from catalog import services
from catalog.models import JobRecord
from catalog.settings import Settings
from catalog.uow import UnitOfWork
from planner.config import SolverConfig
from tests.bot.conftest import OPERATOR, SECRET
from tests.bot.fakeslack import RESPONSE_URL, FakeSlack, iter_blocks_text
from tests.bot.loopback import serve_wsgi
from tests.bot.signed import SlackRequests

TEAM = "T0ACME"


def texts(blocks) -> str:
    return "\n".join(iter_blocks_text(blocks or []))


@dataclass
class Stack:
    fake: FakeSlack
    slack: SlackRequests
    events_url: str
    runtime: Runtime
    queue: JobQueue

    def uow(self) -> UnitOfWork:
        return self.runtime.uow()

    def jobs(self):
        with self.uow() as uow:
            return services.recent_jobs(uow, actor=OPERATOR, team_id=TEAM)

    def results(self, ts: str) -> list:
        """Updates of message `ts` that carry a roadmap (not progress)."""
        return self.fake.calls(
            "chat.update",
            where=lambda c: c.body.get("ts") == ts and "Publish" in texts(c.body.get("blocks")),
        )


@contextmanager
def stack(
    fake: FakeSlack,
    session_factory,
    *,
    queue: JobQueue | None = None,
    workers: int = 2,
    **settings_changes: object,
) -> Iterator[Stack]:
    """The app on loopback with the demo loaded, its jobs on `queue` (default: a pool of
    `workers` threads); `settings_changes` replace settings."""
    settings = replace(
        Settings(),
        slack_signing_secret=SECRET,
        slack_bot_token=fake.workspace.bot_token,
        slack_api_url=fake.url,
        job_lease_seconds=3.0,
    )
    settings = replace(settings, **settings_changes)  # type: ignore[arg-type]
    client = WebClient(base_url=fake.url, token=fake.workspace.bot_token)
    runtime = Runtime(
        settings=settings,
        session_factory=session_factory,
        solver=SolverConfig(time_limit=5.0, workers=2),
        client=client,
    )
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="test-jobs")
    queue = queue or InProcessQueue(pool, partial(run, runtime))
    app = build_app(
        settings=settings,
        session_factory=session_factory,
        client=client,
        solver=runtime.solver,
        queue=queue,
    )
    with runtime.uow() as uow:
        services.load_demo(uow, actor=OPERATOR, team_id=TEAM)
    try:
        with serve_wsgi(SlackRequestHandler(app)) as root:
            slack = SlackRequests.for_workspace(
                fake.workspace, signing_secret=SECRET, response_urls=fake.response_url
            )
            yield Stack(fake, slack, f"{root}/slack/events", runtime, queue)
    finally:
        pool.shutdown(wait=True)


class Unreachable:
    """A queue whose broker is down: nothing can be submitted."""

    kind = "redis"

    def submit(self, team_id: str, job_id: str) -> bool:
        return False

    def waiting(self) -> set[str] | None:
        return None


def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_plan_is_a_job_row_that_ends_done_and_delivered(fake, session_factory):
    with stack(fake, session_factory) as s:
        s.slack.command("plan").send(s.events_url)
        [placeholder] = fake.wait_for("chat.postMessage")
        ts = placeholder.response["ts"]
        wait_until(lambda: s.jobs() and s.jobs()[0].delivered_at is not None)
        [view] = s.jobs()
        assert (view.kind, view.status, view.attempts, view.requested_by) == (
            "plan",
            "done",
            1,
            "U0ALICE",
        )
        assert view.delivery["ts"] == ts and view.result_roadmap_id is not None
        assert view.result["uploads"] == []  # the Gantt picture is shared, not kept
        with s.uow() as uow:
            latest = services.latest_roadmap(uow, team_id=TEAM)
        assert latest is not None and latest.id == view.result_roadmap_id
        assert len(s.results(ts)) == 1
        fake.wait_for("files.completeUploadExternal")  # the Gantt picture, once
        s.slack.command("jobs").send(s.events_url)
        [listed] = fake.wait_for(RESPONSE_URL)
        text = texts(listed.body["blocks"])
        assert "Planning" in text and "done" in text and view.id[:8] in text


def test_a_job_whose_worker_died_runs_again_and_answers_once(fake, session_factory):
    """The first worker claims the job and dies (never renews); once its lease runs out,
    the sweep submits the job again and another attempt answers, once."""
    dead = Unreachable()
    with stack(fake, session_factory, queue=dead) as s:
        s.slack.command("plan").send(s.events_url)
        [placeholder] = fake.wait_for("chat.postMessage")
        ts = placeholder.response["ts"]
        wait_until(lambda: bool(s.jobs()))
        [view] = s.jobs()
        with s.uow() as uow:  # a worker takes it ... and is killed
            services.claim(uow, team_id=TEAM, job_id=view.id, worker="doomed", lease_seconds=0.5)
        time.sleep(0.6)
        pool = ThreadPoolExecutor(max_workers=1)
        alive = InProcessQueue(pool, partial(run, s.runtime))
        report = sweep(s.runtime, alive)
        assert report.resubmitted == 1
        pool.shutdown(wait=True)
        [view] = s.jobs()
        assert (view.status, view.attempts, view.worker) == ("done", 2, s.runtime.name)
        assert view.delivered_at is not None
        assert len(s.results(ts)) == 1
        retry_note = fake.calls("chat.update", where=lambda c: "attempt 2 of 3" in c.body["text"])
        assert retry_note, "the placeholder says the job is being tried again"
        assert sweep(s.runtime, alive).resubmitted == 0  # nothing left to do


def test_a_roadmap_saved_by_an_attempt_that_died_is_the_one_delivered(fake, session_factory):
    """The worker dies just after saving its roadmap: the retry delivers that roadmap
    rather than solving and saving a second one."""
    from planner.problem import build_problem
    from planner.solve import solve

    with stack(fake, session_factory, queue=Unreachable()) as s:
        s.slack.command("plan").send(s.events_url)
        [placeholder] = fake.wait_for("chat.postMessage")
        wait_until(lambda: bool(s.jobs()))
        [view] = s.jobs()
        with s.uow() as uow:
            taken = services.claim(
                uow, team_id=TEAM, job_id=view.id, worker="doomed", lease_seconds=0.5
            )
        with s.uow() as uow:  # what the doomed attempt got done: a roadmap (any will do)
            portfolio = services.workspace_portfolio(uow, team_id=TEAM)
        fenced = partial(services.fence, job_id=view.id, attempt=taken.attempt)
        with UnitOfWork(session_factory, before_commit=fenced) as uow:
            solved = solve(build_problem(portfolio), SolverConfig(solver="greedy"))
            saved = services.save_roadmap(
                uow, actor=OPERATOR, team_id=TEAM, roadmap=solved, portfolio=portfolio
            )
        assert s.jobs()[0].result_roadmap_id == saved.id  # recorded with the save
        time.sleep(0.6)
        with ThreadPoolExecutor(max_workers=1) as pool:
            assert sweep(s.runtime, InProcessQueue(pool, partial(run, s.runtime))).resubmitted
        [view] = s.jobs()
        assert (view.status, view.attempts, view.result_roadmap_id) == ("done", 2, saved.id)
        with s.uow() as uow:
            saves = [
                e
                for e in services.audit_trail(uow, actor=OPERATOR, team_id=TEAM)
                if e.action == "roadmap.save"
            ]
        assert len(saves) == 1
        [result] = s.results(placeholder.response["ts"])
        assert f"{saved.id}" in json.dumps(result.body["blocks"])


def test_with_the_queue_down_the_job_waits_and_runs_once_the_queue_is_back(fake, session_factory):
    with stack(fake, session_factory, queue=Unreachable()) as s:
        s.slack.command("plan").send(s.events_url)
        [placeholder] = fake.wait_for("chat.postMessage")
        ts = placeholder.response["ts"]
        [note] = fake.wait_for("chat.update")
        assert "job queue is unavailable" in note.body["text"]
        [view] = s.jobs()
        assert view.status == "queued"
        s.runtime.settings = replace(s.runtime.settings, job_lease_seconds=0.001)  # waited long
        assert sweep(s.runtime, Unreachable()).queue_unavailable
        pool = ThreadPoolExecutor(max_workers=1)
        back = InProcessQueue(pool, partial(run, s.runtime))
        s.runtime.settings = replace(s.runtime.settings, job_lease_seconds=3.0)
        time.sleep(0.01)
        with s.uow() as uow:  # the failed sweep counted as a submission: make it old again
            uow.session.execute(update(JobRecord).values(enqueued_at=None))
            uow.commit()
        assert sweep(s.runtime, back).resubmitted == 1
        pool.shutdown(wait=True)
        [view] = s.jobs()
        assert view.status == "done" and len(s.results(ts)) == 1


def test_the_same_job_submitted_twice_runs_once(fake, session_factory):
    with stack(fake, session_factory, queue=Unreachable()) as s:
        s.slack.command("plan").send(s.events_url)
        [placeholder] = fake.wait_for("chat.postMessage")
        wait_until(lambda: bool(s.jobs()))
        [view] = s.jobs()
        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = list(pool.map(lambda _: run(s.runtime, TEAM, view.id), range(2)))
        assert sorted(outcomes) == ["done", "skipped"]
        assert len(s.results(placeholder.response["ts"])) == 1


def test_an_export_job_uploads_the_file(fake, session_factory):
    with stack(fake, session_factory) as s:
        s.slack.command("plan").send(s.events_url)
        wait_until(lambda: s.jobs() and s.jobs()[0].delivered_at is not None)
        with s.uow() as uow:
            grant = dict(actor=OPERATOR, team_id=TEAM, user_id="U0ALICE", role="pmo")
            services.grant_role(uow, **grant)
        s.slack.command("export csv").send(s.events_url)
        wait_until(lambda: len(s.jobs()) == 2 and s.jobs()[0].delivered_at is not None)
        latest = s.jobs()[0]
        assert latest.kind == "export" and latest.status == "done"
        # the job's payload is the command itself
        assert latest.request == {
            "command": "export",
            "fields": {"format": "csv", "roadmap_id": None},
        }
        uploads = fake.calls("files.getUploadURLExternal")
        assert any(c.body.get("filename", "").endswith(".csv") for c in uploads)


# --------------------------------------------------------------------------- real Redis


def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url.startswith("redis://"):
        pytest.skip("REDIS_URL does not point to a Redis server")
    return url


@pytest.fixture
def redis_queue() -> Iterator[RedisQueue]:
    from redis import Redis

    url = redis_url()
    connection = Redis.from_url(url)
    connection.flushdb()
    try:
        yield RedisQueue(url, connection=connection)
    finally:
        connection.flushdb()


def test_on_redis_a_worker_runs_the_job_and_posts_the_result(fake, session_factory, redis_queue):
    from bot.jobs.worker import run_worker

    with stack(fake, session_factory, queue=redis_queue) as s:
        s.slack.command("plan").send(s.events_url)
        [placeholder] = fake.wait_for("chat.postMessage")
        wait_until(lambda: bool(redis_queue.waiting()))
        [view] = s.jobs()
        assert redis_queue.waiting() == {view.id}
        settings = replace(s.runtime.settings, redis_url=os.environ["REDIS_URL"])
        run_worker(settings, burst=True, runtime=s.runtime)
        [view] = s.jobs()
        assert view.status == "done" and view.delivered_at is not None
        assert len(s.results(placeholder.response["ts"])) == 1
        assert redis_queue.waiting() == set()


# --------------------------------------------------------------------------- wiring


def test_a_served_app_sweeps_the_jobs_it_runs_itself(monkeypatch, fake, session_factory):
    import bot.app
    from bot.server import bolt_app

    started: list[object] = []

    class Recorder:
        def __init__(self, runtime, queue, *, until=None) -> None:
            started.append(queue)

        def start(self) -> Recorder:
            return self

    monkeypatch.setattr(bot.app, "Sweeper", Recorder)
    settings = replace(
        Settings(),
        slack_signing_secret=SECRET,
        slack_bot_token=fake.workspace.bot_token,
        slack_api_url=fake.url,
    )
    bolt_app(settings=settings, builder=build_app, session_factory=session_factory)
    assert started == []  # an app built for a test or a script sweeps nothing
    bolt_app(
        settings=settings, builder=build_app, session_factory=session_factory, recover_jobs=True
    )
    [queue] = started
    assert isinstance(queue, InProcessQueue)
    with_redis = replace(settings, redis_url="redis://127.0.0.1:1/0")
    bolt_app(
        settings=with_redis, builder=build_app, session_factory=session_factory, recover_jobs=True
    )
    assert len(started) == 1  # with Redis the workers sweep


def test_a_job_posts_with_its_own_workspaces_token_under_oauth(session_factory):
    class Store:
        def find_bot(self, *, enterprise_id, team_id):
            return type("Bot", (), {"bot_token": f"xoxb-{team_id}"})() if team_id else None

    runtime = Runtime(
        settings=Settings(), session_factory=session_factory, installation_store=Store()
    )
    assert runtime.client_for("T1").token == "xoxb-T1"
    assert runtime.client_for("T2").token == "xoxb-T2"
    assert runtime.client_for("T1") is runtime.client_for("T1")
    with pytest.raises(LookupError, match="not installed in workspace"):
        runtime.client_for("")


def test_a_finished_job_feeds_the_solve_metrics(fake, session_factory):
    from bot.metrics import scrape_registry

    def done() -> float:
        labels = {"kind": "plan", "status": "done"}
        return scrape_registry().get_sample_value("townhall_solve_seconds_count", labels) or 0

    before = done()
    with stack(fake, session_factory) as s:
        s.slack.command("plan").send(s.events_url)
        wait_until(lambda: s.jobs() and s.jobs()[0].delivered_at is not None)
    assert done() == before + 1
