"""What the fake Slack knows and records: workspaces, calls, messages, files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_TEAM_ID = "T0ACME"


@dataclass(frozen=True)
class Workspace:
    """One Slack workspace the fake knows, with its bot's token and identity."""

    team_id: str
    name: str
    domain: str
    bot_token: str
    bot_user_id: str
    bot_id: str
    app_id: str = "A0TOWNHALL"

    @classmethod
    def make(cls, *, team_id: str, name: str | None = None) -> Workspace:
        """A workspace whose token and bot ids are derived from `team_id`."""
        suffix = team_id[1:] if team_id.startswith("T") else team_id
        name = name or f"Team {suffix}"
        return cls(
            team_id=team_id,
            name=name,
            domain=name.lower().replace(" ", "-"),
            bot_token=f"xoxb-{team_id}-fake",
            bot_user_id=f"U{suffix}BOT",
            bot_id=f"B{suffix}",
        )


@dataclass(frozen=True)
class Call:
    """One request the fake received, and how it was answered."""

    method: str  # Web API method, or RESPONSE_URL / FILE_UPLOAD
    path: str
    headers: Mapping[str, str]  # names lower-cased
    body: Mapping[str, Any]  # form, JSON or multipart fields; JSON-valued fields decoded
    raw: bytes
    token: str | None
    team_id: str | None  # the workspace the token (or response URL) belongs to
    status: int | None  # HTTP status answered; None when the connection was dropped
    response: Any  # the JSON (or text) answered; None when dropped

    @property
    def ok(self) -> bool:
        """Whether the call was answered 200 with `ok: true` (or plain `ok` text)."""
        if self.status != 200:
            return False
        if isinstance(self.response, dict):
            return bool(self.response.get("ok"))
        return True


@dataclass(frozen=True)
class Message:
    """A message as it stands now in a channel (edits applied)."""

    team_id: str
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    thread_ts: str | None = None
    ephemeral_to: str | None = None  # the only user who sees it, for ephemeral messages
    via: str = "chat.postMessage"
    edits: int = 0


@dataclass(frozen=True)
class UploadedFile:
    """A file shared through the three steps of files_upload_v2."""

    file_id: str
    team_id: str
    filename: str
    title: str | None
    data: bytes
    channels: tuple[str, ...]
    initial_comment: str | None
    thread_ts: str | None
