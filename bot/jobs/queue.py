"""Where job ids wait for a worker: RQ on Redis, or a thread pool in this process.

Both call the same job function with `(team_id, job_id)`; the row in the catalog is the
job's state, so a message delivered twice, or resubmitted by the sweep, runs the job once.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, Protocol

from bot.jobs.deadline import rq_timeout
from catalog.settings import DEFAULT_JOB_WALL_SECONDS

log = logging.getLogger(__name__)

#: The RQ queue Townhall's workers listen to.
QUEUE_NAME = "townhall"
#: Seconds RQ lets one job run before it stops it: a backstop above the job's own
#: wall-clock limit (`bot.jobs.deadline`), which stops it first.
JOB_TIMEOUT = rq_timeout(DEFAULT_JOB_WALL_SECONDS)
#: Seconds to wait for Redis before saying the queue is unavailable.
CONNECT_TIMEOUT = 1.0

Perform = Callable[[str, str], Any]
#: RQ's job function, by dotted path: a worker imports it when it runs the job, and this
#: module need not import the runner (which imports the runtime, and so on).
PERFORM = "bot.jobs.runner.perform"


class JobQueue(Protocol):
    """Hands job ids to whatever runs them."""

    kind: str  # "redis" or "in-process", for messages and /readyz

    def submit(self, team_id: str, job_id: str) -> bool:
        """Queue the job; False (logged) when the queue cannot be reached right now."""
        ...

    def waiting(self) -> set[str] | None:
        """Ids of jobs queued and not yet started; None when the queue cannot tell."""
        ...


class InProcessQueue:
    """Runs jobs in a thread pool of this process (no Redis: the embedded default)."""

    kind = "in-process"

    def __init__(self, executor: Executor, perform: Perform) -> None:
        self._executor = executor
        self._perform = perform
        self._waiting: set[str] = set()
        self._lock = threading.Lock()

    def submit(self, team_id: str, job_id: str) -> bool:
        with self._lock:
            self._waiting.add(job_id)
        try:
            self._executor.submit(self._run, team_id, job_id)
        except RuntimeError:  # the pool is shutting down; the sweep picks the job up later
            log.warning("the job pool is shut down; job %s stays queued", job_id)
            with self._lock:
                self._waiting.discard(job_id)
            return False
        return True

    def _run(self, team_id: str, job_id: str) -> None:
        with self._lock:
            self._waiting.discard(job_id)
        try:
            self._perform(team_id, job_id)
        except Exception:  # the runner reports its own failures; this is a last resort
            log.exception("job %s failed outside its runner", job_id)

    def waiting(self) -> set[str] | None:
        with self._lock:
            return set(self._waiting)


class RedisQueue:
    """RQ's queue `townhall` on Redis; `townhall worker` processes run what it holds."""

    kind = "redis"

    def __init__(self, url: str, *, name: str = QUEUE_NAME, connection: Any = None) -> None:
        from redis import Redis
        from rq import Queue

        self.connection = connection or Redis.from_url(
            url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=5.0
        )
        self.rq = Queue(name, connection=self.connection)

    def submit(self, team_id: str, job_id: str) -> bool:
        from redis.exceptions import RedisError

        # a fresh RQ id per submission: RQ's bookkeeping of an earlier, abandoned
        # submission (a dead worker's) never touches the new one
        rq_id = f"{job_id}-{uuid.uuid4().hex[:8]}"
        try:
            self.rq.enqueue(
                PERFORM,
                team_id,
                job_id,
                job_id=rq_id,
                job_timeout=JOB_TIMEOUT,
                result_ttl=0,
                failure_ttl=24 * 3600,
                description=f"townhall job {job_id}",
            )
        except RedisError as exc:
            log.warning("the job queue is unavailable (%s); job %s stays queued", exc, job_id)
            return False
        return True

    def waiting(self) -> set[str] | None:
        from redis.exceptions import RedisError

        try:
            return {rq_id.partition("-")[0] for rq_id in self.rq.get_job_ids()}
        except RedisError:
            return None

    def depth(self) -> int | None:
        """Messages waiting in the queue; None when Redis cannot be reached."""
        from redis.exceptions import RedisError

        try:
            return int(self.rq.count)
        except RedisError:
            return None
