"""`townhall worker`: an RQ worker on the `townhall` queue, plus the recovery sweep.

RQ (not Celery) because Townhall's jobs are plain functions with two string arguments, and
Redis is the only broker it needs: RQ is small, well kept, and its worker is what we run
as is. What RQ does not promise — a job whose worker was killed mid-run is run again, a
queue that Redis lost on restart is refilled — the catalog's job rows and the sweep do
(`bot.jobs.sweeper`). The worker runs jobs in its own process (RQ's SimpleWorker: no fork
per job, so the solver and the database pool stay warm) and starts its work loop again if
Redis goes away under it.
"""

from __future__ import annotations

import importlib
import logging
import signal
import time
import uuid
from typing import Any

from rq.worker import SimpleWorker

from bot.jobs.deadline import rq_timeout
from bot.jobs.queue import RedisQueue
from bot.jobs.runtime import Runtime, set_current, worker_name
from bot.jobs.sweeper import Sweeper
from catalog import services
from catalog.settings import Settings
from planner.config import SolverConfig

log = logging.getLogger(__name__)

#: Longest wait, in seconds, between attempts to reach Redis again (RQ's default is 60).
RECONNECT_SECONDS = 5.0


class WorkerConfigError(Exception):
    """Raised when the settings cannot run a worker (the message says what to set)."""


class TownhallWorker(SimpleWorker):
    """RQ's in-process worker, reconnecting to Redis within seconds rather than a minute.

    `shutdown_requested` records SIGTERM/SIGINT (and RQ's shutdown command), busy or idle:
    RQ's `request_stop` calls `handle_warm_shutdown_request` first, so the loop needs no
    private attribute of RQ's to tell a stop from Redis going away."""

    max_connection_wait_time = RECONNECT_SECONDS
    shutdown_requested = False
    #: RQ's timeout for every job this worker runs, from its own settings (the process
    #: that queued the job may not know them): see `bot.jobs.deadline`.
    job_timeout: int | None = None

    def handle_warm_shutdown_request(self) -> None:
        self.shutdown_requested = True
        super().handle_warm_shutdown_request()

    def execute_job(self, job: Any, queue: Any) -> Any:
        if self.job_timeout is not None:
            job.timeout = self.job_timeout
        return super().execute_job(job, queue)


def check(settings: Settings) -> None:
    """Refuse settings a worker cannot work with, naming what to set."""
    if not settings.redis_url:
        raise WorkerConfigError(
            "REDIS_URL is not set: `townhall worker` serves the Redis job queue. Without "
            "Redis, jobs run inside `townhall serve` and no worker is needed."
        )
    if not settings.oauth_enabled and not settings.slack_bot_token:
        raise WorkerConfigError(
            "Set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
            "(OAuth installs): the worker posts results to Slack itself."
        )


#: Modules a job imports on first use; a worker loads them before it takes a job.
JOB_MODULES = (
    "bot.commands",
    "planner.solve",
    "planner.explain",
    "planner.frontier",
    "planner.scenario",
    "planner.diff",
    "planner.exports",
    "planner.exports.gantt",
    "planner.exports.frontier_chart",
)


def warm_up(runtime: Runtime) -> None:
    """Load what jobs need (the solver, the exporters, matplotlib for the Gantt chart) and
    open a database connection before listening: a worker started after a crash would
    otherwise spend its first job's first seconds importing, holding the job all along."""
    for module in JOB_MODULES:
        importlib.import_module(module)
    try:
        with runtime.uow() as uow:
            services.ping(uow)
    except Exception as exc:  # the sweep and the jobs retry; the queue can still be served
        log.warning("the database is not reachable yet (%s)", exc)


def run_worker(
    settings: Settings,
    *,
    burst: bool = False,
    solver: SolverConfig | None = None,
    runtime: Runtime | None = None,
    metrics_port: int | None = None,
) -> None:
    """Work the queue until stopped (SIGTERM/SIGINT: the job at hand finishes first), or,
    with `burst`, until it is empty. With `metrics_port`, Prometheus metrics (solve
    durations, job counts, queue length) are served on that port."""
    check(settings)
    assert settings.redis_url is not None
    # until RQ's work loop installs its own handlers (warm shutdown), a SIGTERM or SIGINT
    # ends the worker at once and cleanly: it holds no job yet
    previous = {sig: signal.signal(sig, _exit_cleanly) for sig in (signal.SIGTERM, signal.SIGINT)}
    runtime = runtime or Runtime.from_settings(settings, solver=solver)
    runtime.exit_when_stuck = True  # one job per process: a stuck one ends it (deadline.py)
    set_current(runtime)
    warm_up(runtime)
    queue = RedisQueue(settings.redis_url)
    if metrics_port is not None:
        from bot.metrics import serve_metrics

        serve_metrics(metrics_port, session_factory=runtime.session_factory, redis=queue.connection)
    sweeper = Sweeper(runtime, queue).start()
    wait = 1.0
    try:
        while True:
            worker = TownhallWorker(
                [queue.rq],
                connection=queue.connection,
                name=f"{worker_name()}:{uuid.uuid4().hex[:6]}",
            )
            worker.job_timeout = rq_timeout(settings.job_wall_seconds)
            try:
                worker.work(burst=burst, logging_level="INFO")
            except Exception as exc:  # Redis away while registering: try again shortly
                log.warning("the worker could not reach Redis (%s); retrying in %.0f s", exc, wait)
                time.sleep(wait)
                wait = min(wait * 2, RECONNECT_SECONDS)
                continue
            if burst or worker.shutdown_requested:  # RQ's request_stop sets it (2.x, 3.x)
                return
            log.warning("the worker's loop ended (Redis went away?); starting it again")
            time.sleep(wait)
            wait = min(wait * 2, RECONNECT_SECONDS)
    finally:
        sweeper.stop()
        set_current(None)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)
