"""`townhall serve|socket|worker`: the long-running processes of the Procfile.

Everything heavy (gunicorn, Bolt, RQ, prometheus_client) is imported inside the
command that needs it: `serve --workers N` must switch prometheus_client to its
multiprocess mode before the first import of it (`_share_metrics_between_workers`).
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.common import fail, require_server_packages
from bot.cli.common import settings as read_settings

AppSpec = Annotated[
    str,
    typer.Option("--app", help="module:function that builds the Bolt app.", show_default=True),
]


def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", "-p", help="TCP port to listen on.")] = 3000,
    host: Annotated[str, typer.Option("--host", help="Interface to bind.")] = "127.0.0.1",
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 1,
    threads: Annotated[int, typer.Option("--threads", min=1, help="Threads per worker.")] = 8,
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            "-c",
            help="A gunicorn configuration file (default: gunicorn.conf.py in the working "
            "directory, if there is one).",
        ),
    ] = None,
    app_spec: AppSpec = "bot.app:build_app",
) -> None:
    """Serve Slack over HTTP (/slack/events, /slack/install, /healthz, /readyz, /metrics)
    on gunicorn.

    Its settings, each over the one before: townhall's defaults, a gunicorn
    configuration file (--config, else ./gunicorn.conf.py), GUNICORN_CMD_ARGS, then the
    options given here."""
    require_server_packages("gunicorn", "prometheus_client")
    from bot import gunicorn_config
    from bot.logs import log_level

    settings = read_settings()
    layers = gunicorn_config.Layers(
        config=config,
        defaults={"loglevel": logging.getLevelName(log_level()).lower()},
        explicit=_explicit_gunicorn_settings(ctx, host=host, port=port),
    )
    try:
        effective = gunicorn_config.resolve(
            {"bind": f"{host}:{port}", "workers": workers, "threads": threads}, layers
        )
    except gunicorn_config.GunicornConfigError as exc:
        fail(str(exc))
    if effective.workers > 1:
        _share_metrics_between_workers()
    gunicorn_config.use(layers)
    from bot.logs import configure_logging
    from bot.server import StartupError
    from bot.server import serve as serve_http

    configure_logging(settings)
    try:
        serve_http(
            settings=settings,
            host=host,
            port=port,
            builder_spec=app_spec,
            workers=workers,
            threads=threads,
        )
    except StartupError as exc:
        fail(str(exc))


def _explicit_gunicorn_settings(ctx: typer.Context, *, host: str, port: int) -> dict[str, Any]:
    """The gunicorn settings the command line stated (not left at their defaults): they
    win over gunicorn.conf.py and GUNICORN_CMD_ARGS."""
    given = {
        name
        for name in ("host", "port", "workers", "threads")
        if getattr(ctx.get_parameter_source(name), "name", "DEFAULT") != "DEFAULT"
    }
    explicit: dict[str, Any] = {}
    if given & {"host", "port"}:
        explicit["bind"] = [f"{host}:{port}"]
    for name in given & {"workers", "threads"}:
        explicit[name] = ctx.params[name]
    return explicit


def socket(
    app_spec: AppSpec = "bot.app:build_app",
    port: Annotated[
        int | None,
        typer.Option(
            "--port", "-p", min=0, help="Serve /healthz, /readyz and /metrics on this TCP port."
        ),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Interface of the --port server.")] = (
        "127.0.0.1"
    ),
    ping_interval: Annotated[
        float, typer.Option("--ping-interval", min=0.05, help="Seconds between two pings.")
    ] = 5.0,
    ping_timeout: Annotated[
        float,
        typer.Option("--ping-timeout", min=0.1, help="Seconds without a pong before reconnecting."),
    ] = 8.0,
    grace: Annotated[
        float,
        typer.Option(
            "--grace",
            min=0,
            help="On SIGTERM, seconds running jobs get to finish before they are handed "
            "back to another process.",
        ),
    ] = 25.0,
) -> None:
    """Connect to Slack over Socket Mode (no inbound traffic; needs SLACK_APP_TOKEN).
    Several processes may run at once; SIGTERM stops gracefully."""
    require_server_packages("gunicorn", "prometheus_client")  # bot.server, bot.metrics
    if ping_timeout <= ping_interval:
        fail(f"--ping-timeout ({ping_timeout:g}) must exceed --ping-interval ({ping_interval:g})")
    from bot.logs import configure_logging
    from bot.server import StartupError
    from bot.socket_mode import SocketOptions, run_socket_mode

    settings = read_settings()
    configure_logging(settings)
    options = SocketOptions(
        port=port, host=host, ping_interval=ping_interval, ping_timeout=ping_timeout, grace=grace
    )
    try:
        code = run_socket_mode(settings=settings, builder_spec=app_spec, options=options)
    except StartupError as exc:  # one line each, unwrapped: a platform's log shows it whole
        for line in str(exc).splitlines():
            typer.echo(f"error: {line}", err=True)
        raise typer.Exit(1) from None
    raise typer.Exit(code)


def worker(
    burst: Annotated[
        bool, typer.Option("--burst", help="Stop once the queue is empty (for scripts).")
    ] = False,
    solver_threads: Annotated[
        int, typer.Option("--solver-threads", min=1, help="CP-SAT threads per solve.")
    ] = 2,
    metrics_port: Annotated[
        int | None, typer.Option("--metrics-port", min=1, help="Serve /metrics on this port.")
    ] = None,
    nice: Annotated[
        int,
        typer.Option(
            "--nice",
            min=0,
            max=19,
            help="Lower this worker's CPU priority by N (Unix nice): web processes on the "
            "same machine then acknowledge Slack first, solves take the CPU left over.",
        ),
    ] = 0,
) -> None:
    """Run background jobs (solves, what-ifs, exports) from the Redis queue (needs REDIS_URL)."""
    require_server_packages("rq", "redis")
    from bot.jobs.worker import WorkerConfigError, run_worker
    from bot.logs import configure_logging
    from planner.config import SolverConfig

    if nice:
        _lower_priority(nice)
    settings = read_settings()
    configure_logging(settings)
    try:
        run_worker(
            settings,
            burst=burst,
            solver=SolverConfig(workers=solver_threads),
            metrics_port=metrics_port,
        )
    except WorkerConfigError as exc:
        fail(str(exc))


def _lower_priority(nice: int) -> None:
    """Lower the priority of this process by `nice`, every thread of it included.

    Linux niceness is per thread: `os.nice` changes the calling thread and the threads it
    starts later (the solver's, the sweep's), not those a library started at import
    (numpy's BLAS pool), so each thread already running is set too.
    """
    os.nice(nice)
    tasks = Path("/proc/self/task")
    if not tasks.is_dir():  # elsewhere niceness belongs to the process
        return
    value = os.getpriority(os.PRIO_PROCESS, 0)
    for task in tasks.iterdir():
        try:
            os.setpriority(os.PRIO_PROCESS, int(task.name), value)
        except ProcessLookupError:  # the thread ended meanwhile
            continue


def _share_metrics_between_workers() -> None:
    """Give several gunicorn workers prometheus_client's multiprocess mode: a fresh
    directory in PROMETHEUS_MULTIPROC_DIR (prometheus_client's own variable) unless one
    is set. It must happen before prometheus_client is first imported."""
    if "prometheus_client" in sys.modules:
        raise RuntimeError(
            "prometheus_client was imported before `serve` could switch on its multiprocess "
            "mode: import bot.metrics lazily inside commands, not at the top of bot/cli/"
        )
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        directory = tempfile.mkdtemp(prefix="townhall-metrics-")
        atexit.register(shutil.rmtree, directory, ignore_errors=True)  # when the master exits
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
