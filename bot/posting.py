"""Posting a Reply in Slack: through a response URL, as DMs, as files shared in a channel;
and throttling progress updates. Used by the listeners and by the jobs' runner."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.reply import Notice, Reply, Upload, error_reply

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
