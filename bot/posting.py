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

from bot import blocks as b
from bot.reply import Notice, Reply, Upload

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
    client: WebClient,
    uploads: tuple[Upload, ...],
    *,
    channel: str,
    respond: Respond | None,
    user_id: str | None = None,
) -> None:
    """Share each file in the channel (files_upload_v2); the others still go out when one
    fails. A failed upload is logged and the user told which file, why and what to do:
    through `respond` (the request's response URL), or, when there is none or Slack no
    longer takes answers there (30 minutes, five answers), by DM to `user_id`."""
    for upload in uploads:
        try:
            client.files_upload_v2(
                channel=channel,
                content=upload.content,
                filename=upload.filename,
                title=upload.title,
            )
        except Exception as exc:
            log.warning("uploading %s to %s failed: %s", upload.filename, channel, _why(exc))
            _tell_upload_failed(client, upload_failed_reply(upload, exc), respond, user_id)


def upload_failed_reply(upload: Upload, exc: BaseException) -> Reply:
    """What the user reads when `upload` could not be shared: the file, Slack's reason
    (its error code, never a traceback) and how to get the file anyway."""
    code = _why(exc)
    message = f"{upload.title} ({upload.filename}) could not be shared in the channel: {code}."
    if code in ("not_in_channel", "channel_not_found", "is_archived"):
        hint = (
            "Invite the app to the channel (`/invite @Townhall`), then choose Export… on "
            "the roadmap message to share it again."
        )
    elif code in ("missing_scope", "not_allowed_token_type", "no_permission"):
        hint = (
            "The app may not share files here (it needs the files:write scope): ask your "
            "Slack admin to reinstall it from manifest.yaml."
        )
    else:
        hint = "Choose Export… on the roadmap message to share it again."
    return Reply(
        text=b.escape(message), blocks=tuple(b.error_blocks(message, hint=hint)), error=True
    )


def _why(exc: BaseException) -> str:
    """Slack's error code (`not_in_channel`), else the kind of failure, in a few words."""
    if isinstance(exc, SlackApiError):
        code = exc.response.get("error") if exc.response is not None else None
        return str(code or f"Slack answered {exc.response.status_code}")
    return f"the upload failed ({type(exc).__name__})"


def _tell_upload_failed(
    client: WebClient, reply: Reply, respond: Respond | None, user_id: str | None
) -> None:
    if respond is not None:
        try:
            respond_with(respond, reply)
            return
        except Exception as exc:  # refused (expired, used up) or unreachable: DM instead
            log.info("the response URL did not take the failed upload's report: %s", exc)
    if user_id is None:
        log.warning("nobody to tell that an upload failed: no response URL and no user")
        return
    send_notices(client, (Notice(user_id, reply.text, reply.blocks),))


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
