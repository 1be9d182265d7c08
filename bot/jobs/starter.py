"""Starting a background job from a Slack request: a placeholder message, the job's row,
and its id on the queue."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import blocks as b
from bot.jobs.queue import JobQueue
from bot.posting import Respond
from bot.reply import Job, error_reply
from catalog import services
from catalog.domain import Actor
from catalog.usecases.context import UowFactory
from catalog.views import JobView

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobStarter:
    """Starts background jobs: shows a placeholder, records the job, queues it.

    The worker that runs the job (`bot.jobs.runner`) updates the placeholder with progress
    and the result; when the queue cannot be reached the job stays recorded, the
    placeholder says so, and the recovery sweep submits it once the queue is back.
    """

    queue: JobQueue
    uow_factory: UowFactory

    def start(
        self,
        job: Job,
        *,
        actor: Actor,
        team_id: str,
        client: WebClient,
        channel: str,
        respond: Respond,
        response_url: str | None,
        enterprise_id: str | None = None,
    ) -> JobView | None:
        """Start `job` for `actor`; None (the user told why) when it could not be recorded."""
        ts: str | None = None
        placeholder = b.progress_blocks(None, title=job.title)
        if job.in_channel:
            try:
                posted = client.chat_postMessage(
                    channel=channel, text=b.escape(job.title), blocks=placeholder
                )
                ts = posted["ts"]
                channel = posted["channel"]
            except SlackApiError as exc:  # e.g. the bot is not in the channel: answer privately
                log.info("posting in %s failed (%s); answering by response URL", channel, exc)
        if ts is None:
            respond(text=b.escape(job.title), blocks=placeholder, response_type="ephemeral")

        def show(text: str, blocks: list[Any]) -> None:
            """Replace the placeholder: the message in the channel, or a private answer."""
            if ts is not None:
                client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
            else:
                respond(text=text, blocks=blocks, response_type="ephemeral")

        delivery = {
            "channel": channel,
            "ts": ts,
            "response_url": response_url,
            "enterprise_id": enterprise_id,
        }
        try:
            with self.uow_factory() as uow:
                view = services.create_job(
                    uow,
                    actor=actor,
                    team_id=team_id,
                    kind=job.kind,
                    title=job.title,
                    request=job.payload,
                    delivery=delivery,
                )
        except Exception as exc:
            reply = error_reply(exc)
            show(reply.text, list(reply.blocks))
            return None
        if not self.queue.submit(team_id, view.id):
            title = f"{job.title} (queued: the job queue is unavailable right now; "
            title += "this runs as soon as it is back)"
            show(b.escape(title), b.progress_blocks(None, title=title))
        return view
