"""The Slack app: a Bolt `App` with Townhall's listeners, for any transport.

`build_app` is shared by the HTTP server, Socket Mode and the tests. Single-workspace
mode takes the bot token and signing secret from the settings; with an installation
store (and OAuth settings) Bolt finds each workspace's token itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from functools import partial
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot import ratelimit
from bot.jobs.queue import InProcessQueue, JobQueue, RedisQueue
from bot.jobs.runner import run
from bot.jobs.runtime import Runtime
from bot.jobs.starter import JobStarter
from bot.jobs.sweeper import Sweeper
from bot.listeners import buttons, commands, exports, interactions, shortcuts
from bot.listeners import options as menu_options
from bot.logs import ContextThreadPoolExecutor
from bot.slack_client import web_client
from catalog.settings import Settings
from catalog.uow import UnitOfWork
from planner.config import SolverConfig

#: Background jobs (solves) run at the same time; more wait their turn. One more than a
#: workspace may run at once (TOWNHALL_JOBS_PER_WORKSPACE, 2), so one workspace's plans
#: never hold every thread.
JOB_WORKERS = 3
#: Listeners run at the same time. A listener acknowledges first, but only once it has a
#: thread: Bolt's default of 5 made a burst of 20 commands wait for each other's answers.
LISTENER_WORKERS = 32


def build_app(
    *,
    settings: Settings,
    session_factory: Any,
    client: WebClient | None = None,
    installation_store: Any = None,
    oauth_settings: Any = None,
    executor: Executor | None = None,
    solver: SolverConfig | None = None,
    queue: JobQueue | None = None,
    recover_jobs: bool = False,
    stopping: threading.Event | None = None,
) -> App:
    """Townhall's Bolt app, its listeners registered.

    `session_factory` is the SQLAlchemy session factory of the catalog. `client` replaces
    the Web API client (tests point one at a fake Slack). Background jobs go to `queue`;
    by default to Redis when `settings.redis_url` is set, otherwise to `executor` (by
    default a small thread pool) in this process. `solver` overrides the solver options.
    `recover_jobs` runs the recovery sweep in this process when jobs run here (a server's
    app; with Redis, the workers sweep) until `stopping` is set: a process that stops
    gracefully sweeps no more, or its sweep would take back the jobs it hands over.
    """
    if client is None:
        token = None if installation_store or oauth_settings else settings.slack_bot_token
        client = web_client(settings, token=token)
    options: dict[str, Any] = {
        "signing_secret": settings.slack_signing_secret,
        "client": client,
        "listener_executor": ContextThreadPoolExecutor(
            max_workers=LISTENER_WORKERS, thread_name_prefix="townhall-listener"
        ),
    }
    if installation_store is not None:
        options["installation_store"] = installation_store
    if oauth_settings is not None:
        options["oauth_settings"] = oauth_settings
    app = App(**options)
    ratelimit.share_with_listeners(app)  # Bolt's per-request clients wait out backoffs
    uow_factory: Callable[[], UnitOfWork] = lambda: UnitOfWork(session_factory)  # noqa: E731
    if queue is None:
        store = installation_store or getattr(oauth_settings, "installation_store", None)
        runtime = Runtime(
            settings=settings,
            session_factory=session_factory,
            solver=solver,
            client=client if store is None else None,  # OAuth: each workspace's own token
            installation_store=store,
        )
        queue = job_queue(settings, runtime=runtime, executor=executor)
        if recover_jobs and isinstance(queue, InProcessQueue):
            Sweeper(runtime, queue, until=stopping).start()
    jobs = JobStarter(queue=queue, uow_factory=uow_factory)
    slash = settings.slash_command
    commands.register(app, uow_factory=uow_factory, jobs=jobs, slash=slash)
    interactions.register(app, uow_factory=uow_factory, slash=slash)
    buttons.register(app, uow_factory=uow_factory, jobs=jobs, slash=slash)
    shortcuts.register(app, uow_factory=uow_factory, slash=slash)
    exports.register(app, uow_factory=uow_factory, jobs=jobs, slash=slash)
    menu_options.register(app, uow_factory=uow_factory)
    return app


def job_queue(
    settings: Settings, *, runtime: Runtime, executor: Executor | None = None
) -> JobQueue:
    """Redis (RQ) when `REDIS_URL` is set; otherwise a thread pool running jobs here."""
    if settings.redis_url:
        return RedisQueue(settings.redis_url)
    pool = executor or ThreadPoolExecutor(max_workers=JOB_WORKERS, thread_name_prefix="townhall")
    return InProcessQueue(pool, partial(run, runtime))
