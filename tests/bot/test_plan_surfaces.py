"""`townhall plan` and `/roadmap plan` are one use case: the same roadmap for the same
workspace (published baseline included); a bad key is refused before anything is solved
or saved; the listener of a slow command solves nothing, and its job reads the catalog
once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import planner.solve
from bot.commands import execute, run_job
from catalog import services
from catalog.domain import Actor
from catalog.uow import UnitOfWork
from catalog.usecases import Context
from catalog.usecases import commands as c

TOWNHALL = str(Path(sys.executable).with_name("townhall"))
OPERATOR = Actor.operator()


def townhall(database_url: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "COLUMNS": "200", "NO_COLOR": "1"}
    proc = subprocess.run([TOWNHALL, *args], env=env, capture_output=True, text=True, timeout=120)
    if ok:
        assert proc.returncode == 0, proc.stderr + proc.stdout
    return proc


def starts(roadmap) -> dict[str, int]:
    return {s.key: s.start_phase for s in roadmap.scheduled}


def wait_for_roadmaps(uow, count: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with uow() as u:
            jobs = services.recent_jobs(u, actor=OPERATOR, team_id="T0ACME")
        if len(jobs) >= count and all(j.delivered_at is not None for j in jobs):
            return
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} jobs delivered")


def test_the_cli_and_slack_plan_the_same_roadmap_after_a_publish(demo, database_url) -> None:
    demo.slack.command("plan").send(demo.events_url)
    wait_for_roadmaps(demo.uow, 1)
    bob = demo.requests("T0ACME", user_id="U0BOB")
    bob.command("publish").send(demo.events_url)  # answered after the acknowledgement
    deadline = time.monotonic() + 30
    published = None
    while published is None and time.monotonic() < deadline:
        with demo.uow() as u:
            published = services.published_roadmap(u, team_id="T0ACME")
        time.sleep(0.05)
    assert published is not None
    # the budget shrinks: the baseline now pulls the plan towards what was published
    with demo.uow() as u:
        services.update_settings(
            u, actor=OPERATOR, team_id="T0ACME", changes={"budget": {"per_phase": 200_000}}
        )
    demo.slack.command("plan").send(demo.events_url)
    wait_for_roadmaps(demo.uow, 2)
    with demo.uow() as u:
        from_slack = services.latest_roadmap(u, team_id="T0ACME")
    townhall(database_url, "plan", "--team", "T0ACME")
    with demo.uow() as u:
        from_cli = services.latest_roadmap(u, team_id="T0ACME")
    assert from_cli.id != from_slack.id
    assert from_cli.roadmap.objective == from_slack.roadmap.objective
    assert starts(from_cli.roadmap) == starts(from_slack.roadmap)


def test_explain_with_a_mistyped_key_writes_nothing(uow, database_url) -> None:
    with uow() as u:
        services.load_demo(u, actor=OPERATOR, team_id="local")
    proc = townhall(database_url, "plan", "--team", "local", "--explain", "SSOO", ok=False)
    assert proc.returncode != 0
    assert "no initiative SSOO" in proc.stderr
    with uow() as u:
        assert services.latest_roadmap(u, team_id="local") is None


class Counting:
    """A unit-of-work factory that counts the transactions it opens."""

    def __init__(self, uow) -> None:
        self.uow = uow
        self.opened = 0

    def __call__(self) -> UnitOfWork:
        self.opened += 1
        return self.uow()


def test_the_listener_solves_nothing_and_the_job_reads_once(uow, monkeypatch) -> None:
    with uow() as u:
        services.load_demo(u, actor=OPERATOR, team_id="local")
    ctx = Context(actor=OPERATOR, team_id="local", uow_factory=uow)

    def refuse(*args, **kwargs):
        raise AssertionError("the listener solved")

    monkeypatch.setattr(planner.solve, "solve", refuse)
    reply = execute(c.Plan(), ctx)
    assert not reply.error and reply.job is not None
    assert reply.job.payload == {"command": "plan", "fields": c.to_payload(c.Plan())["fields"]}
    monkeypatch.undo()

    reads = []
    real = services.workspace_portfolio
    monkeypatch.setattr(
        services, "workspace_portfolio", lambda *a, **kw: reads.append(1) or real(*a, **kw)
    )
    counting = Counting(uow)
    done = run_job(
        reply.job.payload, Context(actor=OPERATOR, team_id="local", uow_factory=counting)
    )
    assert not done.error, done.text
    assert reads == [1]
    assert counting.opened == 2  # one read, one save


@pytest.mark.parametrize("text", ["explain SSOO", "export xlsx", "plan from=Sprint 9"])
def test_a_slow_command_that_cannot_run_is_refused_before_a_job(uow, text) -> None:
    from bot.commands import handle_text

    with uow() as u:
        services.load_demo(u, actor=OPERATOR, team_id="local")
    reply = handle_text(text, Context(actor=OPERATOR, team_id="local", uow_factory=uow))
    assert reply.error and reply.job is None
    with uow() as u:
        assert services.recent_jobs(u, actor=OPERATOR, team_id="local") == []
