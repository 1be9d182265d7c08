"""Running one job: claim its row, do the work, record the result, post it to Slack.

`run` is the same in a worker (RQ calls `perform`) and in the in-process pool. While the
work runs, a heartbeat renews the claim's lease and progress updates the placeholder
message. Every catalog write the work makes is fenced on this attempt, and the result is
recorded only if this attempt still holds the job: a worker that lost its job (its lease
ran out and another took over) leaves no second result. Delivering is repeatable: the
placeholder message is updated in place, and a delivery cut short resumes where it
stopped (`deliver`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import blocks as b
from bot.commands import run_job
from bot.commands.dispatch import decode
from bot.errors import BotError
from bot.jobs.deadline import JobTimedOut, WallClock, Watchdog, timed_out_message, wall_seconds
from bot.jobs.results import reply_from_json, reply_to_json
from bot.jobs.runtime import Runtime, current
from bot.logs import bound
from bot.posting import (
    RESPONSE_URL_LIFETIME,
    Respond,
    ResponseUrlRefused,
    Throttle,
    dm_responder,
    open_dm,
    respond_with,
    send_notices,
    upload_files,
    url_responder,
    with_note,
)
from bot.reply import Reply, error_reply
from catalog import services
from catalog.domain import Actor
from catalog.errors import NotFound
from catalog.uow import UnitOfWork
from catalog.usecases.context import DEFAULT_SOLVER, Context
from catalog.usecases.progress import PlanProgress
from catalog.views import JobView

log = logging.getLogger(__name__)

#: Exit status of a worker that ended itself because a job was stuck past its limit.
EXIT_STUCK = 70


def perform(team_id: str, job_id: str) -> str:
    """RQ's job function: run the job in this process's runtime."""
    return run(current(), team_id, job_id)


def run(runtime: Runtime, team_id: str, job_id: str) -> str:
    """Run or deliver job `job_id` if it is this process's to do; says what happened:
    `done`, `failed` (a timed-out job too), `delivered`, `skipped` (another worker has it,
    it is finished, or its workspace runs as many jobs as it may: it waits queued for the
    sweep), `lost` (the lease ran out meanwhile), `missing` or `error` (the sweep retries
    it)."""
    with bound(job_id=job_id, team_id=team_id):
        return _run(runtime, team_id, job_id)


def _run(runtime: Runtime, team_id: str, job_id: str) -> str:
    try:
        with runtime.uow() as uow:
            claim = services.claim(
                uow,
                team_id=team_id,
                job_id=job_id,
                worker=runtime.name,
                lease_seconds=runtime.lease_seconds,
                max_running=runtime.settings.jobs_per_workspace,
            )
        if claim is None:
            log.info(
                "job %s: nothing to do here (another worker has it, it is finished, or its "
                "workspace runs its share of jobs already)",
                job_id,
            )
            return "skipped"
        client = runtime.client_for(team_id, enterprise_id=claim.job.delivery.get("enterprise_id"))
        if claim.mode == "deliver":
            result = claim.job.result
            reply = reply_from_json(result) if result is not None else _given_up(claim.job)
            deliver(runtime, claim.job, reply, client)
            return "delivered"
        return _execute(runtime, claim.job, client)
    except NotFound:
        log.warning("job %s of %s does not exist (any more)", job_id, team_id)
        return "missing"
    except Exception:
        log.exception("job %s stopped on an error; it is retried once its lease runs out", job_id)
        return "error"


def _given_up(job: JobView) -> Reply:
    return error_reply(RuntimeError(f"{job.title.rstrip('…')} could not finish ({job.error})."))


def _execute(runtime: Runtime, job: JobView, client: WebClient) -> str:
    attempt = job.attempts
    fenced = partial(services.fence, job_id=job.id, attempt=attempt)

    def uow_factory() -> UnitOfWork:
        return UnitOfWork(runtime.session_factory, before_commit=fenced)

    clock = WallClock(job_wall_seconds(runtime, job))
    started = clock.started
    placeholder = Placeholder(client, job)
    if attempt > 1:
        placeholder.show(None, note=f"attempt {attempt} of {job.max_attempts}")
    solver = runtime.solver or DEFAULT_SOLVER
    ctx = Context(
        actor=Actor.user(team_id=job.team_id, user_id=job.requested_by),
        team_id=job.team_id,
        uow_factory=uow_factory,
        solver=replace(solver, deadline=clock.solver_deadline),
        progress=placeholder.progress,
        resume_roadmap_id=job.result_roadmap_id,  # saved by an attempt that then died
    )
    watchdog = Watchdog(
        clock,
        on_stuck=partial(_give_up_stuck, runtime, job, client, clock),
        grace=runtime.stuck_grace,
        name=f"job {job.id}",
    )
    renew = partial(
        services.renew, job_id=job.id, attempt=attempt, lease_seconds=runtime.lease_seconds
    )
    with Heartbeat(runtime, job.id, renew) as heartbeat:
        reply = _within(
            watchdog, lambda: run_job(job.request, ctx, slash=runtime.settings.slash_command)
        )
    if reply is None or (reply.error and time.monotonic() >= clock.solver_deadline):
        # stopped at the limit, or failed because the solves had no time left
        reply = timed_out_reply(runtime, job, clock)
    seconds = time.monotonic() - started
    status = "failed" if reply.error else "done"
    if heartbeat.lost:
        log.warning("job %s attempt %d lost its lease; its result is dropped", job.id, attempt)
        return "lost"
    with runtime.uow() as uow:
        recorded = services.finish(
            uow,
            job_id=job.id,
            attempt=attempt,
            status=status,
            result=reply_to_json(reply),
            roadmap_id=reply.roadmap_id,
            error=reply.text if reply.error else None,
            lease_seconds=runtime.lease_seconds,
        )
    if not recorded:
        log.warning("job %s attempt %d was taken over; its result is dropped", job.id, attempt)
        return "lost"
    log.info("job %s (%s) %s in %.2f s", job.id, job.kind, status, seconds)
    from bot.metrics import observe_solve  # lazily: see bot.metrics on multiprocess mode

    observe_solve(job.kind, status, seconds)
    deliver(runtime, job, reply, client)
    return status


def job_wall_seconds(runtime: Runtime, job: JobView) -> float:
    """The job's wall-clock limit: twice the time limit of its solves plus a minute, at
    most `TOWNHALL_JOB_WALL_SECONDS` (bot.jobs.deadline)."""
    time_limit = (runtime.solver or DEFAULT_SOLVER).time_limit
    try:
        asked = getattr(decode(job.request), "time_limit", None)
    except Exception:  # a payload that does not decode fails in run_job, and says why
        asked = None
    if isinstance(asked, int | float) and asked > 0:
        time_limit = float(asked)
    return wall_seconds(time_limit, runtime.settings.job_wall_seconds)


def timed_out_reply(runtime: Runtime, job: JobView, clock: WallClock) -> Reply:
    message = timed_out_message(job.title, clock.seconds, cap=runtime.settings.job_wall_seconds)
    return error_reply(BotError(message), slash=runtime.settings.slash_command)


def _within(watchdog: Watchdog, work: Callable[[], Reply]) -> Reply | None:
    """`work()` under the watchdog; None when the watchdog stopped it (see Watchdog for
    why `close` is called twice: the interruption lands wherever the thread is)."""
    try:
        try:
            with watchdog:
                return work()
        finally:
            watchdog.close()
    except JobTimedOut:
        watchdog.close()
        return None


def _give_up_stuck(runtime: Runtime, job: JobView, client: WebClient, clock: WallClock) -> None:
    """The job's thread is stuck in native code past its limit: record the failure and
    tell the user (the stuck attempt's own result, if it ever comes, is then refused);
    in a worker, end the process so that a fresh one takes its place."""
    reply = timed_out_reply(runtime, job, clock)
    with runtime.uow() as uow:
        recorded = services.finish(
            uow,
            job_id=job.id,
            attempt=job.attempts,
            status="failed",
            result=reply_to_json(reply),
            error=reply.text,
            lease_seconds=runtime.lease_seconds,
        )
    if recorded:
        deliver(runtime, job, reply, client)
    if runtime.exit_when_stuck:
        log.critical("ending this worker: job %s holds its only thread in native code", job.id)
        logging.shutdown()
        os._exit(EXIT_STUCK)


def deliver(runtime: Runtime, job: JobView, reply: Reply, client: WebClient) -> None:
    """Post the result: update the placeholder message (or answer by response URL), send
    its DMs and files, and record that it was delivered.

    Each part that reaches Slack is recorded as it does (`services.record_sent`), so a
    delivery cut short (its worker killed) is resumed by the sweep without posting again
    what went out already. Only a stop between Slack's answer and that record repeats a
    part: a result is posted twice rather than lost.

    The delivery's lease is renewed while it runs (`Heartbeat`): a slow Slack, or one that
    asks to wait out a rate limit, does not let the sweep hand the job to another worker
    to deliver at the same time.

    A failure Slack answers for is final: a refused call is reported, and a response URL
    Slack refuses (4xx: expired after 30 minutes, or used five times) gives way to a DM to
    the requester. A passing one (a 5xx, a dropped connection) leaves the job undelivered,
    and the sweep has it delivered again.
    """
    renew = partial(
        services.renew_delivery,
        job_id=job.id,
        worker=runtime.name,
        lease_seconds=runtime.lease_seconds,
    )
    with Heartbeat(runtime, job.id, renew):
        _post(runtime, job, reply, client)
    with runtime.uow() as uow:  # the files were shared: keep only the message
        services.mark_delivered(uow, job_id=job.id, keep=reply_to_json(replace(reply, uploads=())))


def _post(runtime: Runtime, job: JobView, reply: Reply, client: WebClient) -> None:
    """Post what of the result has not reached Slack yet (see `deliver`)."""
    delivery = job.delivery
    sent: dict[str, str] = dict(delivery.get("sent") or {})
    channel, ts = delivery.get("channel") or "", delivery.get("ts")
    respond = url_responder(delivery.get("response_url"))

    def record(part: str, where: str) -> None:
        with runtime.uow() as uow:
            services.record_sent(uow, team_id=job.team_id, job_id=job.id, part=part, where=where)
        sent[part] = where

    try:
        if "message" not in sent:
            if ts:
                client.chat_update(
                    channel=channel, ts=ts, text=reply.text, blocks=list(reply.blocks)
                )
            else:
                channel, respond = _answer_privately(client, job, reply, channel, respond)
            record("message", channel)
        elif sent["message"] != channel:  # an earlier, cut-short delivery answered in a DM
            channel = sent["message"]
            respond = dm_responder(client, channel)
        for i, notice in enumerate(reply.notices):
            if f"notice {i}" not in sent:
                send_notices(client, (notice,))
                record(f"notice {i}", notice.user_id)
        for i, upload in enumerate(reply.uploads):
            if f"file {i}" not in sent:
                upload_files(
                    client, (upload,), channel=channel, respond=respond, user_id=job.requested_by
                )
                record(f"file {i}", channel)
    except SlackApiError as exc:
        log.exception("Slack refused the result of job %s", job.id)
        try:
            respond_with(
                respond, error_reply(RuntimeError(f"the result could not be posted: {exc}"))
            )
        except Exception:
            log.exception("reporting the failure of job %s failed too", job.id)


def _answer_privately(
    client: WebClient, job: JobView, reply: Reply, channel: str, respond: Respond
) -> tuple[str, Respond]:
    """Answer on the job's response URL, or, when Slack refuses it or it has expired, in a
    DM to the requester; returns where the rest of the delivery (files, failures) goes."""
    url = job.delivery.get("response_url")
    if url and dt.datetime.now(dt.UTC) - job.created_at < RESPONSE_URL_LIFETIME:
        try:
            respond_with(respond, reply)
            return channel, respond
        except ResponseUrlRefused as exc:
            log.warning("job %s: %s; its result goes to %s as a DM", job.id, exc, job.requested_by)
    else:
        log.info("job %s has no usable response URL; its result goes to a DM", job.id)
    dm = open_dm(client, job.requested_by)
    title = b.escape(job.title.rstrip("…"))
    note = (
        f"The answer to _{title}_ comes here: Slack no longer took it where you asked "
        "(a command's reply link has expired after 30 minutes or five answers)."
    )
    private = dm_responder(client, dm)
    respond_with(private, with_note(reply, note))
    return dm, private


class Placeholder:
    """The job's "working on it" message: progress (throttled) while the work runs."""

    def __init__(self, client: WebClient, job: JobView) -> None:
        self._client = client
        self._job = job
        self._throttle = Throttle()

    def show(self, progress: PlanProgress | None, *, note: str | None = None) -> None:
        channel, ts = self._job.delivery.get("channel"), self._job.delivery.get("ts")
        if not ts:
            return
        title = self._job.title if note is None else f"{self._job.title} ({note})"
        try:
            blocks = b.progress_blocks(progress, title=title)
            self._client.chat_update(channel=channel, ts=ts, text=b.escape(title), blocks=blocks)
        except Exception:  # progress is a courtesy; the work goes on
            log.exception("updating the progress of job %s failed", self._job.id)

    def progress(self, progress: PlanProgress) -> None:
        if self._throttle.ready():
            self.show(progress)


class Heartbeat:
    """Renews a lease every third of it, in a thread of its own, by `renew` (a catalog
    service given the unit of work: True while the lease is still this worker's); `lost`
    says whether it found the job taken over."""

    def __init__(self, runtime: Runtime, job_id: str, renew: Callable[[UnitOfWork], bool]) -> None:
        self._runtime = runtime
        self._job_id = job_id
        self._renew = renew
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"heartbeat-{job_id[:8]}", daemon=True
        )
        self.lost = False

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        interval = self._runtime.lease_seconds / 3
        while not self._stop.wait(interval):
            try:
                with self._runtime.uow() as uow:
                    held = self._renew(uow)
            except Exception:  # the database may be back before the lease runs out
                log.exception("renewing the lease of job %s failed", self._job_id)
                continue
            if not held:
                self.lost = True
                return
