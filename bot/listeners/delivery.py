"""Delivering a service Reply in Slack: responses, DMs, files, and starting background jobs."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import blocks as b
from bot.jobs.queue import JobQueue
from bot.service import Job, Notice, Reply, UowFactory, Upload, error_reply
from catalog import services
from catalog.domain import Actor
from catalog.views import JobView

log = logging.getLogger(__name__)

#: Fewest seconds between two progress updates of a planning message.
PROGRESS_INTERVAL = 1.0

Respond = Callable[..., Any]


def respond_with(respond: Respond, reply: Reply, *, replace_original: bool = False) -> None:
    """Answer through the response URL: ephemeral unless the reply is for the channel."""
    respond(
        text=reply.text,
        blocks=list(reply.blocks) or None,
        response_type="in_channel" if reply.in_channel else "ephemeral",
        replace_original=replace_original,
    )


def send_notices(client: WebClient, notices: tuple[Notice, ...]) -> None:
    """Send each notice as a DM; a failure is logged and the others still go out."""
    for notice in notices:
        try:
            channel = client.conversations_open(users=notice.user_id)["channel"]["id"]
            client.chat_postMessage(
                channel=channel, text=notice.text, blocks=list(notice.blocks) or None
            )
        except SlackApiError:
            log.exception("could not send a DM to %s", notice.user_id)


def upload_files(
    client: WebClient, uploads: tuple[Upload, ...], *, channel: str, respond: Respond
) -> None:
    """Share each file in the channel (files_upload_v2); a failed upload is logged and
    reported to the user privately, and the others still go out."""
    for upload in uploads:
        try:
            client.files_upload_v2(
                channel=channel,
                content=upload.content,
                filename=upload.filename,
                title=upload.title,
            )
        except Exception as exc:
            log.exception("uploading %s to %s failed", upload.filename, channel)
            failure = RuntimeError(f"{upload.filename} could not be shared here ({exc})")
            try:
                respond_with(respond, error_reply(failure))
            except Exception:
                log.exception("reporting the failed upload failed too")


@dataclass
class Throttle:
    """Lets a call through at most once every `interval` seconds."""

    interval: float = PROGRESS_INTERVAL
    _last: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def ready(self) -> bool:
        now = time.monotonic()
        with self._lock:
            if self._last is not None and now - self._last < self.interval:
                return False
            self._last = now
            return True


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
                    request=job.request,
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
