"""The slash command: acknowledge at once, then answer through the command registry.

Slack retries a request it got no acknowledgement for within 3 seconds, marking it with
`X-Slack-Retry-Num`. The listener acknowledges before doing anything, so a retry means
the first delivery is already being handled: retries are acknowledged and ignored, and a
command never takes effect twice. A duplicate without the retry header (the same
`trigger_id` delivered again, maybe to another process) finds its idempotency key
claimed in the database and is ignored too.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.commands import handle_text
from bot.errors import UsageError
from bot.jobs.starter import JobStarter
from bot.listeners.context import keeps_ack
from bot.listeners.once import Once, command_key
from bot.posting import respond_with, send_notices
from bot.reply import Reply, error_reply
from catalog.domain import Actor
from catalog.usecases.context import Context, UowFactory

log = logging.getLogger(__name__)


def is_retry(request: Any) -> bool:
    """Whether Slack sent this request again (`X-Slack-Retry-Num`)."""
    return bool(request.headers.get("x-slack-retry-num"))


def register(app: App, *, uow_factory: UowFactory, jobs: JobStarter, slash: str) -> None:
    """Listen to the slash command `slash` (e.g. `/roadmap`)."""
    once = Once(uow_factory)  # commands that were handled, by trigger id, in the database

    @app.command(slash)
    @keeps_ack
    def on_command(
        ack: Any, command: dict[str, Any], client: WebClient, respond: Any, request: Any
    ) -> None:
        ack()
        if is_retry(request):
            log.info("ignoring a retried %s %r", slash, command.get("text"))
            return
        team_id, user_id, channel = (
            command.get(name) for name in ("team_id", "user_id", "channel_id")
        )
        if not (team_id and user_id and channel):  # Slack always sends them
            log.warning("a %s without a workspace, user or channel was ignored", slash)
            if respond is not None:
                respond_with(respond, error_reply(UsageError("This command names no user.")))
            return
        trigger_id = command.get("trigger_id")
        if trigger_id and not once.claim(command_key(team_id, trigger_id)):
            log.info("ignoring a second delivery of %s %r", slash, command.get("text"))
            return
        actor = Actor.user(team_id=team_id, user_id=user_id)
        ctx = Context(actor=actor, team_id=team_id, uow_factory=uow_factory)
        reply = handle_text(command.get("text", ""), ctx, slash=slash)
        deliver(
            reply,
            actor=actor,
            client=client,
            respond=respond,
            channel=channel,
            trigger_id=command.get("trigger_id"),
            response_url=command.get("response_url"),
            enterprise_id=command.get("enterprise_id"),
            jobs=jobs,
        )


def deliver(
    reply: Reply,
    *,
    actor: Actor,
    client: WebClient,
    respond: Any,
    channel: str,
    trigger_id: str | None,
    response_url: str | None,
    enterprise_id: str | None,
    jobs: JobStarter,
) -> None:
    """Show a reply: open its modal, start its job, or respond; then send its notices."""
    try:
        if reply.modal is not None and trigger_id:
            client.views_open(trigger_id=trigger_id, view=reply.modal)
        elif reply.job is not None:
            jobs.start(
                reply.job,
                actor=actor,
                team_id=actor.team_id,
                client=client,
                channel=channel,
                respond=respond,
                response_url=response_url,
                enterprise_id=enterprise_id,
            )
        else:
            respond_with(respond, reply)
        send_notices(client, reply.notices)
    except Exception as exc:
        respond_with(respond, error_reply(exc))
