"""Posting a Reply in Slack: through a response URL, as DMs, as files shared in a channel;
and throttling progress updates. Used by the listeners and by the jobs' runner.

A response URL takes answers for 30 minutes and 5 times; after that Slack answers 404.
`url_responder` tells a final refusal (4xx: `ResponseUrlRefused`, posting there again
cannot succeed) from a passing failure (5xx: `ResponseUrlUnavailable`, or a dropped
connection), so a job's runner can fall back to a DM for the first and retry the second
(README, Production: a result whose posting was cut short is posted again).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot import blocks as b
from bot.reply import Notice, Reply, Upload

log = logging.getLogger(__name__)

#: Fewest seconds between two progress updates of a planning message.
PROGRESS_INTERVAL = 1.0
#: How long Slack takes answers on a response URL after the request that gave it.
RESPONSE_URL_LIFETIME = dt.timedelta(minutes=30)
#: Most blocks in a message (Slack's limit).
MESSAGE_BLOCKS = 50

Respond = Callable[..., Any]


class ResponseUrlRefused(Exception):
    """A response URL answered 4xx (expired, used five times, unknown): final."""

    def __init__(self, status: int, body: str) -> None:
        self.status = status
        self.body = body
        super().__init__(f"the response URL answered {status} {body}".rstrip())


class ResponseUrlUnavailable(Exception):
    """A response URL answered 5xx: Slack may take the answer later."""

    def __init__(self, status: int) -> None:
        self.status = status
        super().__init__(f"the response URL answered {status}")


def url_responder(url: str | None) -> Respond:
    """A `respond(**message)` that posts to a response URL (a no-op without one). Raises
    `ResponseUrlRefused` on a 4xx, `ResponseUrlUnavailable` on a 5xx; a connection that
    drops (after slack-sdk's own retry) raises what the HTTP client raised."""

    def respond(**message: Any) -> None:
        if not url:
            log.info("no response URL to answer on")
            return
        response = WebhookClient(url).send(**message)
        if 400 <= response.status_code < 500:
            raise ResponseUrlRefused(response.status_code, str(response.body or "")[:100])
        if response.status_code >= 500:
            raise ResponseUrlUnavailable(response.status_code)

    return respond


def open_dm(client: WebClient, user_id: str) -> str:
    """The id of the bot's DM channel with `user_id` (conversations.open)."""
    return str(client.conversations_open(users=user_id)["channel"]["id"])


def dm_responder(client: WebClient, channel: str) -> Respond:
    """A `respond(**message)` that posts in a DM channel instead of a response URL."""

    def respond(**message: Any) -> None:
        client.chat_postMessage(
            channel=channel, text=message.get("text") or "", blocks=message.get("blocks")
        )

    return respond


def with_note(reply: Reply, note: str) -> Reply:
    """The reply with a context line first (when the message has room for it)."""
    if len(reply.blocks) >= MESSAGE_BLOCKS or not reply.blocks:
        return Reply(text=f"{note}\n{reply.text}", blocks=reply.blocks, error=reply.error)
    return Reply(
        text=reply.text,
        blocks=(b.elements.context(note), *reply.blocks),
        error=reply.error,
    )


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
