"""The cluster the load benchmark runs against: `tests.cluster` with what the bench needs.

`tests.cluster.cluster()` starts FakeSlack, a fresh PostgreSQL database with the demo,
Redis, `townhall serve` (gunicorn) and the `townhall worker` processes. This wrapper adds
what only the benchmark wants: worker *slots* (a killed worker is started again in the
same slot, so "worker 2" stays worker 2 across restarts), lower CPU priority for the
workers (`--nice`, applied with psutil as each worker starts — the web processes keep
theirs), the queue's depth, process roles for the memory sampler, which workers hold a
running job, and signing a slash command now.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

import psutil
from sqlalchemy import select

from catalog.models import JobRecord

if TYPE_CHECKING:
    from bench.load import Options


class BenchCluster:
    """A running `tests.cluster.Cluster` seen through the benchmark's eyes."""

    def __init__(self, cluster: Any, *, workers: int, nice: int) -> None:
        from bot.jobs.queue import RedisQueue

        self.cluster = cluster
        self.nice = nice
        self.slots: list[int] = []  # slot → index in cluster.workers
        self.fake = cluster.fake
        self.engine = cluster.engine
        self.events_url: str = cluster.events_url
        self._queue = RedisQueue(cluster.redis_url)
        for index in range(workers):
            self.slots.append(index)
            self._lower_priority(index)

    @property
    def worker_count(self) -> int:
        return len(self.slots)

    def sign(self, text: str) -> tuple[bytes, dict[str, str]]:
        """`/roadmap text` from alice in #general, signed now: (body, headers)."""
        request = self.cluster.slack.command(text)
        return request.body, request.headers

    def queue_depth(self) -> int | None:
        """Messages waiting in the RQ queue (None when Redis cannot be reached)."""
        return self._queue.depth()

    def worker_pid(self, slot: int) -> int:
        return int(self.cluster.workers[self.slots[slot]].pid)

    def process_roles(self) -> dict[str, int]:
        """Role → pid: `web master`, `web 1`, `web 2`, … (gunicorn), `worker 1`, …"""
        roles: dict[str, int] = {}
        for n, server in enumerate(self.cluster.webs):
            suffix = f" ({n + 1})" if len(self.cluster.webs) > 1 else ""
            roles[f"web master{suffix}"] = server.pid
            try:
                children = sorted(c.pid for c in psutil.Process(server.pid).children())
            except psutil.Error:
                children = []
            for i, pid in enumerate(children, start=1):
                roles[f"web {i}{suffix}"] = pid
        for slot in range(len(self.slots)):
            roles[f"worker {slot + 1}"] = self.worker_pid(slot)
        return roles

    def cpu_groups(self) -> dict[str, list[int]]:
        """Processes whose CPU time is of interest besides Townhall's own: this process
        (load generator and fake Slack), PostgreSQL's backends and Redis (the servers are
        shared with anything else running on the machine)."""
        groups: dict[str, list[int]] = {
            "bench (load generator, fake Slack)": [os.getpid()],
            "PostgreSQL (all backends)": [],
            "Redis": [],
        }
        for process in psutil.process_iter(["name"]):
            name = process.info.get("name") or ""
            if name.startswith("postgres"):
                groups["PostgreSQL (all backends)"].append(process.pid)
            elif name.startswith("redis-server"):
                groups["Redis"].append(process.pid)
        return groups

    def busy_workers(self) -> set[int]:
        """Slots whose worker holds a running job (job rows name their worker host:pid)."""
        query = select(JobRecord.worker).where(JobRecord.status == "running")
        with self.engine.connect() as connection:
            names = {name for name in connection.execute(query).scalars() if name}
        pids = set()
        for name in names:
            pid = name.rpartition(":")[2]
            if pid.isdigit():
                pids.add(int(pid))
        return {slot for slot in range(len(self.slots)) if self.worker_pid(slot) in pids}

    def kill_worker(self, slot: int, sig: int = signal.SIGKILL) -> None:
        """SIGKILL the worker in `slot` (the harness only kills with SIGKILL)."""
        if sig != signal.SIGKILL:
            raise ValueError(f"only SIGKILL is supported, not {sig}")
        self.cluster.kill_worker(self.slots[slot])

    def start_worker(self, slot: int) -> None:
        """Start a new worker in `slot` (after its predecessor was killed)."""
        index = self.cluster.start_worker()
        self.slots[slot] = index
        self._lower_priority(index)

    def _lower_priority(self, index: int) -> None:
        if self.nice:
            # right after exec, before the worker starts threads: Linux niceness is per
            # thread and new threads inherit it from the one that creates them
            with suppress(psutil.Error):  # it died already; the next start sets it again
                psutil.Process(self.cluster.workers[index].pid).nice(self.nice)


@contextmanager
def bench_cluster(options: Options, *, log: Callable[[str], None]) -> Iterator[BenchCluster]:
    """Start the cluster for `options` (raises tests.cluster.ClusterUnavailable when
    PostgreSQL or Redis cannot be reached)."""
    from tests.cluster import cluster

    log(
        f"starting: {options.web} web processes × {options.threads} threads, "
        f"{options.workers} workers, PostgreSQL, Redis, fake Slack"
    )
    with cluster(
        web_processes=options.web,
        threads=options.threads,
        workers=options.workers,
        lease_seconds=options.lease,
        solver_threads=options.solver_threads,
        on_missing="raise",
    ) as running:
        yield BenchCluster(running, workers=options.workers, nice=options.nice)
