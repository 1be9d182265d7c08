"""Handing jobs back: a process that stops (a deploy's SIGTERM) gives up the jobs it holds
so that another process runs them at its next sweep, instead of after their lease runs out.

Like the recovery sweep (`catalog.services.jobs.reclaim`) this is the system's
housekeeping, across workspaces; every change is a conditional update on the rows the
stopping process still holds, so a job another process took meanwhile is left alone.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import and_, update

from catalog.models import JobRecord
from catalog.uow import UnitOfWork


def hand_back(uow: UnitOfWork, *, worker: str, job_ids: Collection[str]) -> int:
    """Give back the jobs `job_ids` that `worker` holds; one transaction; how many.

    - running (claimed by `worker`): queued again for immediate resubmission. The attempt
      it used is given back too (`max_attempts` + 1, attempts untouched): the next attempt
      gets a new number, so the stopping one's fenced writes can never land.
    - queued (waiting in `worker`'s own pool): marked for immediate resubmission.
    - finished but not delivered, with `worker` holding the delivery: its lease dropped so
      any sweep delivers it now.
    """
    if not job_ids:
        return 0
    ids = list(job_ids)
    session = uow.session
    mine = and_(JobRecord.id.in_(ids), JobRecord.worker == worker[:128])
    queued = session.execute(
        update(JobRecord)
        .where(JobRecord.id.in_(ids), JobRecord.status == "queued")
        .values(enqueued_at=None)
        .execution_options(synchronize_session=False)
    )
    running = session.execute(
        update(JobRecord)
        .where(mine, JobRecord.status == "running")
        .values(
            status="queued",
            lease_until=None,
            worker=None,
            enqueued_at=None,
            max_attempts=JobRecord.max_attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    undelivered = session.execute(
        update(JobRecord)
        .where(
            mine,
            JobRecord.status.in_(("done", "failed")),
            JobRecord.delivered_at.is_(None),
        )
        .values(lease_until=None)
        .execution_options(synchronize_session=False)
    )
    uow.commit()
    return int((running.rowcount or 0) + (queued.rowcount or 0) + (undelivered.rowcount or 0))
