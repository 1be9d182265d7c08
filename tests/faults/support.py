"""What the fault tests share: finding a job's worker, racing requests, reading answers."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from catalog.views import JobView
from tests.bot.fakeslack import RESPONSE_URL, Call
from tests.cluster import Cluster, texts, wait_until

T = TypeVar("T")


def worker_pid(job: JobView) -> int:
    """The pid of the process holding `job` (its row's `worker` is `host:pid`)."""
    if not job.worker:
        raise AssertionError(f"job {job.id} is held by no worker (status {job.status})")
    return int(job.worker.rsplit(":", 1)[1])


def running_job(c: Cluster, *, timeout: float = 30) -> JobView:
    """Wait for a job a worker has claimed, and return it."""
    found: list[JobView] = []

    def claimed() -> bool:
        found[:] = [j for j in c.jobs() if j.status == "running" and j.worker]
        return bool(found)

    wait_until(claimed, timeout=timeout, what="a worker to claim a job")
    return found[0]


def at_once(actions: Sequence[Callable[[], T]]) -> list[T]:
    """Run `actions` in threads released together by a barrier; their results in order."""
    barrier = threading.Barrier(len(actions))
    results: list[T | None] = [None] * len(actions)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = actions[i]()
        except BaseException as exc:  # re-raised below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]


def answers(c: Cluster, *, after: int = 0) -> list[Call]:
    """What was posted to response URLs (answers to commands and clicks), from `after` on."""
    return c.fake.calls(RESPONSE_URL)[after:]


def answer_text(call: Call) -> str:
    return f"{call.body.get('text', '')}\n{texts(call.body.get('blocks'))}"
