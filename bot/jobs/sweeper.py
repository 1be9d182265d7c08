"""The recovery sweep: no job is lost when a worker dies or the queue forgets.

Every few seconds (in each worker, or in the web process when jobs run in-process) the
sweep asks the catalog which jobs need submitting again — a running job whose lease ran
out (its worker died: it is retried, up to its attempts), a queued job no worker started
(Redis was down when it was submitted, or restarted and lost it), a finished job whose
delivery was cut short — and submits each one that is not already waiting in the queue.
Running the sweep in several processes at once is safe: the catalog's updates are
conditional, and a job submitted twice still runs once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass

from bot.jobs.queue import JobQueue
from bot.jobs.runtime import Runtime
from catalog import services

log = logging.getLogger(__name__)

#: Finished, delivered jobs are kept this long (`/roadmap jobs`, the metrics), then deleted.
KEEP_JOBS = dt.timedelta(days=30)
#: Seconds between two deletions of old jobs by one sweeper.
HOUSEKEEPING_SECONDS = 3600.0


@dataclass(frozen=True)
class SweepReport:
    resubmitted: int
    given_up: int
    queue_unavailable: bool


def sweep(runtime: Runtime, queue: JobQueue) -> SweepReport:
    """One pass of the recovery sweep."""
    with runtime.uow() as uow:
        found = services.reclaim(uow, resubmit_after_seconds=resubmit_after(runtime))
    for team_id, job_id in found.given_up:
        log.warning("job %s of %s used all its attempts; it is reported as failed", job_id, team_id)
    if not found.resubmit:
        return SweepReport(0, len(found.given_up), False)
    waiting = queue.waiting()
    if waiting is None:
        return SweepReport(0, len(found.given_up), True)
    resubmitted = 0
    for team_id, job_id in found.resubmit:
        if job_id in waiting:
            continue
        if not queue.submit(team_id, job_id):
            return SweepReport(resubmitted, len(found.given_up), True)
        resubmitted += 1
        log.info("job %s of %s submitted again", job_id, team_id)
    return SweepReport(resubmitted, len(found.given_up), False)


def forget_old_jobs(runtime: Runtime, *, keep: dt.timedelta = KEEP_JOBS) -> int:
    """Delete the finished, delivered jobs older than `keep`; how many went."""
    with runtime.uow() as uow:
        gone = services.forget_jobs_before(uow, dt.datetime.now(dt.UTC) - keep)
    if gone:
        log.info("deleted %d jobs finished more than %s ago", gone, keep)
    return gone


def resubmit_after(runtime: Runtime) -> float:
    """How long a queued job may wait unseen before it is submitted again: a lease."""
    return runtime.lease_seconds


def interval(runtime: Runtime) -> float:
    """Seconds between sweeps: a third of a lease, at most 5."""
    return min(5.0, runtime.lease_seconds / 3)


class Sweeper:
    """Runs `sweep` every `interval` seconds (and `forget_old_jobs` hourly) in a daemon
    thread until stopped, or until `until` is set (its owner stops)."""

    def __init__(
        self, runtime: Runtime, queue: JobQueue, *, until: threading.Event | None = None
    ) -> None:
        self._runtime = runtime
        self._queue = queue
        self._stop = until or threading.Event()
        self._thread = threading.Thread(target=self._loop, name="townhall-sweeper", daemon=True)

    def start(self) -> Sweeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        tidied = 0.0
        while not self._stop.wait(interval(self._runtime)):
            try:
                sweep(self._runtime, self._queue)
                if time.monotonic() - tidied > HOUSEKEEPING_SECONDS:
                    forget_old_jobs(self._runtime)
                    tidied = time.monotonic()
            except Exception:  # the database may be down: try again next time
                log.exception("the job sweep failed")
