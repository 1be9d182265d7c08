"""Who is acting, in which workspace: the use-case Context of an interactive payload; and
the reading of what Townhall put into its own messages and modals (button values,
`private_metadata`, a modal's state), which a payload may carry changed.

Slack signs what it sends, but the fields an interaction carries back — a button's value,
a modal's metadata and state — may come from an older version of Townhall, or be made
up by whoever holds the signing secret. Each reader here raises `UnreadablePayload`
saying which field is wrong; the listeners answer it like any error a user can see
(privately, or in place of the modal), nothing is changed and no traceback is logged.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import blocks as b
from bot.blocks import ids
from bot.blocks.elements import plain
from bot.errors import BotError
from catalog.domain import Actor
from catalog.usecases.context import Context, UowFactory

log = logging.getLogger(__name__)

#: How much of a wrong value an answer quotes.
_QUOTED = 40

Listener = TypeVar("Listener", bound=Callable[..., Any])


def keeps_ack(listener: Listener) -> Listener:
    """A Bolt listener whose failure after `ack()` is logged here, not raised to Bolt.

    Bolt's thread runner, given an exception from a listener that has acknowledged,
    sets the acknowledgement back to none: when that happens before the request thread
    saw it, the request waits out Slack's 3 seconds and is answered 404 ("didn't call
    ack()"). A failure before the acknowledgement still goes to Bolt (500, logged).
    """

    @functools.wraps(listener)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return listener(*args, **kwargs)
        except Exception:
            ack = kwargs.get("ack")
            if ack is None or getattr(ack, "response", None) is None:
                raise
            log.exception("%s failed after acknowledging", listener.__name__)
            return None

    return guarded  # type: ignore[return-value]


class UnreadablePayload(BotError):
    """A field of an interaction is not what Townhall put there; nothing was changed."""

    def __init__(self, what: str, problem: str) -> None:
        self.what = what
        self.problem = problem
        super().__init__(
            f"This {what} could not be read: {problem}. Nothing was changed; start again "
            "from a new message (or the command)."
        )


def _quoted(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return repr(text if len(text) <= _QUOTED else text[: _QUOTED - 1] + "…")


def team_of(body: Mapping[str, Any]) -> str:
    """The workspace of a payload (`team.id`, or the user's team in some views)."""
    team = body.get("team")
    user = body.get("user")
    found = (team.get("id") if isinstance(team, Mapping) else None) or (
        user.get("team_id") if isinstance(user, Mapping) else None
    )
    if not isinstance(found, str) or not found:
        raise UnreadablePayload("request", "it names no workspace")
    return found


def user_of(body: Mapping[str, Any]) -> str:
    """The id of the user who sent a payload."""
    user = body.get("user")
    found = user.get("id") if isinstance(user, Mapping) else None
    if not isinstance(found, str) or not found:
        raise UnreadablePayload("request", "it names no user")
    return found


def context_of(body: Mapping[str, Any], *, uow_factory: UowFactory) -> Context:
    """The use-case Context for the user who sent an interactive payload."""
    team_id = team_of(body)
    actor = Actor.user(team_id=team_id, user_id=user_of(body))
    return Context(actor=actor, team_id=team_id, uow_factory=uow_factory)


def trigger_of(body: Mapping[str, Any]) -> str:
    """The trigger id a modal is opened with."""
    trigger = body.get("trigger_id")
    if not isinstance(trigger, str) or not trigger:
        raise UnreadablePayload("request", "it carries no trigger id to open a form with")
    return trigger


# --------------------------------------------------------------------------- button values


def initiative_ref(value: object, *, what: str = "button") -> tuple[str, int]:
    """A button's `KEY|VERSION` (`bot.blocks.ids.initiative_value`)."""
    if isinstance(value, str):
        try:
            return ids.read_initiative_value(value)
        except ValueError:
            pass
    raise UnreadablePayload(what, f"{_quoted(value)} is not an initiative and its version")


def roadmap_ref(value: object, *, what: str = "button") -> tuple[int | None, str]:
    """A roadmap button's or option's `ID|ITEM` (`bot.blocks.ids.roadmap_value`)."""
    if isinstance(value, str):
        try:
            return ids.read_roadmap_value(value)
        except ValueError:
            pass
    raise UnreadablePayload(what, f"{_quoted(value)} is not a roadmap reference")


def chosen_value(action: Mapping[str, Any]) -> str:
    """The value of the option chosen in a menu (empty when none is)."""
    option = action.get("selected_option")
    if option is None:
        return ""
    value = option.get("value") if isinstance(option, Mapping) else None
    if not isinstance(value, str):
        raise UnreadablePayload("menu", f"the option chosen, {_quoted(option)}, has no value")
    return value


def string_field(mapping: Mapping[str, Any], name: str, *, what: str) -> str:
    """A text field of a payload that may be missing (empty), never of another type."""
    value = mapping.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise UnreadablePayload(what, f"its {name} is {_quoted(value)}, not text")
    return value


# --------------------------------------------------------------------------- modals


def view_metadata(view: Mapping[str, Any], fields: Mapping[str, type]) -> dict[str, Any]:
    """A modal's `private_metadata` as the JSON object Townhall wrote, with each of
    `fields` present and of its type (`int`: a whole number, `str`: non-empty text)."""
    raw = view.get("private_metadata")
    try:
        meta = json.loads(raw) if isinstance(raw, str) and raw else None
    except (ValueError, RecursionError):
        meta = None
    if not isinstance(meta, dict):
        raise UnreadablePayload("form", f"its metadata {_quoted(raw or '')} is not Townhall's")
    for name, kind in fields.items():
        value = meta.get(name)
        wrong = (
            type(value) is not int
            if kind is int
            else not isinstance(value, kind) or (kind is str and not value)
        )
        if wrong:
            raise UnreadablePayload("form", f"its metadata has no {name} ({_quoted(value)})")
    return meta


def view_state(view: Mapping[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """A submitted modal's `state.values` (block id → action id → element state), each
    level an object and each typed text a string, as Slack sends them."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, Mapping) else None
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise UnreadablePayload("form", "its fields are not Slack's")
    for block_id, block in values.items():
        if not isinstance(block, dict) or not all(isinstance(e, dict) for e in block.values()):
            raise UnreadablePayload("form", f"its field {_quoted(block_id)} is not Slack's")
        for element in block.values():
            for name in ("value", "selected_date"):
                if element.get(name) is not None and not isinstance(element[name], str):
                    raise UnreadablePayload("form", f"its field {_quoted(block_id)} is not text")
            for name in ("selected_option",):
                option = element.get(name)
                if option is not None and not isinstance(option, dict):
                    raise UnreadablePayload("form", f"its field {_quoted(block_id)} is not Slack's")
            options = element.get("selected_options")
            if options is not None and not (
                isinstance(options, list) and all(isinstance(o, dict) for o in options)
            ):
                raise UnreadablePayload("form", f"its field {_quoted(block_id)} is not Slack's")
    return values


def unreadable_view(error: UnreadablePayload) -> dict[str, Any]:
    """The modal shown in place of one whose submission could not be read."""
    return {
        "type": "modal",
        "title": plain("Townhall", limit=24),
        "close": plain("Close", limit=24),
        "blocks": b.error_blocks(str(error)),
    }


def unreadable_answer(error: UnreadablePayload) -> dict[str, Any]:
    """The acknowledgement of such a submission: `ack(**unreadable_answer(error))`."""
    return {"response_action": "update", "view": unreadable_view(error)}


def update_origin(
    client: WebClient,
    meta: dict[str, Any],
    text: str,
    blocks: tuple[dict[str, Any], ...],
    *,
    what: str,
) -> bool:
    """Show an outcome in place of the message a modal was opened from (its channel and
    ts in the modal's metadata); False when there is none or it cannot be updated."""
    channel, ts = meta.get("channel"), meta.get("ts")
    if not (isinstance(channel, str) and channel and isinstance(ts, str) and ts):
        return False
    try:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=list(blocks))
    except SlackApiError as exc:  # deleted, or too old to edit: the outcome still stands
        log.warning(
            "could not update the message the %s came from: %s",
            what,
            exc.response.get("error") if exc.response is not None else exc,
        )
        return False
    return True
