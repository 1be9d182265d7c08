"""Background jobs: the database row is the job's state, whatever queue carries it.

A web process records a job (`create_job`) and hands its id to a queue. A worker claims it
with a conditional update (`claim`), so two deliveries of the same id run it once; while it
runs, it renews a lease (`renew`). Its writes go through a unit of work fenced on its
attempt (`fence`), so a worker that lost its lease cannot land a second result. `finish`
stores the reply to deliver; `record_sent` notes each part of it that reached Slack (the
message, each DM, each file), so a delivery cut short resumes where it stopped instead of
posting those again; `mark_delivered` records that all of it did.

`reclaim` is the recovery sweep: a running job whose lease ran out (its worker died) is
queued again, or failed once it has used its attempts; a queued job that no queue picked up
(Redis was down or lost it) and a finished job whose delivery stopped half-way are handed
back to be submitted again. The sweep works across workspaces: it is the system's
housekeeping, not a user's request; everything users call is scoped to their workspace.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from catalog.domain import Actor
from catalog.errors import JobLost, NotFound, ValidationFailed
from catalog.models import JobRecord, utcnow
from catalog.models import Workspace as WorkspaceRow
from catalog.services._access import check_workspace
from catalog.services._lookup import workspace_for, workspace_row
from catalog.services.roadmaps import SAVED_ROADMAPS
from catalog.uow import UnitOfWork
from catalog.views import JobView

KINDS = ("plan", "whatif", "explain", "export")
#: Attempts a job gets before it is given up on (a worker dying mid-run uses one).
MAX_ATTEMPTS = 3
#: Jobs listed by `recent_jobs` at most.
RECENT = 10


def _job_view(row: JobRecord, team_id: str) -> JobView:
    return JobView(
        id=row.id,
        team_id=team_id,
        kind=row.kind,
        title=row.title,
        request=dict(row.request or {}),
        delivery=dict(row.delivery or {}),
        requested_by=row.requested_by,
        status=row.status,
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        created_at=row.created_at,
        enqueued_at=row.enqueued_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        lease_until=row.lease_until,
        worker=row.worker,
        result_roadmap_id=row.result_roadmap_id,
        result=dict(row.result) if row.result is not None else None,
        error=row.error,
        delivered_at=row.delivered_at,
    )


def _row(uow: UnitOfWork, team_id: str, job_id: str) -> tuple[JobRecord, WorkspaceRow]:
    ws = workspace_row(uow, team_id)
    row = uow.session.scalar(
        select(JobRecord).where(JobRecord.id == job_id, JobRecord.workspace_id == ws.id)
    )
    if row is None:
        raise NotFound("job", job_id)
    return row, ws


# --------------------------------------------------------------------------- what users call


def create_job(
    uow: UnitOfWork,
    *,
    actor: Actor,
    team_id: str,
    kind: str,
    title: str,
    request: Mapping[str, Any],
    delivery: Mapping[str, Any],
    max_attempts: int = MAX_ATTEMPTS,
) -> JobView:
    """Record a queued job for `actor` in their workspace and commit."""
    ws = workspace_for(uow, team_id, actor)
    check_workspace(actor, ws, "start a job")
    problems: dict[str, str] = {}
    if kind not in KINDS:
        problems["kind"] = f"expected one of {', '.join(KINDS)}, got {kind!r}"
    if not title.strip():
        problems["title"] = "a job needs a title"
    if max_attempts < 1:
        problems["max_attempts"] = f"expected at least 1, got {max_attempts}"
    if problems:
        raise ValidationFailed(problems)
    row = JobRecord(
        id=uuid.uuid4().hex,
        workspace_id=ws.id,
        kind=kind,
        title=title[:200],
        request=dict(request),
        delivery=dict(delivery),
        requested_by=actor.user_id or str(actor),
        status="queued",
        attempts=0,
        max_attempts=max_attempts,
        enqueued_at=utcnow(),  # the caller submits it next; the sweep covers a failure
    )
    uow.session.add(row)
    uow.commit()
    return _job_view(row, team_id)


def get_job(uow: UnitOfWork, *, actor: Actor, team_id: str, job_id: str) -> JobView:
    """A job of the actor's workspace (NotFound for another workspace's)."""
    row, ws = _row(uow, team_id, job_id)
    check_workspace(actor, ws, "see a job")
    return _job_view(row, team_id)


def recent_jobs(
    uow: UnitOfWork, *, actor: Actor, team_id: str, limit: int = RECENT
) -> list[JobView]:
    """The workspace's newest jobs, newest first (any member may look)."""
    ws = workspace_row(uow, team_id)
    check_workspace(actor, ws, "see the jobs")
    rows = uow.session.scalars(
        select(JobRecord)
        .where(JobRecord.workspace_id == ws.id)
        .order_by(JobRecord.created_at.desc(), JobRecord.id)
        .limit(limit)
    )
    return [_job_view(row, team_id) for row in rows]


def job_counts(uow: UnitOfWork) -> dict[str, int]:
    """Jobs by status across workspaces (the queue depth a metric shows)."""
    rows = uow.session.execute(select(JobRecord.status, func.count()).group_by(JobRecord.status))
    counts = dict.fromkeys(("queued", "running", "done", "failed"), 0)
    counts.update({status: n for status, n in rows})
    return counts


# --------------------------------------------------------------------------- what workers call


@dataclass(frozen=True)
class Claim:
    """A worker's hold on a job: `run` it (this attempt), or `deliver` its stored result."""

    job: JobView
    mode: Literal["run", "deliver"]

    @property
    def attempt(self) -> int:
        return self.job.attempts


def claim(
    uow: UnitOfWork,
    *,
    team_id: str,
    job_id: str,
    worker: str,
    lease_seconds: float,
    max_running: int | None = None,
) -> Claim | None:
    """Claim a queued job to run it, or a finished, undelivered one whose delivery lease ran
    out to deliver it. None when there is nothing to do: another worker holds it, or it is
    done and delivered. Two workers claiming at once: one wins (a conditional update).

    With `max_running`, a queued job is run only while fewer than that many jobs of its
    workspace are running (README, Configuration: one workspace cannot take every worker);
    otherwise it stays queued, marked for the next sweep to submit again, and None is
    returned. Claims in one workspace take turns on its row, so racing claims never run
    more than `max_running` at once."""
    _, ws = _row(uow, team_id, job_id)
    now = utcnow()
    lease = now + dt.timedelta(seconds=lease_seconds)
    ours = and_(JobRecord.id == job_id, JobRecord.workspace_id == ws.id)
    queued = and_(ours, JobRecord.status == "queued")
    if max_running is not None:
        # PostgreSQL: concurrent claims of one workspace wait here for each other, so the
        # count below sees the others' claims (SQLite runs one writer at a time anyway)
        uow.session.execute(
            select(WorkspaceRow.id).where(WorkspaceRow.id == ws.id).with_for_update()
        )
        busy = (
            select(func.count())
            .select_from(JobRecord)
            .where(JobRecord.workspace_id == ws.id, JobRecord.status == "running")
            .scalar_subquery()
        )
        queued = and_(queued, busy < max_running)
    run = uow.session.execute(
        update(JobRecord)
        .where(queued)
        .values(
            status="running",
            attempts=JobRecord.attempts + 1,
            started_at=now,
            lease_until=lease,
            worker=worker[:128],
        )
        .execution_options(synchronize_session=False)
    )
    mode: Literal["run", "deliver"] = "run"
    if run.rowcount != 1:
        deliver = uow.session.execute(
            update(JobRecord)
            .where(
                ours,
                JobRecord.status.in_(("done", "failed")),
                JobRecord.delivered_at.is_(None),
                or_(JobRecord.lease_until.is_(None), JobRecord.lease_until < now),
            )
            .values(lease_until=lease, worker=worker[:128])
            .execution_options(synchronize_session=False)
        )
        if deliver.rowcount != 1:
            if max_running is not None:
                _defer(uow, ours)
            else:
                uow.rollback()
            return None
        mode = "deliver"
    uow.commit()
    row, _ = _row(uow, team_id, job_id)
    uow.session.refresh(row)
    return Claim(_job_view(row, team_id), mode)


def _defer(uow: UnitOfWork, ours: Any) -> None:
    """A queued job that must wait for its workspace's turn: the next sweep submits it
    again (no `enqueued_at`, as for a job no queue took)."""
    uow.session.execute(
        update(JobRecord)
        .where(ours, JobRecord.status == "queued")
        .values(enqueued_at=None)
        .execution_options(synchronize_session=False)
    )
    uow.commit()


def _held(job_id: str, attempt: int) -> Any:
    return and_(
        JobRecord.id == job_id, JobRecord.attempts == attempt, JobRecord.status == "running"
    )


def renew(uow: UnitOfWork, *, job_id: str, attempt: int, lease_seconds: float) -> bool:
    """Extend a running attempt's lease; False when the attempt lost the job."""
    until = utcnow() + dt.timedelta(seconds=lease_seconds)
    done = uow.session.execute(
        update(JobRecord)
        .where(_held(job_id, attempt))
        .values(lease_until=until)
        .execution_options(synchronize_session=False)
    )
    uow.commit()
    return done.rowcount == 1


def renew_delivery(uow: UnitOfWork, *, job_id: str, worker: str, lease_seconds: float) -> bool:
    """Extend the lease of a finished job's delivery held by `worker` (a slow Slack, or
    one that asks to wait out a rate limit, must not let another worker deliver it too);
    False when the delivery is no longer `worker`'s."""
    until = utcnow() + dt.timedelta(seconds=lease_seconds)
    done = uow.session.execute(
        update(JobRecord)
        .where(
            JobRecord.id == job_id,
            JobRecord.status.in_(("done", "failed")),
            JobRecord.delivered_at.is_(None),
            JobRecord.worker == worker[:128],
        )
        .values(lease_until=until)
        .execution_options(synchronize_session=False)
    )
    uow.commit()
    return done.rowcount == 1


def fence(session: Session, *, job_id: str, attempt: int) -> None:
    """Inside a transaction about to commit: refuse (JobLost) unless `attempt` still holds
    the job. The check locks the job row until the commit, so it cannot change meanwhile.

    A roadmap the transaction saved is recorded on the job in the same commit, so an
    attempt that dies after saving it leaves it to the next attempt, which delivers that
    roadmap instead of solving and saving another.
    """
    saved = session.info.get(SAVED_ROADMAPS) or []
    values: dict[str, Any] = {"lease_until": JobRecord.lease_until}
    if saved:
        values["result_roadmap_id"] = saved[-1]
    held = session.execute(
        update(JobRecord)
        .where(_held(job_id, attempt))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if held.rowcount != 1:
        raise JobLost(job_id, attempt)


def finish(
    uow: UnitOfWork,
    *,
    job_id: str,
    attempt: int,
    status: Literal["done", "failed"],
    result: Mapping[str, Any],
    roadmap_id: int | None = None,
    error: str | None = None,
    lease_seconds: float,
) -> bool:
    """Store an attempt's result; the attempt keeps a lease to deliver it. False (and
    nothing written) when the attempt no longer holds the job."""
    now = utcnow()
    done = uow.session.execute(
        update(JobRecord)
        .where(_held(job_id, attempt))
        .values(
            status=status,
            finished_at=now,
            result=dict(result),
            result_roadmap_id=roadmap_id,
            error=error,
            lease_until=now + dt.timedelta(seconds=lease_seconds),
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        uow.rollback()
        return False
    uow.commit()
    return True


def record_sent(uow: UnitOfWork, *, team_id: str, job_id: str, part: str, where: str) -> None:
    """One part of a job's result reached Slack (`where`: the channel it went to); kept in
    the job's `delivery` as `sent`, which a delivery done again skips."""
    row, _ = _row(uow, team_id, job_id)
    delivery = dict(row.delivery or {})
    delivery["sent"] = {**(delivery.get("sent") or {}), part: where}
    row.delivery = delivery
    uow.commit()


def mark_delivered(uow: UnitOfWork, *, job_id: str, keep: Mapping[str, Any] | None = None) -> None:
    """The result reached Slack: nothing is left to do for this job. `keep` replaces the
    stored result (e.g. without its files, which are no longer needed)."""
    values: dict[str, Any] = {"delivered_at": utcnow(), "lease_until": None}
    if keep is not None:
        values["result"] = dict(keep)
    uow.session.execute(
        update(JobRecord)
        .where(JobRecord.id == job_id, JobRecord.delivered_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    uow.commit()


def forget_jobs_before(uow: UnitOfWork, moment: dt.datetime) -> int:
    """Delete finished, delivered jobs created before `moment` (housekeeping); how many."""
    gone = uow.session.execute(
        delete(JobRecord)
        .where(
            JobRecord.created_at < moment,
            JobRecord.status.in_(("done", "failed")),
            JobRecord.delivered_at.is_not(None),
        )
        .execution_options(synchronize_session=False)
    )
    uow.commit()
    return int(gone.rowcount or 0)


@dataclass(frozen=True)
class Reclaimed:
    """What a sweep found: jobs to submit again, and jobs it gave up on (to report)."""

    resubmit: tuple[tuple[str, str], ...]  # (team_id, job_id)
    given_up: tuple[tuple[str, str], ...]


def reclaim(uow: UnitOfWork, *, resubmit_after_seconds: float) -> Reclaimed:
    """The recovery sweep (see the module's docstring); one transaction.

    Every change is a conditional update, so sweeps running at once in several workers, or
    a worker claiming a job meanwhile, never undo each other's work.
    """
    now = utcnow()
    stale = now - dt.timedelta(seconds=resubmit_after_seconds)
    session = uow.session
    expired = and_(JobRecord.status == "running", JobRecord.lease_until < now)
    given_up = session.execute(
        update(JobRecord)
        .where(expired, JobRecord.attempts >= JobRecord.max_attempts)
        .values(
            status="failed",
            finished_at=now,
            lease_until=None,
            worker=None,
            result=None,
            error="given up: its worker stopped on every attempt",
        )
        .returning(JobRecord.id, JobRecord.workspace_id)
        .execution_options(synchronize_session=False)
    ).all()
    session.execute(
        update(JobRecord)
        .where(expired, JobRecord.attempts < JobRecord.max_attempts)
        .values(status="queued", lease_until=None, worker=None, enqueued_at=None)
        .execution_options(synchronize_session=False)
    )
    waiting = or_(
        and_(
            JobRecord.status == "queued",
            or_(JobRecord.enqueued_at.is_(None), JobRecord.enqueued_at < stale),
        ),
        and_(
            JobRecord.status.in_(("done", "failed")),
            JobRecord.delivered_at.is_(None),
            or_(JobRecord.lease_until.is_(None), JobRecord.lease_until < now),
        ),
    )
    rows = session.execute(
        select(JobRecord.id, WorkspaceRow.team_id)
        .join(WorkspaceRow, JobRecord.workspace_id == WorkspaceRow.id)
        .where(waiting)
        .order_by(JobRecord.created_at)
    ).all()
    if rows:  # they are being submitted again now: wait a while before the next time
        session.execute(
            update(JobRecord)
            .where(JobRecord.id.in_([job_id for job_id, _ in rows]), JobRecord.status == "queued")
            .values(enqueued_at=now)
            .execution_options(synchronize_session=False)
        )
    teams = dict(session.execute(select(WorkspaceRow.id, WorkspaceRow.team_id)).all())
    uow.commit()
    return Reclaimed(
        resubmit=tuple((team_id, job_id) for job_id, team_id in rows),
        given_up=tuple((teams[ws_id], job_id) for job_id, ws_id in given_up),
    )
