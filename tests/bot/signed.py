"""Requests exactly as Slack sends them to an app, signed with the app's signing secret.

`SlackRequests` builds slash commands (form-encoded), interactivity (`payload=<json>`
form: block_actions, view_submission, view_closed, message shortcuts) and events (JSON
`event_callback`, `url_verification`) for one user in one workspace. Each is a
`SignedRequest` carrying `X-Slack-Request-Timestamp` and `X-Slack-Signature`
(v0 HMAC-SHA256 over `v0:{timestamp}:{body}`); it can be turned into a forged, stale
or unsigned copy, or a retry (`X-Slack-Retry-Num`), and sent with `http.client`.

Response URLs in the payloads come from `response_urls` (pass `fake.response_url` of a
`FakeSlack`); without one they point at a closed port on loopback, never the internet.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.bot.fakeslack import DEFAULT_TEAM_ID, Workspace

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
STALE_AFTER = 5 * 60  # seconds; Slack's and Bolt's replay window
UNMINTED_RESPONSE_URL = "http://127.0.0.1:9/response/unminted"
SLACK_USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"

_counter = itertools.count(1)


def signature(body: bytes, *, signing_secret: str, timestamp: int) -> str:
    """Slack's v0 request signature of `body` sent at `timestamp`."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return f"v0={digest}"


class Reply(NamedTuple):
    """An HTTP answer: status, headers (names lower-cased) and body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


def post(url: str, *, body: bytes, headers: Mapping[str, str], timeout: float = 10.0) -> Reply:
    """POST `body` to `url` with `http.client`; any status is returned, never raised."""
    return _request("POST", url, body=body, headers=headers, timeout=timeout)


def get(url: str, *, timeout: float = 10.0) -> Reply:
    """GET `url` with `http.client`; any status is returned, never raised."""
    return _request("GET", url, body=None, headers={}, timeout=timeout)


def _request(
    verb: str, url: str, *, body: bytes | None, headers: Mapping[str, str], timeout: float
) -> Reply:
    split = urlsplit(url)
    if split.scheme != "http" or split.hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise ValueError(f"test requests stay on loopback over http, not {url}")
    connection = http.client.HTTPConnection(split.hostname, split.port or 80, timeout=timeout)
    try:
        path = split.path or "/"
        if split.query:
            path = f"{path}?{split.query}"
        connection.request(verb, path, body=body, headers=dict(headers))
        response = connection.getresponse()
        return Reply(
            status=response.status,
            headers={k.lower(): v for k, v in response.getheaders()},
            body=response.read(),
        )
    finally:
        connection.close()


@dataclass(frozen=True)
class SignedRequest:
    """A request body with the headers Slack would send it with."""

    body: bytes
    content_type: str
    signing_secret: str = field(repr=False)
    timestamp: int | None  # None: unsigned
    signature: str | None
    extra_headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def sign(
        cls,
        body: bytes,
        *,
        content_type: str,
        signing_secret: str,
        timestamp: int | None = None,
    ) -> SignedRequest:
        """`body` signed now (or at `timestamp`) with `signing_secret`."""
        timestamp = int(time.time()) if timestamp is None else timestamp
        return cls(
            body=body,
            content_type=content_type,
            signing_secret=signing_secret,
            timestamp=timestamp,
            signature=signature(body, signing_secret=signing_secret, timestamp=timestamp),
        )

    @property
    def headers(self) -> dict[str, str]:
        """The HTTP headers sent with the body."""
        headers = {"Content-Type": self.content_type, "User-Agent": SLACK_USER_AGENT}
        if self.timestamp is not None:
            headers["X-Slack-Request-Timestamp"] = str(self.timestamp)
        if self.signature is not None:
            headers["X-Slack-Signature"] = self.signature
        headers.update(self.extra_headers)
        return headers

    @property
    def form(self) -> dict[str, str]:
        """The form fields of a command or interactivity request."""
        return dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))

    @property
    def payload(self) -> dict[str, Any]:
        """The JSON Slack sent: the `payload` field of interactivity, or an event body."""
        if self.content_type == JSON:
            return json.loads(self.body)
        return json.loads(self.form["payload"])

    def forged(self) -> SignedRequest:
        """The same request signed with a wrong secret."""
        wrong = SignedRequest.sign(
            self.body,
            content_type=self.content_type,
            signing_secret=self.signing_secret + "-forged",
            timestamp=self.timestamp,
        )
        return replace(self, signature=wrong.signature)

    def stale(self, *, age: int = STALE_AFTER + 60) -> SignedRequest:
        """The same request correctly signed, but `age` seconds ago (a replay)."""
        old = SignedRequest.sign(
            self.body,
            content_type=self.content_type,
            signing_secret=self.signing_secret,
            timestamp=int(time.time()) - age,
        )
        return replace(self, timestamp=old.timestamp, signature=old.signature)

    def unsigned(self) -> SignedRequest:
        """The same request without timestamp and signature headers."""
        return replace(self, timestamp=None, signature=None)

    def retried(self, *, num: int = 1, reason: str = "http_timeout") -> SignedRequest:
        """The same request as Slack re-sends it after no timely answer."""
        headers = (("X-Slack-Retry-Num", str(num)), ("X-Slack-Retry-Reason", reason))
        return replace(self, extra_headers=self.extra_headers + headers)

    def send(self, url: str, *, timeout: float = 10.0) -> Reply:
        """POST it to the app at `url` (e.g. `http://127.0.0.1:PORT/slack/events`)."""
        return post(url, body=self.body, headers=self.headers, timeout=timeout)


class ResponseUrlMinter(Protocol):
    """Mints a response URL for an interaction (`FakeSlack.response_url` is one)."""

    def __call__(
        self, *, channel: str, user_id: str, team_id: str | None, message_ts: str | None
    ) -> str: ...


@dataclass(frozen=True)
class SlackRequests:
    """Builds the requests Slack sends for one user, in one channel of one workspace."""

    signing_secret: str = field(repr=False)
    team_id: str = DEFAULT_TEAM_ID
    team_domain: str = "acme"
    api_app_id: str = "A0TOWNHALL"
    bot_user_id: str = "U0ACMEBOT"
    user_id: str = "U0ALICE"
    user_name: str = "alice"
    channel_id: str = "C0GENERAL"
    channel_name: str = "general"
    command_name: str = "/roadmap"
    verification_token: str = "fake-verification-token"
    response_urls: ResponseUrlMinter | None = None

    @classmethod
    def for_workspace(
        cls,
        workspace: Workspace,
        *,
        signing_secret: str,
        response_urls: ResponseUrlMinter | None = None,
        **overrides: Any,
    ) -> SlackRequests:
        """Requests from a user of a `FakeSlack` workspace (ids taken from it)."""
        return cls(
            signing_secret=signing_secret,
            team_id=workspace.team_id,
            team_domain=workspace.domain,
            api_app_id=workspace.app_id,
            bot_user_id=workspace.bot_user_id,
            response_urls=response_urls,
            **overrides,
        )

    def as_user(self, user_id: str, *, user_name: str | None = None) -> SlackRequests:
        """The same workspace and channel, another user."""
        return replace(self, user_id=user_id, user_name=user_name or user_id.lower())

    def in_channel(self, channel_id: str, *, channel_name: str | None = None) -> SlackRequests:
        """The same user, another channel."""
        return replace(self, channel_id=channel_id, channel_name=channel_name or channel_id)

    # ---- slash commands -------------------------------------------------------------

    def command(self, text: str = "", *, command: str | None = None) -> SignedRequest:
        """A slash command (`/roadmap plan budget=250k`), form-encoded as Slack posts it."""
        fields = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": self.channel_id,
            "channel_name": self.channel_name,
            "user_id": self.user_id,
            "user_name": self.user_name,
            "command": command or self.command_name,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url(message_ts=None),
            "trigger_id": _trigger_id(),
        }
        return self._form(urlencode(fields))

    # ---- interactivity --------------------------------------------------------------

    def block_actions(
        self,
        *,
        action_id: str,
        value: str | None = None,
        block_id: str | None = None,
        action: Mapping[str, Any] | None = None,
        message: Mapping[str, Any] | None = None,
        view: Mapping[str, Any] | None = None,
    ) -> SignedRequest:
        """A click on a button (or another element, given as `action`) in a message
        (`message`: at least its `ts`), a modal or the Home tab (`view`)."""
        element = {
            "type": "button",
            "action_id": action_id,
            "block_id": block_id or f"b-{action_id}",
            "text": {"type": "plain_text", "text": action_id, "emoji": True},
            **({"value": value} if value is not None else {}),
            **dict(action or {}),
            "action_ts": _now_ts(),
        }
        payload: dict[str, Any] = {
            "type": "block_actions",
            **self._actor(),
            "trigger_id": _trigger_id(),
            "actions": [element],
        }
        if message is not None:
            message = {"type": "message", "user": self.bot_user_id, "text": "", **message}
            payload["container"] = {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": self.channel_id,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": self.channel_id, "name": self.channel_name}
            payload["message"] = message
            payload["response_url"] = self._response_url(message_ts=message["ts"])
            payload["state"] = {"values": {}}
        elif view is not None:
            payload["container"] = {"type": "view", "view_id": view["id"]}
            payload["view"] = dict(view)
        else:
            raise ValueError("a block action happens in a message or a view")
        return self._interactive(payload)

    def block_suggestion(
        self,
        *,
        action_id: str,
        block_id: str,
        value: str = "",
        message: Mapping[str, Any] | None = None,
    ) -> SignedRequest:
        """Slack asking for the options of an external select in a message (`message`: at
        least its `ts`) as it is opened or typed in (`value`: the text typed so far)."""
        message = {"type": "message", "user": self.bot_user_id, "text": "", **(message or {})}
        message.setdefault("ts", _now_ts())
        payload = {
            "type": "block_suggestion",
            **self._actor(),
            "container": {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": self.channel_id,
                "is_ephemeral": False,
            },
            "channel": {"id": self.channel_id, "name": self.channel_name},
            "message": message,
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "action_ts": _now_ts(),
        }
        return self._interactive(payload)

    def view_submission(
        self, *, view: Mapping[str, Any], values: Mapping[str, Mapping[str, Any]]
    ) -> SignedRequest:
        """The submission of a modal: `view` as opened (e.g. from the fake's record),
        `values` by block_id then action_id (build them with the helpers below)."""
        payload = {
            "type": "view_submission",
            **self._actor(),
            "trigger_id": _trigger_id(),
            "view": {**dict(view), "state": {"values": _plain(values)}},
            "response_urls": [],
        }
        return self._interactive(payload)

    def view_closed(self, *, view: Mapping[str, Any], is_cleared: bool = False) -> SignedRequest:
        """The user closing a modal opened with `notify_on_close`."""
        payload = {
            "type": "view_closed",
            **self._actor(),
            "view": dict(view),
            "is_cleared": is_cleared,
        }
        return self._interactive(payload)

    def message_action(
        self,
        *,
        callback_id: str,
        message_text: str,
        message_ts: str | None = None,
        message_user: str | None = None,
    ) -> SignedRequest:
        """A message shortcut ("Propose as initiative") used on a message in the channel."""
        ts = message_ts or _now_ts()
        payload = {
            "type": "message_action",
            **self._actor(),
            "callback_id": callback_id,
            "trigger_id": _trigger_id(),
            "action_ts": _now_ts(),
            "message_ts": ts,
            "channel": {"id": self.channel_id, "name": self.channel_name},
            "message": {
                "type": "message",
                "user": message_user or self.user_id,
                "ts": ts,
                "text": message_text,
            },
            "response_url": self._response_url(message_ts=None),
        }
        return self._interactive(payload)

    # ---- events ---------------------------------------------------------------------

    def event(self, event: Mapping[str, Any]) -> SignedRequest:
        """An Events API `event_callback` wrapping `event`."""
        body = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "api_app_id": self.api_app_id,
            "event": {"event_ts": _now_ts(), **dict(event)},
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        return self._json(body)

    def app_home_opened(
        self, *, tab: str = "home", view: Mapping[str, Any] | None = None
    ) -> SignedRequest:
        """The user opening the app's Home tab (`view`: the one published before, if any)."""
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": self.user_id,
            "channel": f"D{self.user_id[1:]}",
            "tab": tab,
        }
        if view is not None:
            event["view"] = dict(view)
        return self.event(event)

    def url_verification(
        self, *, challenge: str = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    ) -> SignedRequest:
        """The handshake Slack sends when the Request URL is saved."""
        return self._json(
            {"token": self.verification_token, "challenge": challenge, "type": "url_verification"}
        )

    # ---- helpers --------------------------------------------------------------------

    def _actor(self) -> dict[str, Any]:
        return {
            "user": {
                "id": self.user_id,
                "username": self.user_name,
                "name": self.user_name,
                "team_id": self.team_id,
            },
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "team": {"id": self.team_id, "domain": self.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _response_url(self, *, message_ts: str | None) -> str:
        if self.response_urls is None:
            return UNMINTED_RESPONSE_URL
        return self.response_urls(
            channel=self.channel_id,
            user_id=self.user_id,
            team_id=self.team_id,
            message_ts=message_ts,
        )

    def _form(self, body: str) -> SignedRequest:
        return SignedRequest.sign(
            body.encode(), content_type=FORM, signing_secret=self.signing_secret
        )

    def _interactive(self, payload: Mapping[str, Any]) -> SignedRequest:
        return self._form(urlencode({"payload": json.dumps(payload)}))

    def _json(self, body: Mapping[str, Any]) -> SignedRequest:
        return SignedRequest.sign(
            json.dumps(body).encode(), content_type=JSON, signing_secret=self.signing_secret
        )


def _trigger_id() -> str:
    return f"{next(_counter)}.{int(time.time())}.{uuid.uuid4().hex}"


def _now_ts() -> str:
    return f"{time.time():.6f}"


def _plain(values: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    return {block: dict(actions) for block, actions in values.items()}


# ---- view_submission state values, shaped as Slack sends them ----------------------


def plain_text_input(value: str | None) -> dict[str, Any]:
    """The state of a `plain_text_input` (None: left empty)."""
    return {"type": "plain_text_input", "value": value}


def number_input(value: str | float | None) -> dict[str, Any]:
    """The state of a `number_input` (Slack sends the number as a string)."""
    return {"type": "number_input", "value": None if value is None else str(value)}


def static_select(value: str | None, *, text: str | None = None) -> dict[str, Any]:
    """The state of a `static_select` (None: nothing chosen)."""
    return {"type": "static_select", "selected_option": _option(value, text)}


def radio_buttons(value: str | None, *, text: str | None = None) -> dict[str, Any]:
    """The state of `radio_buttons` (None: nothing chosen)."""
    return {"type": "radio_buttons", "selected_option": _option(value, text)}


def multi_static_select(values: list[str]) -> dict[str, Any]:
    """The state of a `multi_static_select`."""
    return {"type": "multi_static_select", "selected_options": [_option(v, None) for v in values]}


def checkboxes(values: list[str]) -> dict[str, Any]:
    """The state of `checkboxes`."""
    return {"type": "checkboxes", "selected_options": [_option(v, None) for v in values]}


def datepicker(date: str | None) -> dict[str, Any]:
    """The state of a `datepicker` (`YYYY-MM-DD`, None: no date)."""
    return {"type": "datepicker", "selected_date": date}


def users_select(user_id: str | None) -> dict[str, Any]:
    """The state of a `users_select`."""
    return {"type": "users_select", "selected_user": user_id}


def multi_users_select(user_ids: list[str]) -> dict[str, Any]:
    """The state of a `multi_users_select`."""
    return {"type": "multi_users_select", "selected_users": list(user_ids)}


def _option(value: str | None, text: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"text": {"type": "plain_text", "text": text or value, "emoji": True}, "value": value}
