"""Delivering a service Reply in Slack: responses, modals, DMs, files and background jobs."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import blocks as b
from bot.service import Job, Notice, Reply, Upload, error_reply
from planner.config import Progress

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


def start_job(
    job: Job,
    *,
    executor: Executor,
    client: WebClient,
    channel: str,
    respond: Respond,
) -> None:
    """Show the job's placeholder, then run it in the executor; see `run_job`."""
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
    executor.submit(run_job, job, client=client, channel=channel, ts=ts, respond=respond)


def run_job(job: Job, *, client: WebClient, channel: str, ts: str | None, respond: Respond) -> None:
    """Run a job; progress (throttled) and the result update the placeholder message at
    `ts`, or go to the response URL when there is none. Failures are reported, never lost."""
    throttle = Throttle()
    throttle.ready()  # the placeholder was just shown

    def progress(p: Progress) -> None:
        if ts is None or not throttle.ready():
            return
        try:
            blocks = b.progress_blocks(p, title=job.title)
            client.chat_update(channel=channel, ts=ts, text=b.escape(job.title), blocks=blocks)
        except Exception:  # progress is a courtesy; the solve goes on
            log.exception("progress update failed")

    try:
        reply = job.run(progress)
    except Exception as exc:  # Job.run should not raise; if it does, say so anyway
        reply = error_reply(exc)
    try:
        if ts is not None:
            client.chat_update(channel=channel, ts=ts, text=reply.text, blocks=list(reply.blocks))
        else:
            respond_with(respond, reply)
        for_notices = reply.notices
        if for_notices:
            send_notices(client, for_notices)
    except Exception:
        log.exception("delivering the result of %r failed", job.title)
        try:
            respond_with(respond, error_reply(RuntimeError("the result could not be posted")))
        except Exception:
            log.exception("reporting the failure failed too")
        return
    upload_files(client, reply.uploads, channel=channel, respond=respond)
