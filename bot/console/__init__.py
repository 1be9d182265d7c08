"""`townhall chat`: the slash command's subcommands in a terminal, through the same
registry and use cases as Slack (`bot.commands`).

Replies are rendered as text (`bot.console.text`); forms that Slack shows as modals
(`propose`, `edit KEY`, `settings`) are asked field by field (`bot.console.forms`; the
judgment form pair by pair, `bot.console.weigh`) and submitted as Slack submits them
(`bot.submissions`). Slow commands (plans, what-ifs,
explanations, exports) are recorded as jobs, as in Slack, and run in the foreground with
their progress printed, so `jobs` lists them.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import replace

from bot.commands import handle_text, run_job
from bot.console.forms import fill_form
from bot.console.text import blocks_to_text, mrkdwn_to_text, reply_to_text
from bot.console.weigh import fill_weigh_form, is_weigh_form
from bot.jobs.results import reply_to_json
from bot.reply import Job, Reply, error_reply
from bot.submissions import submit_form
from catalog import services
from catalog.domain import Actor
from catalog.usecases.context import Context, UowFactory
from catalog.usecases.progress import PlanProgress

PROMPT = "townhall> "
QUIT = ("quit", "exit", ":q")

Read = Callable[[str], str]
Write = Callable[[str], None]


def run_command(
    text: str,
    *,
    actor: Actor,
    team_id: str,
    uow_factory: UowFactory,
    write: Write,
    read: Read = input,
    progress_interval: float = 1.0,
) -> Reply:
    """Run one command as typed; write its reply, fill the form it opens, or run its
    job with progress. Returns the final reply (`error` set when it failed)."""
    ctx = Context(actor=actor, team_id=team_id, uow_factory=uow_factory)
    reply = handle_text(text, ctx, escaped=False)
    if reply.modal is not None:
        return _fill(reply, ctx, read=read, write=write)
    if reply.job is not None:
        write(reply.job.title)
        reply = run_here(reply.job, ctx, write=write, progress_interval=progress_interval)
    write(reply_to_text(reply))
    return reply


def _fill(reply: Reply, ctx: Context, *, read: Read, write: Write) -> Reply:
    modal = reply.modal or {}
    outcome: list[Reply] = []

    def submit(values: dict[str, object]) -> dict[str, str] | None:
        done = submit_form(
            str(modal.get("callback_id")),
            values,
            metadata=str(modal.get("private_metadata") or ""),
            ctx=ctx,
        )
        if done.reply is None:
            return done.errors
        outcome.append(done.reply)
        return None

    fill = fill_weigh_form if is_weigh_form(modal) else fill_form
    if not fill(modal, read=read, write=write, submit=submit):
        write("Cancelled: nothing was saved.")
        return Reply(text="Cancelled", error=True)
    write(reply_to_text(outcome[0]))
    return outcome[0]


def worker_name() -> str:
    return f"console:{socket.gethostname()}:{os.getpid()}"


def run_here(job: Job, ctx: Context, *, write: Write, progress_interval: float = 1.0) -> Reply:
    """Record a slow command as a job of the workspace, run it here once and record its
    result, as a worker would (without Slack to deliver to)."""
    last = [time.monotonic()]

    def progress(p: PlanProgress) -> None:
        now = time.monotonic()
        if now - last[0] >= progress_interval:
            last[0] = now
            best, bound = p.figure(p.best), p.figure(p.bound)
            write(f"  … best {p.noun} {best}, bound {bound}, gap {p.gap:.1%}")

    # the lease covers the whole solve: no sweep elsewhere takes the job over meanwhile
    lease = 2 * ctx.solver.time_limit + 300
    try:
        with ctx.uow() as uow:
            view = services.create_job(
                uow,
                actor=ctx.actor,
                team_id=ctx.team_id,
                kind=job.kind,
                title=job.title,
                request=job.payload,
                delivery={"console": True},
            )
        with ctx.uow() as uow:
            claim = services.claim(
                uow, team_id=ctx.team_id, job_id=view.id, worker=worker_name(), lease_seconds=lease
            )
    except Exception as exc:
        return error_reply(exc)
    if claim is None:
        return error_reply(RuntimeError(f"job {view.id} was taken by another process"))
    reply = run_job(job.payload, replace(ctx, progress=progress))
    kept = replace(reply, uploads=())  # files are not kept in the job's row
    with ctx.uow() as uow:
        services.finish(
            uow,
            job_id=view.id,
            attempt=claim.attempt,
            status="failed" if reply.error else "done",
            result=reply_to_json(kept),
            roadmap_id=reply.roadmap_id,
            error=reply.text if reply.error else None,
            lease_seconds=lease,
        )
    with ctx.uow() as uow:
        services.mark_delivered(uow, job_id=view.id)
    return reply


def repl(
    *,
    actor: Actor,
    team_id: str,
    uow_factory: UowFactory,
    read: Read = input,
    write: Write = print,
) -> None:
    """Read commands until `quit` or end of input; each is run as `run_command` does."""
    write(f"Townhall console for workspace {team_id} as {actor}. `help` lists commands.")
    while True:
        try:
            line = read(PROMPT)
        except (EOFError, KeyboardInterrupt):
            write("")
            return
        line = line.strip()
        if line.lower() in QUIT:
            return
        if not line:
            continue
        try:
            run_command(
                line, actor=actor, team_id=team_id, uow_factory=uow_factory, write=write, read=read
            )
        except Exception as exc:  # one command failed (logged); the session goes on
            write(reply_to_text(error_reply(exc)))


__all__ = [
    "blocks_to_text",
    "mrkdwn_to_text",
    "repl",
    "reply_to_text",
    "run_command",
    "run_here",
]
