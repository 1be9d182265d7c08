"""Running a command: its use case and its renderer, or — for a slow one — its check and
a job whose payload is the command itself. Never raises: errors become error replies."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.commands.registry import COMMAND_TYPES, entry_for
from bot.commands.text import parse_command
from bot.errors import UsageError
from bot.reply import DEFAULT_COMMAND, Job, Reply, error_reply
from catalog import services
from catalog.retry import retry_on_disconnect
from catalog.usecases import commands as c
from catalog.usecases.context import Context


def guarded(fn: Callable[[], Reply], *, slash: str = DEFAULT_COMMAND) -> Reply:
    """`fn()`, with any exception turned into an error reply (unexpected ones logged)."""
    try:
        return fn()
    except Exception as exc:  # every failure is reported to the user
        return error_reply(exc, slash=slash)


def handle_text(
    text: str, ctx: Context, *, slash: str = DEFAULT_COMMAND, escaped: bool = True
) -> Reply:
    """Parse the text typed after the slash command and execute it."""
    try:
        command = parse_command(text, command=slash, escaped=escaped)
    except UsageError as exc:
        return error_reply(exc, slash=slash)
    return execute(command, ctx, slash=slash)


def execute(command: c.Command, ctx: Context, *, slash: str = DEFAULT_COMMAND) -> Reply:
    """Run a quick command's use case and render it; check a slow one and answer with
    the job to start (`Reply.job`), which `run_job` runs wherever jobs run."""
    entry = entry_for(command)

    def go() -> Reply:
        if not ctx.actor.is_operator:  # a Slack workspace exists from its first command on
            with ctx.uow() as uow:
                services.ensure_workspace(uow, team_id=ctx.team_id)
        if entry.check is None:
            return entry.render(entry.run(command, ctx), slash=slash)
        started = entry.check(command, ctx)
        job = Job(
            kind=entry.name,
            title=started.title,
            payload=c.to_payload(command),
            in_channel=started.in_channel,
        )
        return Reply(text=started.title, job=job)

    # a connection lost mid-command (a database restart) rolled its transaction back
    return guarded(lambda: retry_on_disconnect(go, what=entry.name), slash=slash)


def decode(payload: Mapping[str, Any]) -> c.Command:
    """The command a job's payload holds (see `catalog.usecases.commands.to_payload`)."""
    return c.from_payload(payload, COMMAND_TYPES)


def run_job(payload: Mapping[str, Any], ctx: Context, *, slash: str = DEFAULT_COMMAND) -> Reply:
    """Run a queued command's use case once, in the context of the job's attempt, and
    render its result."""

    def go() -> Reply:
        command = decode(payload)
        entry = entry_for(command)
        return entry.render(entry.run(command, ctx), slash=slash)

    # a connection lost mid-job (a database restart) rolled its transaction back: the use
    # case runs once more (the use cases save last: a retry never saves twice)
    return guarded(lambda: retry_on_disconnect(go, what="a job"), slash=slash)
