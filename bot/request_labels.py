"""What a Slack request is, in a few bounded words for logs and metric labels.

`labels(body, content_type)` says the request's kind (command, action, view, event,
shortcut, options or other), its subcommand (a known subcommand's canonical name,
`none` for an empty command or a non-command, `other` for anything else, so a typo
never mints a new time series) and the workspace it comes from.
"""

from __future__ import annotations

import json
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


def labels(body: bytes, content_type: str) -> Labels:
    """Kind, subcommand and team of a Slack request body; `other` when it is none of
    Slack's shapes (never raises: a malformed body is Bolt's to reject)."""
    try:
        text = body.decode("utf-8")
        if content_type.startswith("application/json"):
            return _event(json.loads(text))
        form = {key: values[0] for key, values in parse_qs(text).items()}
    except (UnicodeDecodeError, ValueError):
        return OTHER
    if "command" in form:
        words = form.get("text", "").split()
        return Labels("command", _subcommand(words[0] if words else ""), form.get("team_id"))
    if "payload" in form:
        try:
            payload = json.loads(form["payload"])
        except ValueError:
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
        team = body.get("team_id")
        return Labels("event", "none", team if isinstance(team, str) else None)
    return OTHER


def _team_of(payload: dict[str, Any]) -> str | None:
    team = payload.get("team")
    if isinstance(team, dict) and isinstance(team.get("id"), str):
        return team["id"]
    user = payload.get("user")
    if isinstance(user, dict) and isinstance(user.get("team_id"), str):
        return user["team_id"]
    return None
