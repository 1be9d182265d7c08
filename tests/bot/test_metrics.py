"""Prometheus metrics: scraped from `/metrics` after signed Slack requests, job gauges
counted from rows of `jobs`, and the queue length tolerating Redis being down."""

from __future__ import annotations

import socket
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import delete, select

from bot.metrics import (
    JobsCollector,
    exposition,
    observe_solve,
    redis_for_metrics,
    scrape_registry,
)
from bot.server import wsgi_app
from catalog import services
from catalog.models import JobRecord, Workspace
from catalog.settings import Settings
from catalog.uow import UnitOfWork
from tests.bot.fakeslack import FakeSlack
from tests.bot.loopback import serve_wsgi
from tests.bot.minimal_bolt import build_app
from tests.bot.signed import SlackRequests, get

SECRET = "metrics-signing-secret"


def _samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def fake():
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def served(fake, session_factory):
    settings = Settings(
        slack_signing_secret=SECRET,
        slack_bot_token=fake.workspace.bot_token,
        slack_api_url=fake.url,
    )
    app = wsgi_app(settings=settings, builder=build_app, session_factory=session_factory)
    with serve_wsgi(app) as root:
        yield root


def test_a_scrape_counts_signed_requests_by_kind_subcommand_and_outcome(served, fake):
    slack = SlackRequests.for_workspace(fake.workspace, signing_secret=SECRET)
    before = _samples(get(f"{served}/metrics").text)
    events = f"{served}/slack/events"
    assert slack.command("plan budget=1M").send(events).status == 200
    assert slack.command("PLAN").send(events).status == 200
    assert slack.command("frobnicate now").send(events).status == 200
    assert slack.command("").send(events).status == 200
    assert slack.command("plan").forged().send(events).status == 401
    reply = get(f"{served}/metrics")
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/plain")
    after = _samples(reply.text)

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    total = "townhall_requests_total"
    assert delta(total, kind="command", command="plan", outcome="ok") == 2
    assert delta(total, kind="command", command="other", outcome="ok") == 1  # bounded labels
    assert delta(total, kind="command", command="none", outcome="ok") == 1
    assert delta(total, kind="command", command="plan", outcome="rejected") == 1
    assert not any(
        name == total and dict(labels).get("command") == "frobnicate" for name, labels in after
    )
    assert delta("townhall_ack_seconds_count", kind="command") == 5
    assert delta("townhall_ack_seconds_bucket", kind="command", le="3.0") == 5
    assert delta("townhall_ack_seconds_sum", kind="command") > 0


def test_probes_are_not_counted_as_slack_requests(served):
    before = _samples(get(f"{served}/metrics").text)
    get(f"{served}/healthz")
    get(f"{served}/readyz")
    after = _samples(get(f"{served}/metrics").text)
    requests = {k: v for k, v in after.items() if k[0] == "townhall_requests_total"}
    assert requests == {k: v for k, v in before.items() if k[0] == "townhall_requests_total"}


def _job(workspace_id: int, status: str) -> JobRecord:
    return JobRecord(
        id=uuid.uuid4().hex,
        workspace_id=workspace_id,
        kind="plan",
        title="Plan",
        request={},
        delivery={},
        requested_by="U0ALICE",
        status=status,
    )


@pytest.fixture
def jobs(session_factory):
    with UnitOfWork(session_factory) as uow:
        services.ensure_workspace(uow, team_id="T0METRICS")
        uow.commit()
    with session_factory() as session:
        workspace = session.scalars(select(Workspace).where(Workspace.team_id == "T0METRICS"))
        workspace_id = workspace.one().id
        statuses = ["queued"] * 3 + ["running"] * 2 + ["done"]
        session.add_all(_job(workspace_id, status) for status in statuses)
        session.commit()
    yield
    with session_factory() as session:
        session.execute(delete(JobRecord).where(JobRecord.workspace_id == workspace_id))
        session.commit()


def test_the_jobs_gauge_counts_rows_by_status(jobs, session_factory, served):
    samples = _samples(get(f"{served}/metrics").text)
    assert _value(samples, "townhall_jobs", status="queued") == 3
    assert _value(samples, "townhall_jobs", status="running") == 2
    assert _value(samples, "townhall_jobs", status="done") == 1
    assert ("townhall_jobs", frozenset({("status", "failed")})) in samples  # 0, still present
    assert not any(name == "townhall_queue_length" for name, _ in samples)  # no Redis


def test_redis_down_leaves_the_queue_length_out_but_the_scrape_answers(jobs, session_factory):
    redis = redis_for_metrics(f"redis://127.0.0.1:{_closed_port()}/13")
    samples = _samples(exposition(session_factory, redis=redis).decode())
    assert _value(samples, "townhall_jobs", status="queued") == 3
    assert not any(name == "townhall_queue_length" for name, _ in samples)


def test_the_queue_length_comes_from_rq(session_factory):
    url = Settings.from_env().redis_url
    if not url or not url.startswith("redis://"):
        pytest.skip("REDIS_URL does not point to a Redis server")
    from rq import Queue

    redis = redis_for_metrics(url)
    queue = Queue("townhall", connection=redis)
    queue.empty()
    queue.enqueue("builtins.print", "metrics test")
    try:
        samples = _samples(exposition(session_factory, redis=redis).decode())
        assert _value(samples, "townhall_queue_length") == 1
    finally:
        queue.empty()


def test_observe_solve_feeds_the_solve_histogram():
    registry = scrape_registry()
    before = registry.get_sample_value(
        "townhall_solve_seconds_count", {"kind": "plan", "status": "done"}
    )
    observe_solve("plan", "done", 1.7)
    after = registry.get_sample_value(
        "townhall_solve_seconds_count", {"kind": "plan", "status": "done"}
    )
    assert after == (before or 0) + 1
    assert (
        registry.get_sample_value(
            "townhall_solve_seconds_bucket", {"kind": "plan", "status": "done", "le": "2.5"}
        )
        >= 1
    )
    with pytest.raises(ValueError, match="seconds"):
        observe_solve("plan", "done", -1)


def test_a_jobs_collector_is_counted_once_per_scrape(jobs, session_factory):
    registry = scrape_registry(session_factory)
    assert sum(isinstance(c, JobsCollector) for c in registry._collector_to_names) == 1
    assert registry.get_sample_value("townhall_jobs", {"status": "queued"}) == 3


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
