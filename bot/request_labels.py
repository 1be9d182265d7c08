"""What a Slack request is, in a few bounded words for logs and metric labels.

`labels(body, content_type)` says the request's kind (command, action, view, event,
shortcut, options or other), its subcommand (a known subcommand's canonical name,
`none` for an empty command or a non-command, `other` for anything else, so a typo
never mints a new time series) and the workspace it comes from.
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple
from urllib.parse import parse_qs

from bot.commands.registry import subcommand

KINDS = ("command", "action", "view", "event", "shortcut", "options", "other")
_PAYLOAD_KINDS = {
    "block_actions": "action",
    "interactive_message": "action",
    "view_submission": "view",
    "view_closed": "view",
    "shortcut": "shortcut",
    "message_action": "shortcut",
    "block_suggestion": "options",
    "dialog_suggestion": "options",
}


class Labels(NamedTuple):
    kind: str
    command: str
    team_id: str | None


OTHER = Labels("other", "none", None)
#: What a Slack team id looks like (`T0ACME`, `E…` for an org); anything else is not
#: one, and is not put on a log line.
_TEAM_ID = re.compile(r"[A-Z0-9]{1,32}")


def labels(body: bytes, content_type: str) -> Labels:
    """Kind, subcommand and team of a Slack request body; `other` when it is none of
    Slack's shapes (never raises: a malformed body is `bot.slack_intake`'s to refuse)."""
    try:
        text = body.decode("utf-8")
        if content_type.startswith("application/json"):
            return _event(json.loads(text))
        form = {key: values[0] for key, values in parse_qs(text).items()}
    except (UnicodeDecodeError, ValueError, RecursionError):
        return OTHER
    if "command" in form:
        words = form.get("text", "").split()
        return Labels("command", _subcommand(words[0] if words else ""), _team(form.get("team_id")))
    if "payload" in form:
        try:
            payload = json.loads(form["payload"])
        except (ValueError, RecursionError):
            return OTHER
        if not isinstance(payload, dict):
            return OTHER
        kind = _PAYLOAD_KINDS.get(str(payload.get("type")), "other")
        return Labels(kind, "none", _team_of(payload))
    return OTHER


def _subcommand(word: str) -> str:
    if not word:
        return "none"
    known = subcommand(word)
    return known.name if known else "other"


def _event(body: Any) -> Labels:
    if not isinstance(body, dict):
        return OTHER
    if body.get("type") in ("event_callback", "url_verification", "app_rate_limited"):
        return Labels("event", "none", _team(body.get("team_id")))
    return OTHER


def _team(value: Any) -> str | None:
    return value if isinstance(value, str) and _TEAM_ID.fullmatch(value) else None


def _team_of(payload: dict[str, Any]) -> str | None:
    team = payload.get("team")
    if isinstance(team, dict) and _team(team.get("id")):
        return team["id"]
    user = payload.get("user")
    if isinstance(user, dict) and _team(user.get("team_id")):
        return user["team_id"]
    return None
