"""Prometheus metrics: Slack requests and how fast they were acknowledged, solve times,
and the job queue's depth.

    townhall_requests_total{kind, command, outcome}   Slack requests by kind, subcommand
                                                      and outcome (ok | rejected | error)
    townhall_ack_seconds{kind}                        request in → response out, Slack's
                                                      3-second budget
    townhall_solve_seconds{kind, status}              solves, observed by the job runner
    townhall_jobs{status}                             rows of `jobs` by status, at scrape time
    townhall_queue_length                             jobs waiting in Redis (when configured)
    townhall_socket_connected                         1 while a Socket Mode process is
                                                      connected to Slack, else 0
    townhall_socket_connects_total{outcome}           Socket Mode connection attempts
                                                      (ok | failed)

Under gunicorn with several workers each process keeps its own counters; with
`PROMETHEUS_MULTIPROC_DIR` set (before this module is imported) prometheus_client's
multiprocess mode sums them at scrape time. The job gauges are computed from the database
by one collector added to the scrape's registry, so they are counted once, not once per
worker.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from catalog import services
from catalog.uow import UnitOfWork

if TYPE_CHECKING:  # annotations only: the counting is the catalog's (`services.job_counts`)
    from sqlalchemy.orm import Session, sessionmaker

#: The RQ queue the job runner feeds (`townhall worker` serves it).
QUEUE_NAME = "townhall"
#: Seconds a scrape waits for Redis before leaving the queue length out.
REDIS_TIMEOUT = 0.5
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
#: Fine below 100 ms (a healthy ack), coarse up to Slack's 3 s limit and past it.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0)
SOLVE_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0)
OUTCOMES = ("ok", "rejected", "error")

logger = logging.getLogger(__name__)

#: Townhall's own metrics (the default registry keeps the process and GC collectors).
METRICS = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "townhall_requests",
    "Slack requests by kind, subcommand and outcome (ok, rejected: 4xx, error: 5xx).",
    ["kind", "command", "outcome"],
    registry=METRICS,
)
ACK_SECONDS = Histogram(
    "townhall_ack_seconds",
    "Seconds from a Slack request reaching the app to its response being returned.",
    ["kind"],
    buckets=ACK_BUCKETS,
    registry=METRICS,
)
SOLVE_SECONDS = Histogram(
    "townhall_solve_seconds",
    "Seconds a background solve took, by job kind and final status.",
    ["kind", "status"],
    buckets=SOLVE_BUCKETS,
    registry=METRICS,
)
SOCKET_CONNECTED = Gauge(
    "townhall_socket_connected",
    "1 while this Socket Mode process is connected to Slack, else 0.",
    registry=METRICS,
    multiprocess_mode="livemax",
)
SOCKET_CONNECTS = Counter(
    "townhall_socket_connects",
    "Socket Mode connection attempts by outcome (ok, failed).",
    ["outcome"],
    registry=METRICS,
)


def outcome_of(status: int) -> str:
    """`ok` below 400, `rejected` for 4xx (bad signature, unknown route), `error` for 5xx."""
    if status >= 500:
        return "error"
    return "rejected" if status >= 400 else "ok"


def observe_request(*, kind: str, command: str, status: int, seconds: float) -> None:
    """Count one Slack request and how long its acknowledgement took."""
    REQUESTS.labels(kind=kind, command=command, outcome=outcome_of(status)).inc()
    ACK_SECONDS.labels(kind=kind).observe(seconds)


def observe_socket_state(connected: bool) -> None:
    """Socket Mode's connection came up or went down."""
    SOCKET_CONNECTED.set(1 if connected else 0)


def observe_socket_attempt(ok: bool) -> None:
    """One Socket Mode connection attempt and its outcome."""
    SOCKET_CONNECTS.labels(outcome="ok" if ok else "failed").inc()


def observe_solve(kind: str, status: str, seconds: float) -> None:
    """Record one finished background job (`kind` e.g. plan/whatif, `status` done/failed)."""
    if seconds < 0:
        raise ValueError(f"solve seconds must be zero or more, not {seconds!r}")
    SOLVE_SECONDS.labels(kind=kind, status=status).observe(seconds)


class JobsCollector(Collector):
    """`townhall_jobs{status}` counted from the `jobs` table at scrape time, and
    `townhall_queue_length` from RQ when a Redis connection is given.

    A database that does not answer fails the scrape loudly (Prometheus marks the target
    down); Redis being down only leaves the queue length out.
    """

    def __init__(self, session_factory: sessionmaker[Session], *, redis: Any = None) -> None:
        self.session_factory = session_factory
        self.redis = redis

    def collect(self) -> Iterator[Metric]:
        with UnitOfWork(self.session_factory) as uow:
            counts = services.job_counts(uow)
        jobs = GaugeMetricFamily("townhall_jobs", "Jobs by status.", labels=["status"])
        for status, count in counts.items():
            jobs.add_metric([status], count)
        yield jobs
        length = self._queue_length()
        if length is not None:
            queue = GaugeMetricFamily(
                "townhall_queue_length", f"Jobs waiting in the RQ queue {QUEUE_NAME!r}."
            )
            queue.add_metric([], length)
            yield queue

    def _queue_length(self) -> int | None:
        if self.redis is None:
            return None
        try:
            from rq import Queue

            return int(Queue(QUEUE_NAME, connection=self.redis).count)
        except Exception as exc:  # Redis down or timing out: leave the gauge out
            logger.warning("queue length unavailable: %s", type(exc).__name__)
            return None


class _Forward(Collector):
    """The metrics of another registry, so one scrape registry can hold several."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterable[Metric]:
        return self.registry.collect()


def multiprocess_mode() -> bool:
    """Whether prometheus_client keeps values in files shared by the gunicorn workers."""
    return bool(os.environ.get(MULTIPROCESS_ENV))


def scrape_registry(
    session_factory: sessionmaker[Session] | None = None, *, redis: Any = None
) -> CollectorRegistry:
    """A registry for one scrape: every process's metrics (multiprocess mode) or this
    process's, plus the job gauges once."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_mode():
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Forward(METRICS))
        registry.register(_Forward(REGISTRY))
    if session_factory is not None:
        registry.register(JobsCollector(session_factory, redis=redis))
    return registry


def exposition(session_factory: sessionmaker[Session] | None = None, *, redis: Any = None) -> bytes:
    """The text a `GET /metrics` answers."""
    return generate_latest(scrape_registry(session_factory, redis=redis))


def redis_for_metrics(url: str | None) -> Any:
    """A Redis client with short timeouts for scrapes, or None without a URL."""
    if not url:
        return None
    import redis

    return redis.Redis.from_url(
        url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
    )


def serve_metrics(
    port: int,
    *,
    addr: str = "0.0.0.0",
    session_factory: sessionmaker[Session] | None = None,
    redis: Any = None,
) -> Any:
    """Serve `/metrics` on `port` from a background thread (for `townhall worker`, which
    has no HTTP server of its own). Returns prometheus_client's server and thread."""
    return start_http_server(
        port, addr=addr, registry=scrape_registry(session_factory, redis=redis)
    )


def mark_process_dead(pid: int) -> None:
    """gunicorn's `child_exit` hook: drop a dead worker's live gauges in multiprocess mode."""
    if multiprocess_mode():
        multiprocess.mark_process_dead(pid)


def clear_multiprocess_dir() -> None:
    """Remove the value files a previous run left in `PROMETHEUS_MULTIPROC_DIR` (only its
    `*.db` files), as prometheus_client requires before the workers start."""
    directory = os.environ.get(MULTIPROCESS_ENV)
    if not directory:
        return
    for path in Path(directory).glob("*.db"):
        path.unlink(missing_ok=True)
