"""No job hogs the shared solver: every job ends within its wall-clock limit (set-up,
solves, explanations and pictures included), and one workspace runs at most
`TOWNHALL_JOBS_PER_WORKSPACE` jobs at once, so the others' jobs get through."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import replace

import pytest

import planner.solve
from bot.jobs import deadline as dl
from bot.jobs.deadline import JobTimedOut, WallClock, Watchdog, wall_seconds
from bot.jobs.runner import job_wall_seconds
from bot.jobs.sweeper import Sweeper
from catalog import services
from catalog.settings import Settings
from planner.config import OutOfTime, SolverConfig
from tests.bot.conftest import OPERATOR, SECRET
from tests.bot.signed import SlackRequests
from tests.bot.test_jobs import TEAM, Stack, redis_url, stack, wait_until
from tests.planner.factories import make_problem

OTHER = "T0BETA"


def jobs_of(s: Stack, team_id: str) -> list:
    with s.uow() as uow:
        return services.recent_jobs(uow, actor=OPERATOR, team_id=team_id, limit=100)


# --------------------------------------------------------------------------- per workspace


class RunningSampler:
    """Counts each workspace's running jobs every few milliseconds; keeps the highest."""

    def __init__(self, s: Stack, teams: tuple[str, ...]) -> None:
        self.s = s
        self.teams = teams
        self.most: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> RunningSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            for team in self.teams:
                running = sum(j.status == "running" for j in jobs_of(self.s, team))
                self.most[team] = max(self.most[team], running)


def test_a_workspace_with_four_plans_runs_two_at_once_and_another_workspaces_plan_gets_through(
    fake, session_factory, monkeypatch
):
    real_solve = planner.solve.solve
    solving = Counter[str]()
    most_at_once = [0]
    lock = threading.Lock()

    def slow_solve(problem, config=SolverConfig()):  # noqa: B008 - the real default
        with lock:
            solving["all"] += 1
            most_at_once[0] = max(most_at_once[0], solving["all"])
        try:
            time.sleep(1.5)  # a solve that holds its worker a while
            return real_solve(problem, config)
        finally:
            with lock:
                solving["all"] -= 1

    monkeypatch.setattr(planner.solve, "solve", slow_solve)
    # three job threads: enough for two of one workspace's plans and one of another's
    with stack(fake, session_factory, workers=3, jobs_per_workspace=2) as s:
        beta = fake.add_workspace(team_id=OTHER, name="Beta")
        with s.uow() as uow:
            services.load_demo(uow, actor=OPERATOR, team_id=OTHER)
        theirs = SlackRequests.for_workspace(
            beta, signing_secret=SECRET, response_urls=fake.response_url
        )
        sweeper = Sweeper(s.runtime, s.queue).start()  # submits the waiting ones again
        try:
            with RunningSampler(s, (TEAM, OTHER)) as sampler:
                for _ in range(4):
                    s.slack.command("plan").send(s.events_url)
                wait_until(lambda: len(jobs_of(s, TEAM)) == 4)
                theirs.command("plan").send(s.events_url)
                wait_until(lambda: bool(jobs_of(s, OTHER)))
                wait_until(lambda: jobs_of(s, OTHER)[0].status == "done", timeout=20)
                ours_when_theirs_ended = Counter(j.status for j in jobs_of(s, TEAM))
                wait_until(lambda: all(j.status == "done" for j in jobs_of(s, TEAM)), timeout=60)
        finally:
            sweeper.stop()
    assert sampler.most[TEAM] == 2  # never more than its share
    # the other workspace's plan ran while ours still waited: it was not starved
    assert ours_when_theirs_ended["done"] < 4, ours_when_theirs_ended
    assert most_at_once[0] == 3
    assert all(j.attempts == 1 for j in jobs_of(s, TEAM))  # waiting used no attempt


# --------------------------------------------------------------------------- wall clock


def test_a_job_past_its_wall_clock_limit_ends_failed_with_a_message_and_frees_its_thread(
    fake, session_factory, monkeypatch
):
    import catalog.usecases.planning as planning

    def endless_picture(roadmap, portfolio):  # a stage in Python that never ends
        while True:
            pass

    monkeypatch.setattr(planning, "gantt_picture", endless_picture)
    # one job thread: the next job runs only if the stopped one gave its thread back
    with stack(fake, session_factory, workers=1, job_wall_seconds=2.0) as s:
        started = time.monotonic()
        s.slack.command("plan").send(s.events_url)
        [placeholder] = fake.wait_for("chat.postMessage")
        wait_until(lambda: s.jobs() and s.jobs()[0].delivered_at is not None, timeout=15)
        took = time.monotonic() - started
        [view] = s.jobs()
        assert view.status == "failed"
        assert "wall-clock limit of 2 seconds" in view.error
        assert "TOWNHALL_JOB_WALL_SECONDS" in view.error and "Traceback" not in view.error
        assert took < 5, took
        shown = fake.calls(
            "chat.update",
            where=lambda c: (
                c.body.get("ts") == placeholder.response["ts"]
                and "wall-clock limit" in c.body.get("text", "")
            ),
        )
        assert shown, "the placeholder says why the plan stopped"
        monkeypatch.undo()
        s.slack.command("plan").send(s.events_url)
        wait_until(lambda: len(s.jobs()) == 2 and s.jobs()[0].delivered_at is not None)
        assert s.jobs()[0].status == "done"


def test_the_solver_of_a_job_gets_only_what_is_left_of_its_wall_clock(
    fake, session_factory, monkeypatch
):
    """`plan time=5m` under a 20-second limit: the solves are cut to the limit, and the
    job is done in time rather than stopped."""
    seen: list[float] = []
    real_optimize = planner.solve.optimize

    def watching(problem, config):
        seen.append(config.time_limit)
        return real_optimize(problem, config)

    monkeypatch.setattr(planner.solve, "optimize", watching)
    with stack(fake, session_factory, job_wall_seconds=20.0) as s:
        s.slack.command("plan time=5m").send(s.events_url)
        wait_until(lambda: s.jobs() and s.jobs()[0].delivered_at is not None)
        [view] = s.jobs()
        assert view.status == "done"
    assert seen and max(seen) <= 20 - 5  # the hard limit less what is kept for the rest


def test_the_wall_clock_limit_is_twice_the_time_limit_plus_a_minute_at_most_the_setting(
    session_factory,
):
    from bot.jobs.runtime import Runtime

    runtime = Runtime(
        settings=replace(Settings(), job_wall_seconds=660.0),
        session_factory=session_factory,
        solver=SolverConfig(time_limit=10.0),
    )

    class Job:
        def __init__(self, request):
            self.request = request

    plan = {"command": "plan", "fields": {"time_limit": 300.0}}
    assert job_wall_seconds(runtime, Job(plan)) == 660.0
    assert job_wall_seconds(runtime, Job({"command": "whatif", "fields": {}})) == 80.0
    assert job_wall_seconds(runtime, Job({"garbage": True})) == 80.0
    runtime.settings = replace(runtime.settings, job_wall_seconds=30.0)
    assert job_wall_seconds(runtime, Job(plan)) == 30.0
    assert wall_seconds(5, cap=1000) == 70


def test_the_settings_read_the_limits_and_refuse_nonsense_naming_the_variable():
    default = Settings.from_env({})
    assert (default.job_wall_seconds, default.jobs_per_workspace) == (660.0, 2)
    given = Settings.from_env(
        {"TOWNHALL_JOB_WALL_SECONDS": "120", "TOWNHALL_JOBS_PER_WORKSPACE": "3"}
    )
    assert (given.job_wall_seconds, given.jobs_per_workspace) == (120.0, 3)
    for name, bad in [
        ("TOWNHALL_JOB_WALL_SECONDS", "0"),
        ("TOWNHALL_JOB_WALL_SECONDS", "inf"),
        ("TOWNHALL_JOB_WALL_SECONDS", "nan"),
        ("TOWNHALL_JOB_WALL_SECONDS", "ten"),
        ("TOWNHALL_JOBS_PER_WORKSPACE", "0"),
        ("TOWNHALL_JOBS_PER_WORKSPACE", "1.5"),
        ("TOWNHALL_JOBS_PER_WORKSPACE", "²"),
    ]:
        with pytest.raises(ValueError, match=name):
            Settings.from_env({name: bad})


# --------------------------------------------------------------------------- the watchdog


def guarded(watchdog: Watchdog, work) -> str:
    try:
        try:
            with watchdog:
                return work()
        finally:
            watchdog.close()
    except JobTimedOut:
        watchdog.close()
        return "stopped"


def test_the_watchdog_stops_python_code_at_the_limit():
    def spin() -> str:
        while True:
            pass

    started = time.monotonic()
    assert guarded(Watchdog(WallClock(0.3)), spin) == "stopped"
    assert time.monotonic() - started < 2


def test_the_watchdog_leaves_work_that_ends_in_time_alone():
    watchdog = Watchdog(WallClock(0.2))
    assert guarded(watchdog, lambda: "done") == "done"
    time.sleep(0.4)  # past the limit: nothing is raised any more
    assert not watchdog.fired


def test_the_watchdog_gives_up_on_a_thread_stuck_in_native_code():
    stuck = threading.Event()
    result: list[str] = []

    def native() -> str:
        time.sleep(1.0)  # C code: an interruption waits until it returns
        return "done"

    def job() -> None:
        watchdog = Watchdog(WallClock(0.1), on_stuck=stuck.set, grace=0.2)
        result.append(guarded(watchdog, native))

    thread = threading.Thread(target=job)
    thread.start()
    assert stuck.wait(2), "on_stuck was called while the thread was held"
    thread.join()
    assert result == ["stopped"]  # and it stops as soon as the native call returns


def test_rq_stops_a_job_only_after_its_own_limit_and_the_grace():
    assert dl.rq_timeout(660) > 660 + dl.STUCK_GRACE


def test_the_rq_worker_applies_its_own_timeout_to_each_job(monkeypatch):
    from redis import Redis
    from rq import Queue
    from rq.worker import SimpleWorker

    from bot.jobs.worker import TownhallWorker

    seen: list[object] = []
    monkeypatch.setattr(SimpleWorker, "execute_job", lambda self, job, queue: seen.append(job))
    connection = Redis.from_url(redis_url())  # RQ's worker talks to Redis when it is made
    worker = TownhallWorker([Queue("t", connection=connection)], connection=connection)
    worker.job_timeout = 123

    class Job:
        timeout = 900

    job = Job()
    worker.execute_job(job, None)
    assert seen == [job] and job.timeout == 123


# --------------------------------------------------------------------------- the planner


def hard_problem():
    import random

    rng = random.Random(7)
    items = [
        {
            "key": f"I{i}",
            "duration": rng.randint(1, 4),
            "value": rng.randint(10, 1000),
            "capex": rng.randint(10, 400) * 1000,
            "uses": {"integration": rng.randint(0, 3), "design": rng.randint(0, 3)},
        }
        for i in range(150)
    ]
    return make_problem(
        items,
        phases=12,
        budget=900000,
        total=6000000,
        capacity={"integration": 6, "design": 5},
    )


def test_a_solve_with_a_deadline_ends_by_it_whatever_its_time_limit():
    problem = hard_problem()
    started = time.monotonic()
    config = SolverConfig(time_limit=60, workers=2, deadline=started + 1.5)
    roadmap = planner.solve.solve(problem, config)
    assert time.monotonic() - started < 2.5
    assert roadmap.status in ("optimal", "feasible")


def test_a_solve_past_its_deadline_does_not_start():
    config = SolverConfig(time_limit=5, deadline=time.monotonic() - 1)
    with pytest.raises(OutOfTime, match="wall-clock limit"):
        planner.solve.solve(hard_problem(), config)


def test_the_frontier_stops_at_the_deadline():
    from planner.frontier import frontier

    problem = hard_problem()
    late = SolverConfig(time_limit=1, deadline=time.monotonic() - 1)
    assert frontier(problem, points=6, config=late) == []
    started = time.monotonic()
    soon = SolverConfig(time_limit=1, workers=2, deadline=started + 1.5)
    points = frontier(problem, points=6, config=soon)
    assert time.monotonic() - started < 2.5
    assert len(points) < 6


def test_an_explanation_past_the_deadline_says_it_could_not_be_costed():
    from planner.explain import explain

    problem = hard_problem()
    roadmap = planner.solve.solve(problem, SolverConfig(time_limit=1, workers=2))
    left_out = next(u.key for u in roadmap.unscheduled)
    started = time.monotonic()
    late = SolverConfig(time_limit=3, deadline=started - 1)
    text = explain(problem, roadmap, left_out, config=late).text()
    assert time.monotonic() - started < 1
    assert "could not be costed within the time limit" in text
