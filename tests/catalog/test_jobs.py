"""Job rows: claims, leases, fenced writes, results and the recovery sweep."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import update

from catalog import services
from catalog.errors import JobLost, NotFound, PermissionDenied, ValidationFailed
from catalog.models import JobRecord
from catalog.uow import UnitOfWork
from tests.catalog.conftest import Team, make_team

LEASE = 30.0
DELIVERY = {"channel": "C1", "ts": "1.000", "response_url": None}


def new_job(uow: Callable[[], UnitOfWork], team: Team, **changes) -> str:
    fields = {
        "kind": "plan",
        "title": "Planning…",
        "request": {"op": "plan"},
        "delivery": DELIVERY,
    } | changes
    with uow() as u:
        return services.create_job(u, actor=team.pmo, team_id=team.id, **fields).id


def claim(uow, team: Team, job_id: str, worker: str = "w1", lease: float = LEASE):
    with uow() as u:
        return services.claim(u, team_id=team.id, job_id=job_id, worker=worker, lease_seconds=lease)


def expire_lease(uow, job_id: str) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with uow() as u:
        u.session.execute(update(JobRecord).where(JobRecord.id == job_id).values(lease_until=past))
        u.commit()


def job(uow, team: Team, job_id: str):
    with uow() as u:
        return services.get_job(u, actor=team.member, team_id=team.id, job_id=job_id)


def reclaim(uow, after: float = 60.0):
    with uow() as u:
        return services.reclaim(u, resubmit_after_seconds=after)


def test_a_new_job_is_queued_with_who_asked_and_where_to_answer(uow, team):
    job_id = new_job(uow, team)
    view = job(uow, team, job_id)
    assert (view.status, view.attempts, view.requested_by) == ("queued", 0, "U-PMO")
    assert view.delivery == DELIVERY and view.request == {"op": "plan"}
    with uow() as u:
        [listed] = services.recent_jobs(u, actor=team.member, team_id=team.id)
    assert listed.id == job_id


def test_bad_jobs_are_refused_naming_the_field(uow, team):
    with pytest.raises(ValidationFailed) as err, uow() as u:
        services.create_job(
            u, actor=team.pmo, team_id=team.id, kind="solve", title=" ", request={}, delivery={}
        )
    assert set(err.value.fields) == {"kind", "title"}
    with uow() as u:
        assert services.recent_jobs(u, actor=team.pmo, team_id=team.id) == []


def test_jobs_are_scoped_to_their_workspace(uow, team):
    other = make_team(uow, "T-TWO")
    job_id = new_job(uow, team)
    with pytest.raises(NotFound), uow() as u:
        services.get_job(u, actor=other.member, team_id=other.id, job_id=job_id)
    with pytest.raises(PermissionDenied), uow() as u:
        services.get_job(u, actor=other.member, team_id=team.id, job_id=job_id)
    with pytest.raises(NotFound):
        claim(uow, other, job_id)


def test_a_job_is_claimed_once(uow, team):
    job_id = new_job(uow, team)
    first = claim(uow, team, job_id, "w1")
    assert first is not None and first.mode == "run" and first.attempt == 1
    assert first.job.status == "running" and first.job.worker == "w1"
    assert claim(uow, team, job_id, "w2") is None


def test_racing_claims_have_one_winner(uow, team):
    job_id = new_job(uow, team)
    barrier = threading.Barrier(4)
    wins: list[object] = []

    def go(name: str) -> None:
        barrier.wait()
        try:
            result = claim(uow, team, job_id, name)
        except Exception as exc:  # SQLite may refuse a concurrent writer: that is a loss too
            result = None
            assert "locked" in str(exc)
        if result is not None:
            wins.append(result)

    threads = [threading.Thread(target=go, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1


def test_the_result_lands_only_for_the_attempt_holding_the_job(uow, team):
    job_id = new_job(uow, team)
    first = claim(uow, team, job_id, "dead")
    expire_lease(uow, job_id)
    found = reclaim(uow)
    assert (team.id, job_id) in found.resubmit
    second = claim(uow, team, job_id, "alive")
    assert second is not None and second.attempt == 2
    with uow() as u:  # the first attempt wakes up: its writes and its result are refused
        assert not services.renew(u, job_id=job_id, attempt=first.attempt, lease_seconds=LEASE)
    with uow() as u:
        assert not services.finish(
            u, job_id=job_id, attempt=1, status="done", result={"text": "old"}, lease_seconds=1
        )
    with pytest.raises(JobLost), uow() as u:
        services.fence(u.session, job_id=job_id, attempt=1)
    with uow() as u:
        services.fence(u.session, job_id=job_id, attempt=2)  # the holder passes
        assert services.finish(
            u, job_id=job_id, attempt=2, status="done", result={"text": "new"}, lease_seconds=LEASE
        )
    view = job(uow, team, job_id)
    assert (view.status, view.result, view.attempts) == ("done", {"text": "new"}, 2)


def test_a_fenced_unit_of_work_rolls_back_a_lost_attempts_writes(uow, team, session_factory):
    job_id = new_job(uow, team)
    claim(uow, team, job_id)
    expire_lease(uow, job_id)
    reclaim(uow)
    claim(uow, team, job_id, "w2")

    def fenced(session):
        services.fence(session, job_id=job_id, attempt=1)

    with pytest.raises(JobLost), UnitOfWork(session_factory, before_commit=fenced) as u:
        services.grant_role(u, actor=team.admin, team_id=team.id, user_id="U-NEW", role="approver")
    with uow() as u:
        holders = {g.user_id for g in services.list_roles(u, team_id=team.id)}
    assert "U-NEW" not in holders


def test_the_sweep_retries_until_attempts_run_out_then_fails_the_job(uow, team):
    job_id = new_job(uow, team, max_attempts=2)
    for attempt in (1, 2):
        taken = claim(uow, team, job_id, f"w{attempt}")
        assert taken is not None and taken.attempt == attempt
        expire_lease(uow, job_id)
        found = reclaim(uow)
    assert found.given_up == ((team.id, job_id),)
    view = job(uow, team, job_id)
    assert view.status == "failed" and "worker stopped" in view.error
    assert view.delivered_at is None
    # the failure is still to be told: the job is handed back for delivery
    assert (team.id, job_id) in reclaim(uow).resubmit
    delivering = claim(uow, team, job_id, "w3")
    assert delivering is not None and delivering.mode == "deliver"
    with uow() as u:
        services.mark_delivered(u, job_id=job_id)
    assert claim(uow, team, job_id, "w4") is None
    assert (team.id, job_id) not in reclaim(uow).resubmit


def test_a_queued_job_is_resubmitted_only_once_it_waited_a_while(uow, team):
    job_id = new_job(uow, team)
    assert (team.id, job_id) not in reclaim(uow, after=60.0).resubmit  # just submitted
    assert (team.id, job_id) in reclaim(uow, after=0.0).resubmit


def test_a_cut_short_delivery_is_handed_back_once_its_lease_runs_out(uow, team):
    job_id = new_job(uow, team)
    claim(uow, team, job_id)
    with uow() as u:
        services.finish(
            u, job_id=job_id, attempt=1, status="done", result={"text": "x"}, lease_seconds=LEASE
        )
    assert claim(uow, team, job_id, "w2") is None  # the finisher is delivering it
    assert (team.id, job_id) not in reclaim(uow).resubmit
    expire_lease(uow, job_id)
    assert (team.id, job_id) in reclaim(uow).resubmit
    again = claim(uow, team, job_id, "w2")
    assert again is not None and again.mode == "deliver" and again.job.result == {"text": "x"}


def test_only_the_worker_delivering_a_job_renews_its_delivery_lease(uow, team):
    job_id = new_job(uow, team)
    claim(uow, team, job_id)
    with uow() as u:
        services.finish(
            u, job_id=job_id, attempt=1, status="done", result={"text": "x"}, lease_seconds=1
        )
    expire_lease(uow, job_id)
    with uow() as u:
        assert not services.renew_delivery(u, job_id=job_id, worker="w2", lease_seconds=LEASE)
        assert services.renew_delivery(u, job_id=job_id, worker="w1", lease_seconds=LEASE)
    assert (team.id, job_id) not in reclaim(uow).resubmit  # w1 is still delivering it
    with uow() as u:
        services.mark_delivered(u, job_id=job_id)
    with uow() as u:
        assert not services.renew_delivery(u, job_id=job_id, worker="w1", lease_seconds=LEASE)


def test_job_counts_by_status(uow, team):
    a, b = new_job(uow, team), new_job(uow, team)
    new_job(uow, team)
    claim(uow, team, a)
    claim(uow, team, b)
    with uow() as u:
        services.finish(
            u, job_id=b, attempt=1, status="failed", result={"text": "x"}, lease_seconds=LEASE
        )
    with uow() as u:
        assert services.job_counts(u) == {"queued": 1, "running": 1, "done": 0, "failed": 1}


def test_old_delivered_jobs_are_forgotten_and_nothing_else(uow, team):
    old_done, old_undelivered, fresh = new_job(uow, team), new_job(uow, team), new_job(uow, team)
    for job_id in (old_done, old_undelivered, fresh):
        claim(uow, team, job_id)
        with uow() as u:
            services.finish(
                u, job_id=job_id, attempt=1, status="done", result={}, lease_seconds=LEASE
            )
    with uow() as u:
        services.mark_delivered(u, job_id=old_done)
        services.mark_delivered(u, job_id=fresh)
    month_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    with uow() as u:
        u.session.execute(
            update(JobRecord)
            .where(JobRecord.id.in_([old_done, old_undelivered]))
            .values(created_at=month_ago)
        )
        u.commit()
    with uow() as u:
        assert services.forget_jobs_before(u, month_ago + dt.timedelta(days=1)) == 1
    with uow() as u:
        left = {j.id for j in services.recent_jobs(u, actor=team.member, team_id=team.id)}
    assert left == {old_undelivered, fresh}


# --------------------------------------------------------------------------- per workspace


def claim_limited(uow, team: Team, job_id: str, worker: str = "w1", limit: int = 2):
    with uow() as u:
        return services.claim(
            u,
            team_id=team.id,
            job_id=job_id,
            worker=worker,
            lease_seconds=LEASE,
            max_running=limit,
        )


def running(uow, team: Team) -> int:
    with uow() as u:
        jobs = services.recent_jobs(u, actor=team.member, team_id=team.id, limit=100)
    return sum(j.status == "running" for j in jobs)


def test_a_workspace_runs_at_most_its_share_of_jobs_and_the_rest_wait_queued(uow, team):
    other = make_team(uow, "T-TWO")
    first, second, third = (new_job(uow, team) for _ in range(3))
    assert claim_limited(uow, team, first) is not None
    assert claim_limited(uow, team, second) is not None
    assert claim_limited(uow, team, third) is None  # a third would starve the others
    waiting = job(uow, team, third)
    assert (waiting.status, waiting.attempts, waiting.worker) == ("queued", 0, None)
    # the next sweep submits it again at once (it has not waited unseen: it was deferred)
    assert (team.id, third) in reclaim(uow, after=60.0).resubmit
    # another workspace is not held back
    theirs = new_job(uow, other)
    assert claim_limited(uow, other, theirs) is not None
    # once one ends, the waiting job gets its turn
    with uow() as u:
        services.finish(u, job_id=first, attempt=1, status="done", result={}, lease_seconds=LEASE)
    taken = claim_limited(uow, team, third)
    assert taken is not None and taken.attempt == 1
    assert running(uow, team) == 2


def test_delivering_a_finished_job_is_not_held_back_by_the_limit(uow, team):
    done, busy1, busy2 = (new_job(uow, team) for _ in range(3))
    claim_limited(uow, team, done)
    with uow() as u:
        services.finish(u, job_id=done, attempt=1, status="done", result={}, lease_seconds=LEASE)
    claim_limited(uow, team, busy1)
    claim_limited(uow, team, busy2)
    expire_lease(uow, done)
    delivering = claim_limited(uow, team, done, "w2")
    assert delivering is not None and delivering.mode == "deliver"


def test_racing_claims_in_one_workspace_never_run_more_than_its_limit(uow, team):
    ids = [new_job(uow, team) for _ in range(6)]
    barrier = threading.Barrier(len(ids))
    wins: list[object] = []

    def go(job_id: str) -> None:
        barrier.wait()
        try:
            result = claim_limited(uow, team, job_id, f"w-{job_id[:4]}")
        except Exception as exc:  # SQLite may refuse a concurrent writer: that is a loss too
            result = None
            assert "locked" in str(exc)
        if result is not None:
            wins.append(result)

    threads = [threading.Thread(target=go, args=(job_id,)) for job_id in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 1 <= len(wins) <= 2
    assert running(uow, team) == len(wins)
