"""The front door of `POST /slack/events`: what is checked before Bolt sees a request.

In this order, each step answering at once when it refuses:

1. **Size.** Slack's requests are small (a modal's submission, the largest, is tens of
   kilobytes). A `Content-Length` over `MAX_BODY_BYTES` is answered 413 before anything
   is read; a body without a length (chunked) is read up to the cap and no further.
2. **Signature.** Slack's v0 signature (HMAC-SHA256 of `v0:{timestamp}:{body}` with the
   signing secret) is checked over the raw bytes, with a timestamp of ASCII digits no
   more than five minutes off, before the body is decoded or parsed: anything unsigned,
   forged, stale or malformed is answered 401 and never logged.
3. **Body.** A signed body is read by its content: JSON (an event) must be an object; a
   form with a `payload` field is an interaction whose payload must be a JSON object;
   any other form (a slash command) is its fields. (Bolt's own parser takes any form
   whose text contains "payload" — in a command's text, a channel, user or team name —
   for an interaction and answers it 404.) The fields Bolt routes by — the type, the
   ids, the action, the view's callback id, the event's type — must have Slack's types
   (`check_envelope`): Bolt reads them assuming so, and answers 500 otherwise. Anything
   else is answered 400.
4. **Bolt.** The request goes to the Bolt app as a `ParsedRequest`, whose body is the
   one read in step 3. Bolt checks the signature again (it is the same) and dispatches.

README "Slack" says what Bolt answers after that.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from slack_bolt.context import BoltContext
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context
from slack_bolt.request.payload_utils import (
    to_action,
    to_command,
    to_event,
    to_message,
    to_options,
    to_shortcut,
    to_step,
    to_view,
)

if TYPE_CHECKING:
    from wsgiref.types import WSGIEnvironment

#: The largest body read from Slack (1 MiB); a larger one is answered 413.
MAX_BODY_BYTES = 1024 * 1024
#: How far a request's timestamp may be from now: Slack's and Bolt's replay window.
MAX_SKEW_SECONDS = 5 * 60
#: Seconds since the epoch have 10 digits until 2286; more is not a timestamp.
_MAX_TIMESTAMP_DIGITS = 12


class BadLength(ValueError):
    """The `Content-Length` header is not a number of bytes."""


class MalformedBody(ValueError):
    """A signed body that is not one of Slack's shapes; the message says which part."""


def read_capped(environ: WSGIEnvironment, cap: int = MAX_BODY_BYTES) -> bytes | None:
    """The request body, or None when it is longer than `cap` bytes.

    A `Content-Length` over the cap is refused without reading; without a length the
    body is read only if the server marks its end (`wsgi.input_terminated`, e.g.
    gunicorn's chunked bodies), and then at most `cap + 1` bytes. Raises `BadLength`
    for a `Content-Length` that is not a number.
    """
    stream = environ.get("wsgi.input")
    given = (environ.get("CONTENT_LENGTH") or "").strip()
    if given:
        if not (given.isascii() and given.isdigit()):
            raise BadLength(f"Content-Length is not a number of bytes: {given[:20]!r}")
        length = int(given)
        if length > cap:
            return None
        return stream.read(length) if stream is not None and length else b""
    if stream is None or not environ.get("wsgi.input_terminated"):
        return b""  # PEP 3333: without a length, an unterminated stream is not read
    body = stream.read(cap + 1)
    return None if len(body) > cap else body


def signature_problem(
    body: bytes,
    *,
    timestamp: str | None,
    signature: str | None,
    signing_secret: str | None,
    now: float | None = None,
) -> str | None:
    """Why the request is not signed by Slack with `signing_secret` (None: it is).

    The reason is for a debug log line; it never repeats the body or the signature.
    """
    if not signing_secret:
        return "no signing secret is configured (SLACK_SIGNING_SECRET)"
    if not timestamp or not signature:
        return "X-Slack-Request-Timestamp or X-Slack-Signature is missing"
    if not (
        timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= _MAX_TIMESTAMP_DIGITS
    ):
        return "X-Slack-Request-Timestamp is not a number of seconds"
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        return "X-Slack-Request-Timestamp is more than 5 minutes away from now"
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    expected = "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    if not signature.isascii() or not hmac.compare_digest(expected, signature):
        return "X-Slack-Signature does not match the body"
    return None


def parse_body(body: bytes, content_type: str | None) -> dict[str, Any]:
    """A signed body as Slack means it: an event's JSON object, an interaction's payload
    object, or a command's form fields (an empty body: no fields).

    Raises `MalformedBody` for anything else.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedBody("the body is not UTF-8") from None
    if not text:
        return {}
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type == "application/json" or text.startswith("{"):  # as Bolt decides JSON
        event = _json_object(text, what="the JSON body")
        check_envelope(event)
        return event
    form = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in form:  # the field, not the word: a command may say "payload"
        payload = _json_object(form["payload"], what="the payload field")
        check_envelope(payload)
        return payload
    return form


#: Fields that Bolt reads as text wherever they appear in the parts `check_envelope`
#: walks (null or missing is fine).
_TEXT_FIELDS = frozenset(
    {
        "type",
        "subtype",
        "callback_id",
        "trigger_id",
        "response_url",
        "action_id",
        "block_id",
        "id",
        "team_id",
        "user_id",
        "channel_id",
        "enterprise_id",
        "app_installed_team_id",
        "context_team_id",
        "context_enterprise_id",
        "user_team",
        "thread_ts",
        "channel_type",
        "bot_id",
        "tab",
        "private_metadata",
        "function_execution_id",
        "execution_id",
        "bot_access_token",
    }
)
#: Fields holding an id as text or an object carrying it (`"team": {"id": "T…"}`).
_ID_FIELDS = frozenset({"team", "user", "channel", "enterprise"})
#: Fields Bolt reads into as objects.
_OBJECT_FIELDS = frozenset(
    {
        "view",
        "event",
        "message",
        "previous_message",
        "container",
        "item",
        "assistant_thread",
        "function_data",
        "state",
    }
)
#: Fields Bolt reads as lists of objects.
_LIST_FIELDS = frozenset({"actions", "authorizations", "response_urls"})
#: Fields Bolt reads into whenever they are present, even as null (Slack leaves them out).
_NEVER_NULL = ("view", "event", "actions")
#: Interaction types Bolt routes by `callback_id`.
_BY_CALLBACK_ID = frozenset(
    {
        "interactive_message",
        "dialog_submission",
        "dialog_cancellation",
        "dialog_suggestion",
        "workflow_step_edit",
        "shortcut",
        "message_action",
    }
)
#: How deep `check_envelope` walks (Slack's envelopes are shallow; blocks are not walked).
_ENVELOPE_DEPTH = 4


def check_envelope(body: Mapping[str, Any]) -> None:
    """Raise `MalformedBody` unless the fields Bolt routes by have Slack's types: text
    where Bolt compares text, objects where it reads into them, a first action with an
    `action_id` in block actions, a view with a `callback_id` and a `type` in view
    payloads, an event with a `type` in event callbacks. Blocks, state values and
    metadata are not looked at here: the listeners read those (`bot.listeners.context`).
    """
    _check_part(body, "body", _ENVELOPE_DEPTH)
    for name in _NEVER_NULL:
        if name in body and body[name] is None:
            raise MalformedBody(f"the body's {name} is null")
    kind = body.get("type")
    if kind == "block_actions" and "actions" in body:
        actions = body["actions"]
        if not actions or not isinstance(actions[0].get("action_id"), str):
            raise MalformedBody("the payload's first action has no action_id")
    if kind in _BY_CALLBACK_ID and not isinstance(body.get("callback_id"), str):
        raise MalformedBody(f"the {kind} payload has no callback_id")
    if kind == "block_suggestion" and not isinstance(body.get("action_id"), str):
        raise MalformedBody("the block_suggestion payload has no action_id")
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        if not isinstance(view, dict) or not all(
            isinstance(view.get(name), str) for name in ("callback_id", "type")
        ):
            raise MalformedBody(f"the {kind} payload's view has no callback_id or type")
    if kind == "event_callback" and "event" in body:
        event = body["event"]
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise MalformedBody("the event_callback's event has no type")
    try:  # what Bolt reads from every request before choosing a listener
        for reader in (to_options, to_shortcut, to_action, to_view, to_command, to_event):
            reader(dict(body))
        to_message(dict(body))
        to_step(dict(body))
    except (AttributeError, KeyError, TypeError, IndexError) as exc:
        raise MalformedBody(f"the body is not Slack's ({type(exc).__name__})") from None


def _check_part(part: Mapping[str, Any], where: str, depth: int) -> None:
    if depth <= 0:
        return
    for name, value in part.items():
        if value is None:
            continue
        if name in _TEXT_FIELDS and not isinstance(value, str):
            raise MalformedBody(f"{where}.{name} is not text")
        if name == "response_url" and not _is_web_url(value):
            raise MalformedBody(f"{where}.{name} is not a web address")  # Bolt posts to it
        if name in _ID_FIELDS:
            if isinstance(value, dict):
                _check_part(value, f"{where}.{name}", depth - 1)
            elif not isinstance(value, str):
                raise MalformedBody(f"{where}.{name} is neither an id nor an object")
        elif name in _OBJECT_FIELDS:
            if not isinstance(value, dict):
                raise MalformedBody(f"{where}.{name} is not an object")
            _check_part(value, f"{where}.{name}", depth - 1)
        elif name in _LIST_FIELDS:
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise MalformedBody(f"{where}.{name} is not a list of objects")
            for item in value:
                _check_part(item, f"{where}.{name}[]", depth - 1)


def _is_web_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("https", "http") and bool(parts.hostname)


def _json_object(text: str, *, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise MalformedBody(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise MalformedBody(f"{what} is not a JSON object")
    return value


class ParsedRequest(BoltRequest):
    """A Bolt request (HTTP mode) whose body was read by `parse_body`, not by Bolt.

    `raw_body` is the signed text, so Bolt's own signature check passes as before.
    """

    def __init__(
        self,
        *,
        raw_body: str,
        body: dict[str, Any],
        query: str | Mapping[str, Any] | None,
        headers: Mapping[str, Any],
        context: BoltContext | None = None,
    ) -> None:
        super().__init__(body="", query=query, headers=dict(headers))  # Bolt parses nothing
        self.raw_body = raw_body
        self.body = body
        try:
            self.context = build_context(context or BoltContext({}), body)
        except (AttributeError, KeyError, TypeError, IndexError) as exc:
            # Bolt reads the ids it routes by (team, user, channel…) assuming Slack's types
            raise MalformedBody(f"the body's ids are not Slack's ({type(exc).__name__})") from None

    def to_copyable(self) -> ParsedRequest:
        """A copy for another thread (Bolt's lazy listeners), with the same parsed body."""
        copy = ParsedRequest(
            raw_body=self.raw_body,
            body=self.body,
            query=self.query,
            headers=self.headers,
            context=self.context.to_copyable(),
        )
        copy.lazy_only = self.lazy_only
        copy.lazy_function_name = self.lazy_function_name
        return copy
