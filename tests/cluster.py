"""Townhall as production runs it, on loopback: for the fault tests and the load benchmark.

`cluster()` starts, in this order, and tears down in reverse (even when the block fails):

- a `FakeSlack` (tests/bot/fakeslack.py) in this process; every Townhall process talks to
  it through `SLACK_API_URL`, with the bot token of its workspace T0ACME;
- a fresh PostgreSQL database on the server of `database_url` (default: `DATABASE_URL` when
  it points at PostgreSQL, else postgresql://postgres@127.0.0.1:5432/postgres), migrated by
  `townhall db upgrade` (the release step) and loaded with `townhall demo --team T0ACME`;
  bob (U0BOB) is made an approver, as in tests/bot/conftest.py. With `big_initiatives`,
  a generated portfolio of that size is imported into workspace T0BIG too (its solves run
  for as long as `plan time=…` lets them: the demo's finish in a fraction of a second);
- Redis: a database number of `redis_url` (default: `REDIS_URL`, else
  redis://127.0.0.1:6379) that is empty, claimed for this run and flushed at the start and
  the end; or, with `private_redis=True`, a `redis-server` of its own on a free port
  (`--save "" --appendonly no`) that `stop_redis()` / `start_redis()` stop and start again,
  empty, on the same port;
- `servers` × `townhall serve` (gunicorn, `--workers web_processes --threads threads`), each
  on a free port, and `workers` × `townhall worker --solver-threads solver_threads`; it
  waits for every `/healthz` and for the workers to register with RQ before yielding.

Every process gets the same environment (`SLACK_SIGNING_SECRET`, `SLACK_BOT_TOKEN`,
`SLACK_API_URL`, `DATABASE_URL`, `REDIS_URL`, `TOWNHALL_JOB_LEASE=lease_seconds`, text
logs), plus `env`. Their output goes to files in a temporary directory (`Cluster.logs`);
when the block raises, the tail of each is printed to stderr.

When PostgreSQL, Redis or `redis-server` cannot be reached, `cluster()` skips the test
(`pytest.skip`) with the reason, or raises `ClusterUnavailable` with `on_missing="raise"`
(scripts such as bench/load.py).

    with cluster(workers=2, lease_seconds=3.0) as c:
        c.slack.command("plan").send(c.events_url)
        c.wait_jobs_finished(timeout=30)
        assert set(c.results_per_job().values()) == {1}

`Cluster` gives: `fake`, `slack` (signed requests from alice in #general of T0ACME),
`big` (requests in #big of T0BIG, with `big_initiatives`), `events_url` / `events_urls`
(one per server), `web` / `webs` (the servers' Popen), `workers` (Popen list; a killed
worker's entry stays, dead), `start_worker()`, `kill_worker(i)` (SIGKILL),
`worker_index(pid)`, `pids()` (role → pids: `arbiter`, `web` — gunicorn's worker processes —
and `worker`), `uow()`, `jobs()`, `wait_jobs_finished(timeout)`, `results_per_job()`,
`result_updates(ts)`, `stop_redis()` / `start_redis()` (private Redis), `database_url`,
`redis_url`, `logs` and `tail(name)`.

Fault tests (tests/faults/) use it to prove, against the real services, that production
survives its faults: a killed worker's job is run again, once; Redis stopped and started;
database connections cut; two approvers at once; a slash command delivered twice.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import psutil
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from catalog import services
from catalog.domain import Actor
from catalog.settings import normalize_database_url
from catalog.uow import UnitOfWork
from catalog.views import JobView
from tests.bot.fakeslack import FakeSlack, iter_blocks_text
from tests.bot.signed import SlackRequests, get

TEAM = "T0ACME"
BIG_TEAM = "T0BIG"
BIG_CHANNEL = "C0BIG"
SECRET = "cluster-signing-secret"
OPERATOR = Actor.operator()
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379"
#: Redis database numbers a shared-Redis run may claim (13 and 14 are the unit tests').
REDIS_DBS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15)
#: The key that marks a Redis database as claimed by one run (expires if the run dies).
CLAIM_KEY = "townhall:cluster:claim"
CLAIM_SECONDS = 3600
#: Environment variables of the caller that would change what the processes do.
CLEARED_ENV = (
    "DATABASE_URL",
    "REDIS_URL",
    "SLACK_SIGNING_SECRET",
    "SLACK_BOT_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "SLACK_STATE_SECRET",
    "TOWNHALL_TEAM",
    "TOWNHALL_COMMAND",
    "TOWNHALL_JOB_LEASE",
    "TOWNHALL_ENCRYPTION_KEY",
    "TOWNHALL_LOG_FORMAT",
    "WEB_CONCURRENCY",
)
TOWNHALL = Path(sys.executable).with_name("townhall")
TAIL_LINES = 40


class ClusterUnavailable(Exception):
    """PostgreSQL, Redis or redis-server cannot be reached; the message says which."""


def texts(blocks: Any) -> str:
    return "\n".join(iter_blocks_text(blocks or []))


def is_result(call: Any) -> bool:
    """A chat.update that carries a roadmap (its Publish button), not progress."""
    return "Publish" in texts(call.body.get("blocks"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll `condition` every 50 ms; AssertionError naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.05)


# --------------------------------------------------------------------------- services


def postgres_server(database_url: str | None) -> str:
    """The PostgreSQL server URL to make the scratch database on."""
    url = database_url or os.environ.get("DATABASE_URL", "")
    if not normalize_database_url(url or "sqlite://").startswith("postgresql"):
        url = DEFAULT_POSTGRES
    return normalize_database_url(url)


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def check_postgres(url: str) -> str | None:
    """None when PostgreSQL at `url` answers, else why not."""
    parsed = make_url(url)
    host, port = parsed.host or "127.0.0.1", parsed.port or 5432
    if not _reachable(host, port):
        return f"PostgreSQL is not reachable at {host}:{port}"
    return None


def check_redis(url: str) -> str | None:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=2.0).ping()
    except RedisError as exc:
        return f"Redis is not reachable at {_redis_host(url)} ({exc})"
    return None


def _redis_host(url: str) -> str:
    from urllib.parse import urlsplit

    split = urlsplit(url)
    return f"{split.hostname}:{split.port or 6379}"


def _with_db(url: str, db: int) -> str:
    from urllib.parse import urlsplit, urlunsplit

    split = urlsplit(url)
    return urlunsplit((split.scheme, split.netloc, f"/{db}", split.query, ""))


@contextmanager
def shared_redis(url: str) -> Iterator[str]:
    """A database number of the Redis at `url`, empty and claimed for this run; flushed
    when done. Claiming sets a key that expires, so a crashed run frees it eventually."""
    from redis import Redis

    token = uuid.uuid4().hex
    candidates = list(REDIS_DBS)
    random.shuffle(candidates)
    for db in candidates:
        db_url = _with_db(url, db)
        connection = Redis.from_url(db_url, socket_connect_timeout=1.0, socket_timeout=5.0)
        if connection.dbsize() != 0:
            connection.close()
            continue
        if not connection.set(CLAIM_KEY, token, nx=True, ex=CLAIM_SECONDS):
            connection.close()
            continue
        try:
            yield db_url
        finally:
            connection.flushdb()
            connection.close()
        return
    raise ClusterUnavailable(f"no empty Redis database at {_redis_host(url)} among {REDIS_DBS}")


class PrivateRedis:
    """A `redis-server` of this run on a free loopback port, no persistence."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ClusterUnavailable("redis-server is not installed (needed for private_redis)")
        self.binary = binary
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError("the private Redis is already running")
        self.starts += 1
        log = open(self.directory / f"redis.{self.starts}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_until(
            lambda: check_redis(self.url) is None,
            timeout=10,
            what=f"redis-server on port {self.port}",
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --------------------------------------------------------------------------- the cluster


@dataclass
class Cluster:
    """A running cluster; see the module docstring."""

    fake: FakeSlack
    slack: SlackRequests
    database_url: str
    redis_url: str
    engine: Engine
    env: dict[str, str]
    log_dir: Path
    solver_threads: int
    big: SlackRequests | None = None
    webs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    events_urls: list[str] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: dict[str, Path] = field(default_factory=dict)
    private_redis: PrivateRedis | None = None
    _session_factory: Any = None

    # ---- where to send requests --------------------------------------------------

    @property
    def web(self) -> subprocess.Popen[bytes]:
        return self.webs[0]

    @property
    def events_url(self) -> str:
        return self.events_urls[0]

    @property
    def roots(self) -> list[str]:
        return [url.removesuffix("/slack/events") for url in self.events_urls]

    # ---- processes ---------------------------------------------------------------

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        path = self.log_dir / f"{name}.log"
        self.logs[name] = path
        with open(path, "wb") as out:
            return subprocess.Popen(
                [str(TOWNHALL), *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                start_new_session=True,  # a Ctrl-C of the test run does not reach them first
            )

    def _run(self, name: str, args: list[str], *, timeout: float = 120) -> None:
        process = self._spawn(name, args)
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise AssertionError(f"townhall {' '.join(args)} took over {timeout:g} s") from None
        if code != 0:
            raise AssertionError(f"townhall {' '.join(args)} exited {code}:\n{self.tail(name)}")

    def start_server(self, *, web_processes: int, threads: int) -> int:
        """Start one more `townhall serve` on a free port; its index in `webs`."""
        port = free_port()
        index = len(self.webs)
        self.webs.append(
            self._spawn(
                f"web-{index}",
                [
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    str(web_processes),
                    "--threads",
                    str(threads),
                ],
            )
        )
        self.events_urls.append(f"http://127.0.0.1:{port}/slack/events")
        return index

    def start_worker(self) -> int:
        """Start one more `townhall worker`; its index in `workers`."""
        index = len(self.workers)
        self.workers.append(
            self._spawn(f"worker-{index}", ["worker", "--solver-threads", str(self.solver_threads)])
        )
        return index

    def kill_worker(self, index: int) -> None:
        """SIGKILL worker `index` (no goodbye: its job and its RQ registration stay behind)."""
        process = self.workers[index]
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def worker_index(self, pid: int) -> int:
        """The index in `workers` of the worker process `pid`."""
        for index, process in enumerate(self.workers):
            if process.pid == pid:
                return index
        raise LookupError(f"no worker of this cluster has pid {pid}")

    def live_workers(self) -> list[int]:
        return [i for i, p in enumerate(self.workers) if p.poll() is None]

    def pids(self) -> dict[str, list[int]]:
        """Live processes by role: `arbiter` (each gunicorn master), `web` (gunicorn's worker
        processes, which serve the requests), `worker` (`townhall worker`)."""
        arbiters, web = [], []
        for server in self.webs:
            if server.poll() is not None:
                continue
            arbiters.append(server.pid)
            with suppress(psutil.NoSuchProcess):
                web.extend(child.pid for child in psutil.Process(server.pid).children())
        return {
            "arbiter": arbiters,
            "web": web,
            "worker": [self.workers[i].pid for i in self.live_workers()],
        }

    def wait_ready(self, *, web_processes: int, timeout: float = 60) -> None:
        """Every server answers /healthz with all its processes; every live worker is
        registered with RQ."""
        for root in self.roots:
            wait_until(lambda root=root: _healthy(root), timeout=timeout, what=f"{root}/healthz")
        wait_until(
            lambda: len(self.pids()["web"]) >= web_processes * len(self.webs),
            timeout=timeout,
            what="gunicorn's worker processes",
        )
        self.wait_workers_registered(timeout=timeout)

    def wait_workers_registered(self, *, timeout: float = 60) -> None:
        """Wait until each live worker process is registered with RQ (listening). After a
        Redis restart RQ's registrations are gone and workers do not register again (they do
        listen again): prove that by running jobs, not with this."""
        from redis import Redis
        from rq import Worker

        def registered() -> bool:
            try:
                connection = Redis.from_url(self.redis_url, socket_connect_timeout=1.0)
                pids = {w.pid for w in Worker.all(connection=connection)}
            except Exception:
                return False
            return all(self.workers[i].pid in pids for i in self.live_workers())

        for index, process in enumerate(self.workers):
            if process.poll() is not None and process.returncode != -signal.SIGKILL:
                raise AssertionError(f"worker-{index} exited {process.returncode}")
        wait_until(registered, timeout=timeout, what="the workers to register with RQ")

    # ---- private Redis -----------------------------------------------------------

    def stop_redis(self) -> None:
        """Stop the private Redis (everything it held is gone)."""
        if self.private_redis is None:
            raise RuntimeError("stop_redis needs cluster(private_redis=True)")
        self.private_redis.stop()

    def start_redis(self) -> None:
        """Start the private Redis again, empty, on the same port."""
        if self.private_redis is None:
            raise RuntimeError("start_redis needs cluster(private_redis=True)")
        self.private_redis.start()

    # ---- the catalog -------------------------------------------------------------

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self._session_factory)

    def jobs(self) -> list[JobView]:
        """Every job row of every workspace, oldest first."""
        views: list[JobView] = []
        for team in (TEAM, BIG_TEAM) if self.big is not None else (TEAM,):
            with self.uow() as uow:
                views.extend(
                    services.recent_jobs(uow, actor=OPERATOR, team_id=team, limit=1_000_000)
                )
        return sorted(views, key=lambda v: (v.created_at, v.id))

    def wait_jobs_finished(self, timeout: float, *, count: int | None = None) -> list[JobView]:
        """Wait until there are jobs (at least `count`) and every one is done or failed and
        delivered; returns them."""

        def finished() -> bool:
            jobs = self.jobs()
            if not jobs or (count is not None and len(jobs) < count):
                return False
            return all(j.status in ("done", "failed") and j.delivered_at for j in jobs)

        try:
            wait_until(finished, timeout=timeout, what="every job to finish and be delivered")
        except AssertionError as exc:
            summary = ", ".join(
                f"{j.id[:8]}:{j.status}/a{j.attempts}/{'d' if j.delivered_at else '-'}"
                for j in self.jobs()
            )
            raise AssertionError(f"{exc}; jobs: {summary or 'none'}") from None
        return self.jobs()

    # ---- what Slack saw ----------------------------------------------------------

    def result_updates(self, ts: str) -> list[Any]:
        """The chat.update calls of message `ts` that carry a roadmap (not progress)."""
        return self.fake.calls(
            "chat.update", where=lambda c: c.body.get("ts") == ts and is_result(c)
        )

    def results_per_job(self) -> dict[str, int]:
        """Job id → how many roadmap results were posted on its placeholder message."""
        counts: dict[str, int] = {}
        for job in self.jobs():
            ts = job.delivery.get("ts")
            counts[job.id] = len(self.result_updates(ts)) if ts else 0
        return counts

    # ---- logs --------------------------------------------------------------------

    def tail(self, name: str, lines: int = TAIL_LINES) -> str:
        path = self.logs[name]
        try:
            text = path.read_text(errors="replace")
        except OSError as exc:
            return f"({path}: {exc})"
        return "\n".join(text.splitlines()[-lines:])

    def print_logs(self, lines: int = TAIL_LINES) -> None:
        for name in self.logs:
            print(f"----- {name} (last {lines} lines) -----", file=sys.stderr)
            print(self.tail(name, lines), file=sys.stderr)

    # ---- shutdown ----------------------------------------------------------------

    def stop_processes(self) -> None:
        """Stop every process (gunicorn: SIGINT, its quick shutdown; workers: SIGTERM, RQ's
        warm shutdown), and SIGKILL what is still there after a few seconds."""
        processes = [p for p in [*self.webs, *self.workers] if p.poll() is None]
        for process in processes:
            with suppress(ProcessLookupError):
                process.send_signal(signal.SIGINT if process in self.webs else signal.SIGTERM)
        deadline = time.monotonic() + 8
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _kill_tree(process.pid)
                process.wait()


def _kill_tree(pid: int) -> None:
    try:
        parent = psutil.Process(pid)
        children = parent.children(recursive=True)
    except psutil.NoSuchProcess:
        return
    for process in [*children, parent]:
        with suppress(psutil.NoSuchProcess):
            process.kill()


def _healthy(root: str) -> bool:
    try:
        return get(f"{root}/healthz", timeout=2.0).status == 200
    except OSError:
        return False


def _unavailable(reason: str, on_missing: Literal["skip", "raise"]) -> None:
    if on_missing == "skip":
        pytest.skip(reason)
    raise ClusterUnavailable(reason)


def process_env(overrides: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env.update(overrides)
    return env


@contextmanager
def cluster(
    *,
    web_processes: int = 2,
    threads: int = 16,
    workers: int = 2,
    servers: int = 1,
    lease_seconds: float = 3.0,
    database_url: str | None = None,
    redis_url: str | None = None,
    private_redis: bool = False,
    solver_threads: int = 1,
    big_initiatives: int = 0,
    big_phases: int = 12,
    env: Mapping[str, str] | None = None,
    on_missing: Literal["skip", "raise"] = "skip",
    ready_timeout: float = 60.0,
) -> Iterator[Cluster]:
    """Run Townhall on loopback for the block; see the module docstring."""
    for name, value in (("web_processes", web_processes), ("servers", servers)):
        if value < 1:
            raise ValueError(f"{name}: expected at least 1, got {value}")
    if workers < 0 or threads < 1 or solver_threads < 1 or lease_seconds <= 0:
        raise ValueError(
            "workers ≥ 0, threads ≥ 1, solver_threads ≥ 1 and lease_seconds > 0 expected, got "
            f"{workers}, {threads}, {solver_threads}, {lease_seconds}"
        )
    server = postgres_server(database_url)
    problem = check_postgres(server)
    if problem is None and not private_redis:
        problem = check_redis(redis_url or os.environ.get("REDIS_URL") or DEFAULT_REDIS)
    if problem is None and private_redis and shutil.which("redis-server") is None:
        problem = "redis-server is not installed (needed for private_redis)"
    if problem is not None:
        _unavailable(problem, on_missing)

    from catalog.db import make_engine, make_session_factory
    from catalog.testing import scratch_postgres_database

    with ExitStack() as stack:
        log_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="townhall-cluster-")))
        fake = stack.enter_context(FakeSlack())
        db_url = stack.enter_context(scratch_postgres_database(server, prefix="townhall_cluster"))
        redis_server: PrivateRedis | None = None
        if private_redis:
            redis_server = PrivateRedis(log_dir)
            stack.callback(redis_server.stop)
            redis_server.start()
            queue_url = redis_server.url
        else:
            shared = redis_url or os.environ.get("REDIS_URL") or DEFAULT_REDIS
            queue_url = stack.enter_context(shared_redis(shared))
        engine = make_engine(db_url)
        stack.callback(engine.dispose)
        process_overrides = {
            "DATABASE_URL": db_url,
            "REDIS_URL": queue_url,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_BOT_TOKEN": fake.workspace.bot_token,
            "SLACK_API_URL": fake.url,
            "TOWNHALL_JOB_LEASE": f"{lease_seconds:g}",
            "TOWNHALL_LOG_FORMAT": "text",
            "PYTHONUNBUFFERED": "1",
            **dict(env or {}),
        }
        c = Cluster(
            fake=fake,
            slack=SlackRequests.for_workspace(
                fake.workspace, signing_secret=SECRET, response_urls=fake.response_url
            ),
            database_url=db_url,
            redis_url=queue_url,
            engine=engine,
            env=process_env(process_overrides),
            log_dir=log_dir,
            solver_threads=solver_threads,
            private_redis=redis_server,
            _session_factory=make_session_factory(engine),
        )
        failed = True
        try:
            c._run("release", ["db", "upgrade"])
            c._run("demo", ["demo", "--team", TEAM])
            with c.uow() as uow:
                services.grant_role(
                    uow, actor=OPERATOR, team_id=TEAM, user_id="U0BOB", role="approver"
                )
            if big_initiatives:
                c.big = _load_big(c, big_initiatives, big_phases)
            for _ in range(servers):
                c.start_server(web_processes=web_processes, threads=threads)
            for _ in range(workers):
                c.start_worker()
            c.wait_ready(web_processes=web_processes, timeout=ready_timeout)
            yield c
            failed = False
        finally:
            try:
                c.stop_processes()
            finally:
                if failed:
                    c.print_logs()


def _load_big(c: Cluster, initiatives: int, phases: int) -> SlackRequests:
    from bench.generate import generate_portfolio

    portfolio = generate_portfolio(initiatives, phases, seed=1)
    with c.uow() as uow:
        services.ensure_workspace(uow, team_id=BIG_TEAM)
    with c.uow() as uow:
        services.import_portfolio(uow, actor=OPERATOR, team_id=BIG_TEAM, portfolio=portfolio)
    workspace = c.fake.add_workspace(team_id=BIG_TEAM, name="Big")
    return SlackRequests.for_workspace(
        workspace, signing_secret=SECRET, response_urls=c.fake.response_url
    ).in_channel(BIG_CHANNEL, channel_name="big")
