"""Slack requests that used to be lost, mis-answered or costly, through the production
WSGI layer (`bot.server.SlackWsgi`) in front of Townhall's real app:

- a slash command whose form mentions "payload" anywhere is still a command;
- unsigned or malformed bodies get 401, never 500, and no ERROR traceback is logged;
- bodies over the cap get 413 without being read whole, and no body is ever logged;
- tampered interaction payloads (metadata, state, button values) get a clear answer;
- error replies escape the user's text in `text` as they do in blocks;
- a wrong `TOWNHALL_ENCRYPTION_KEY` stops `serve` and makes `/readyz` say so.
"""

from __future__ import annotations

import http.client
import io
import json
import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from cryptography.fernet import Fernet
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.web import SlackResponse
from sqlalchemy import text

from bot import server
from bot.blocks import ids
from bot.errors import UsageError
from bot.logs import make_handler
from bot.oauth import installation_store
from bot.reply import error_reply
from bot.server import StartupError, wsgi_app
from bot.slack_intake import MAX_BODY_BYTES, read_capped
from catalog import services
from catalog.domain import Actor
from catalog.services.oauth_tokens import TOKEN_COLUMNS
from catalog.settings import Settings
from tests.bot.blockkit_limits import view_problems
from tests.bot.blocks_support import typed
from tests.bot.fakeslack import RESPONSE_URL, FakeSlack
from tests.bot.loopback import serve_wsgi
from tests.bot.minimal_bolt import build_app as minimal_build_app
from tests.bot.signed import FORM, JSON, SignedRequest, get, post
from tests.bot.wsgi_served import SECRET, Townhall, serve_townhall, tracebacks

OPERATOR = Actor.operator()


@pytest.fixture
def townhall(fake: FakeSlack, session_factory: Any) -> Iterator[Townhall]:
    with serve_townhall(fake, session_factory) as served:
        yield served


@pytest.fixture
def demo(townhall: Townhall) -> Townhall:
    """The demo portfolio in T0ACME; bob (U0BOB) approves, sam (U0SAM) reviews security."""
    with townhall.uow() as uow:
        services.load_demo(uow, actor=OPERATOR, team_id="T0ACME")
    for user, role in (("U0BOB", "approver"), ("U0SAM", "security")):
        with townhall.uow() as uow:
            services.grant_role(uow, actor=OPERATOR, team_id="T0ACME", user_id=user, role=role)
    return townhall


def _answer_text(call: Any) -> str:
    return json.dumps(call.body, ensure_ascii=False)


# --------------------------------------------------------------------------- item 5


@pytest.mark.parametrize("where", ["text", "channel", "user", "domain"])
def test_a_command_whose_form_mentions_payload_is_answered(demo: Townhall, where: str) -> None:
    slack, words = demo.slack, "show SSO"
    if where == "text":
        words = "show payload"
    elif where == "channel":
        slack = slack.in_channel("C0PAYLOAD", channel_name="payload-team")
    elif where == "user":
        slack = replace(slack, user_name="payload")
    else:
        slack = replace(slack, team_domain="payload-inc")
    reply = slack.command(words).send(demo.events_url)
    assert reply.status == 200, reply.text
    [answer] = demo.fake.wait_for(RESPONSE_URL)
    assert ("PAYLOAD" if where == "text" else "SSO") in _answer_text(answer).upper()


def test_a_rejection_whose_reason_says_payload_is_recorded(demo: Townhall) -> None:
    bob = demo.slack.as_user("U0BOB")
    reply = bob.command("reject FACEBOOK payload was wrong").send(demo.events_url)
    assert reply.status == 200, reply.text
    demo.fake.wait_for(RESPONSE_URL)
    with demo.uow() as uow:
        assert services.get_initiative(uow, team_id="T0ACME", key="FACEBOOK").status == "rejected"


# --------------------------------------------------------------------------- item 6

NOW = str(int(time.time()))
MALFORMED: dict[str, tuple[bytes, str, dict[str, str]]] = {
    "json-garbage": (b"{x", JSON, {}),
    "form-brace": (b"{x", FORM, {}),
    "payload-garbage": (b"payload=%7Bx", FORM, {}),
    "word-timestamp": (b"payload=%7Bx", FORM, {"X-Slack-Request-Timestamp": "soon"}),
    "unicode-digit-timestamp": (
        b"token=x",
        FORM,
        {"X-Slack-Request-Timestamp": "١٧٠٠".encode()},  # type: ignore[dict-item]
    ),
    "non-utf8": (b"\xff\xfe\x00payload=\xc3", FORM, {"X-Slack-Request-Timestamp": NOW}),
    "non-ascii-signature": (b"token=x", FORM, {"X-Slack-Signature": "v0=\u00e9\u00e9"}),
    "signature-no-timestamp": (b"token=x", FORM, {"X-Slack-Signature": "v0=00"}),
    "empty": (b"", FORM, {}),
    "deep-json": (b"[" * 100_000, JSON, {}),
    "deep-payload": (b"payload=" + b"%5B" * 100_000, FORM, {}),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_unsigned_and_malformed_bodies_are_401_without_a_traceback(
    townhall: Townhall, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    caplog.set_level(logging.DEBUG)
    body, content_type, extra = MALFORMED[case]
    headers = {"Content-Type": content_type, "X-Slack-Signature": "v0=" + "0" * 64, **extra}
    headers.setdefault("X-Slack-Request-Timestamp", NOW)
    reply = post(townhall.events_url, body=body, headers=headers)
    assert reply.status == 401, reply.body
    assert tracebacks(caplog.records) == []


def test_a_signed_body_that_is_not_slacks_is_refused_without_a_traceback(
    townhall: Townhall, caplog: pytest.LogCaptureFixture
) -> None:
    """Only Slack holds the secret, but a body it signed is still read defensively."""
    caplog.set_level(logging.DEBUG)
    for body, content_type in [
        (b"{x", JSON),
        (b"[1, 2]", JSON),
        (b"payload=%7Bx", FORM),
        (b"payload=%5B%5D", FORM),
        (b"\xff\xfe", FORM),
        (b'{"a":' * 50_000, JSON),
        (b"payload=" + b"%7B%22a%22%3A" * 50_000, FORM),
    ]:
        request = SignedRequest.sign(body, content_type=content_type, signing_secret=SECRET)
        reply = request.send(townhall.events_url)
        assert reply.status == 400, (body, reply.status)
    assert tracebacks(caplog.records) == []


def _envelope(townhall: Townhall, change: str) -> SignedRequest:
    click = townhall.slack.block_actions(
        action_id=ids.SHOW_INITIATIVE, value="SSO|1", message={"ts": "1700000000.1"}
    )
    payload = click.payload
    if change == "no-actions":
        payload["actions"] = []
    elif change == "action-without-id":
        del payload["actions"][0]["action_id"]
    elif change == "team-number":
        payload["team"] = 42
    elif change == "view-without-type":
        payload = {**payload, "type": "view_submission", "view": {"callback_id": "x"}}
    elif change == "response-url-not-a-url":
        payload["response_url"] = "SSO|x"
    elif change == "null-view-no-type":
        payload = {**payload, "view": None}
        del payload["type"]
    elif change == "view-a-string":
        payload = {**payload, "type": "view_submission", "view": "initiative_modal"}
    elif change == "event-a-list":
        return SignedRequest.sign(
            json.dumps({"type": "event_callback", "event": ["app_home_opened"]}).encode(),
            content_type=JSON,
            signing_secret=SECRET,
        )
    return _signed_payload(payload)


@pytest.mark.parametrize(
    "change",
    [
        "no-actions",
        "action-without-id",
        "team-number",
        "view-without-type",
        "view-a-string",
        "null-view-no-type",
        "response-url-not-a-url",
        "event-a-list",
    ],
)
def test_a_signed_payload_bolt_cannot_route_is_400_without_a_traceback(
    townhall: Townhall, caplog: pytest.LogCaptureFixture, change: str
) -> None:
    """Found by tests/bot/test_fuzz_requests.py: Bolt reads these fields assuming Slack's
    types while choosing a listener, and answered 500 with a traceback."""
    caplog.set_level(logging.DEBUG)
    reply = _envelope(townhall, change).send(townhall.events_url)
    assert reply.status == 400, reply.text
    assert tracebacks(caplog.records) == []


# --------------------------------------------------------------------------- item 7


def _post_claiming(url: str, *, length: int, sent: bytes) -> tuple[int, float]:
    """POST headers announcing `length` bytes, send only `sent`, return status and seconds."""
    split = urlsplit(url)
    connection = http.client.HTTPConnection(split.hostname, split.port, timeout=10)
    started = time.perf_counter()
    try:
        connection.putrequest("POST", split.path)
        connection.putheader("Content-Type", FORM)
        connection.putheader("Content-Length", str(length))
        connection.putheader("X-Slack-Request-Timestamp", NOW)
        connection.putheader("X-Slack-Signature", "v0=" + "0" * 64)
        connection.endheaders(sent)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def test_a_body_announced_over_the_cap_is_413_before_it_is_read(townhall: Townhall) -> None:
    status, seconds = _post_claiming(townhall.events_url, length=50_000_000, sent=b"token=x")
    assert status == 413
    assert seconds < 2  # not waiting for 50 MB that never come


def test_a_body_one_byte_over_the_cap_is_413(
    townhall: Townhall, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sent = b"text=" + b"a" * 60_000  # the rest is never sent: it is not waited for either
    status, _ = _post_claiming(townhall.events_url, length=MAX_BODY_BYTES + 1, sent=sent)
    assert status == 413
    assert tracebacks(caplog.records) == []


def test_a_signed_body_at_the_cap_is_served(demo: Townhall) -> None:
    """Slack's own requests are far smaller; the cap leaves them room."""
    request = demo.slack.command("show SSO " + "x" * 200_000)
    assert request.send(demo.events_url).status == 200


def test_a_body_without_a_length_is_read_up_to_the_cap_only() -> None:
    stream = io.BytesIO(b"x" * (3 * MAX_BODY_BYTES))
    environ = {"wsgi.input": stream, "wsgi.input_terminated": True, "CONTENT_LENGTH": ""}
    assert read_capped(environ, MAX_BODY_BYTES) is None
    assert stream.tell() <= MAX_BODY_BYTES + 1
    small = {"wsgi.input": io.BytesIO(b"token=1"), "wsgi.input_terminated": True}
    assert read_capped(small, MAX_BODY_BYTES) == b"token=1"
    unterminated = {"wsgi.input": io.BytesIO(b"token=1")}  # no length, no end marker
    assert read_capped(unterminated, MAX_BODY_BYTES) == b""


def test_a_refused_body_is_never_logged(
    townhall: Townhall, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="slack_bolt.RequestVerification")
    marker = "MARKER-" + uuid.uuid4().hex
    forged = townhall.slack.command(f"plan {marker}").forged()
    assert forged.send(townhall.events_url).status == 401
    assert not [r for r in caplog.records if marker in r.getMessage()]


def test_an_unsigned_requests_workspace_is_not_logged(
    townhall: Townhall, caplog: pytest.LogCaptureFixture
) -> None:
    """The team id of the request line is the body's: only once the body is signed, and
    only when it looks like one."""
    caplog.set_level(logging.INFO)
    stream = io.StringIO()
    handler = make_handler(Settings(log_format="json"), stream=stream)
    logging.getLogger().addHandler(handler)
    try:
        marker = "T" + uuid.uuid4().hex.upper() * 20
        forged = replace(townhall.slack, team_id=marker).command("list").forged()
        assert forged.send(townhall.events_url).status == 401
        signed = replace(townhall.slack, team_id="T0ACME").command("list")
        assert signed.send(townhall.events_url).status == 200
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    answered = [line for line in lines if line["logger"] == "townhall.requests"]
    assert [line.get("team_id") for line in answered] == [None, "T0ACME"]
    assert marker not in stream.getvalue()


def test_bolts_own_check_logs_no_body_either(served: Any, caplog: pytest.LogCaptureFixture) -> None:
    """`served` hands requests to Bolt's adapter directly: Bolt's check refuses the forged
    request, and its log line about it keeps the body out."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="slack_bolt.RequestVerification")  # built at WARNING
    marker = "MARKER-" + uuid.uuid4().hex
    forged = served.slack.command(f"plan {marker}").forged()
    assert forged.send(served.events_url).status == 401
    refused = [r for r in caplog.records if "signature" in r.getMessage().lower()]
    assert refused, "Bolt's refusal is still logged"
    assert not [r for r in caplog.records if marker in r.getMessage()]


# --------------------------------------------------------------------------- item 11


def _reason_view(meta: str, *, callback_id: str = ids.REASON_MODAL) -> dict[str, Any]:
    return {
        "id": f"V{uuid.uuid4().hex[:10].upper()}",
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": meta,
        "blocks": [],
    }


def _signed_payload(payload: dict[str, Any]) -> SignedRequest:
    """An interaction with this payload, signed as Slack signs it."""
    body = urlencode({"payload": json.dumps(payload)}).encode()
    return SignedRequest.sign(body, content_type=FORM, signing_secret=SECRET)


TAMPERED_METADATA = {
    "not-json": "decision=reject",
    "a-list": "[1, 2]",
    "unknown-decision": json.dumps({"decision": "veto", "key": "FACEBOOK", "version": 1}),
    "no-key": json.dumps({"decision": "reject", "version": 1}),
    "text-version": json.dumps({"decision": "reject", "key": "FACEBOOK", "version": "one"}),
    "null-key": json.dumps({"decision": "reject", "key": None, "version": 1}),
    "empty": "",
}


@pytest.mark.parametrize("case", sorted(TAMPERED_METADATA))
def test_a_reason_modal_with_tampered_metadata_is_answered(
    demo: Townhall, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    caplog.set_level(logging.DEBUG)
    bob = demo.slack.as_user("U0BOB")
    view = _reason_view(TAMPERED_METADATA[case])
    request = bob.view_submission(view=view, values={ids.REASON_BLOCK: {"value": typed("no")}})
    reply = request.send(demo.events_url)
    assert reply.status == 200, reply.text
    answer = reply.json()
    assert answer["response_action"] == "update"
    shown = json.dumps(answer["view"])
    assert "could not be read" in shown and "Traceback" not in shown
    assert view_problems(answer["view"]) == []  # a modal Slack accepts
    assert tracebacks(caplog.records) == []
    with demo.uow() as uow:
        assert services.get_initiative(uow, team_id="T0ACME", key="FACEBOOK").status == "proposed"


@pytest.mark.parametrize(
    "meta",
    [
        json.dumps({"outcome": "lenient", "key": "SSO", "version": 1}),
        json.dumps({"outcome": "failed", "key": "SSO"}),
        "{",
    ],
)
def test_a_review_modal_with_tampered_metadata_is_answered(
    demo: Townhall, caplog: pytest.LogCaptureFixture, meta: str
) -> None:
    caplog.set_level(logging.DEBUG)
    sam = demo.slack.as_user("U0SAM")
    view = _reason_view(meta, callback_id=ids.REVIEW_MODAL)
    reply = sam.view_submission(
        view=view, values={ids.REASON_BLOCK: {"value": typed("a note")}}
    ).send(demo.events_url)
    assert reply.status == 200, reply.text
    assert reply.json()["response_action"] == "update"
    assert tracebacks(caplog.records) == []


@pytest.mark.parametrize(
    "state",
    [
        {ids.REASON_BLOCK: "not a block"},
        {ids.REASON_BLOCK: {"value": "not an element"}},
        {ids.REASON_BLOCK: {"value": {"value": 42}}},
        {ids.REASON_BLOCK: {"value": {"value": ["a", "list"]}}},
    ],
)
def test_a_reason_modal_with_tampered_state_is_answered(
    demo: Townhall, caplog: pytest.LogCaptureFixture, state: dict[str, Any]
) -> None:
    caplog.set_level(logging.DEBUG)
    bob = demo.slack.as_user("U0BOB")
    with demo.uow() as uow:
        version = services.get_initiative(uow, team_id="T0ACME", key="FACEBOOK").version
    meta = json.dumps({"decision": "reject", "key": "FACEBOOK", "version": version})
    payload = bob.view_submission(view=_reason_view(meta), values={}).payload
    payload["view"]["state"]["values"] = state
    reply = _signed_payload(payload).send(demo.events_url)
    assert reply.status == 200, reply.text
    assert reply.json()["response_action"] == "update"
    assert tracebacks(caplog.records) == []
    with demo.uow() as uow:
        assert services.get_initiative(uow, team_id="T0ACME", key="FACEBOOK").status == "proposed"


@pytest.mark.parametrize("meta", ["SSO", "SSO|x", "|1", "SSO|²", '{"key": "SSO"}'])
def test_an_initiative_form_with_tampered_metadata_is_answered(
    demo: Townhall, caplog: pytest.LogCaptureFixture, meta: str
) -> None:
    caplog.set_level(logging.DEBUG)
    view = _reason_view(meta, callback_id=ids.INITIATIVE_MODAL)
    values = {ids.INITIATIVE_BLOCKS["title"]: {"value": typed("Changed title")}}
    reply = demo.slack.view_submission(view=view, values=values).send(demo.events_url)
    assert reply.status == 200, reply.text
    assert reply.json()["response_action"] == "update"
    assert tracebacks(caplog.records) == []
    with demo.uow() as uow:
        assert services.get_initiative(uow, team_id="T0ACME", key="SSO").spec.title != (
            "Changed title"
        )


@pytest.mark.parametrize(
    ("action_id", "action"),
    [
        (ids.APPROVE, {"value": "FACEBOOK|x"}),
        (ids.REJECT, {"value": "FACEBOOK|²"}),
        (ids.WITHDRAW, {"value": "garbage"}),
        (ids.EDIT_INITIATIVE, {}),
        (ids.PUBLISH_ROADMAP, {"value": "twelve"}),
        (ids.EXPLAIN_INITIATIVE, {"selected_option": {"value": "x|SSO"}}),
        (ids.EXPORT_ROADMAP, {"selected_option": None}),
        (ids.REVIEW_FAILED, {"value": "SSO|"}),
    ],
)
def test_a_tampered_button_is_answered_privately(
    demo: Townhall, caplog: pytest.LogCaptureFixture, action_id: str, action: dict[str, Any]
) -> None:
    caplog.set_level(logging.DEBUG)
    bob = demo.slack.as_user("U0BOB")
    click = bob.block_actions(action_id=action_id, action=action, message={"ts": "1700000000.1"})
    assert click.send(demo.events_url).status == 200
    [answer] = demo.fake.wait_for(RESPONSE_URL)
    assert answer.body["response_type"] == "ephemeral"
    shown = _answer_text(answer)
    assert "Something went wrong" not in shown and "Traceback" not in shown
    assert tracebacks(caplog.records) == []


def test_a_shortcut_without_a_user_or_response_url_is_acknowledged_at_once(
    demo: Townhall, caplog: pytest.LogCaptureFixture
) -> None:
    """Found by tests/bot/test_fuzz_requests.py: the answer to a shortcut that names no
    user failed after `ack()`, and Bolt then forgot the acknowledgement (3 s, then 404)."""
    caplog.set_level(logging.DEBUG)
    payload = demo.slack.message_action(
        callback_id=ids.PROPOSE_FROM_MESSAGE, message_text="An idea"
    ).payload
    payload["user"]["id"] = None
    del payload["response_url"]
    started = time.perf_counter()
    reply = _signed_payload(payload).send(demo.events_url)
    assert reply.status == 200 and time.perf_counter() - started < 1.5
    demo.listeners.wait()
    assert tracebacks(caplog.records) == []


def test_a_payload_without_a_user_is_refused_without_a_traceback(
    demo: Townhall, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    click = demo.slack.block_actions(
        action_id=ids.APPROVE, value="FACEBOOK|1", message={"ts": "1700000000.1"}
    )
    payload = click.payload
    del payload["user"]
    reply = _signed_payload(payload).send(demo.events_url)
    assert reply.status < 500
    assert tracebacks(caplog.records) == []


# --------------------------------------------------------------------------- item 12


def test_an_error_reply_escapes_the_users_text_in_its_text_too() -> None:
    reply = error_reply(UsageError("Unknown command `<!channel>` & <@U0BOB>"))
    assert "<!channel>" not in reply.text and "<@U0BOB>" not in reply.text
    assert "&lt;!channel&gt;" in reply.text and "&amp;" in reply.text


def test_a_failed_jobs_report_escapes_its_text() -> None:
    reply = error_reply(RuntimeError("Plan could not finish (<!here> in <#C0GENERAL>)."))
    assert "<!here>" not in reply.text and "<#C0GENERAL>" not in reply.text


def test_slack_refusing_a_call_is_answered_without_its_url_or_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="http://127.0.0.1:9/api/views.open",
        req_args={},
        data={"ok": False, "error": "expired_trigger_id"},
        headers={},
        status_code=200,
    )
    reply = error_reply(SlackApiError("The request to the Slack API failed.", response))
    assert reply.error and "in time" in reply.text and "127.0.0.1" not in reply.text
    assert tracebacks(caplog.records) == []


def test_an_unknown_command_mentioning_everyone_is_answered_escaped(demo: Townhall) -> None:
    reply = demo.slack.command("<!channel> look").send(demo.events_url)
    assert reply.status == 200
    [answer] = demo.fake.wait_for(RESPONSE_URL)
    assert "<!channel>" not in answer.body["text"]
    assert "&lt;!channel&gt;" in answer.body["text"]


# --------------------------------------------------------------------------- item 15

CLIENT_ID = "111.333"
BOT_TOKEN = "xoxb-1111-3333-hardeningtoken"


def _oauth_settings(fake: FakeSlack, database_url: str, *keys: str) -> Settings:
    return Settings(
        database_url=database_url,
        slack_signing_secret=SECRET,
        slack_client_id=CLIENT_ID,
        slack_client_secret="client-secret-hardening",
        slack_api_url=fake.url,
        encryption_keys=keys,
    )


@pytest.fixture
def stored_under_another_key(
    fake: FakeSlack, engine: Any, database_url: str
) -> Iterator[tuple[str, str]]:
    """An installation stored under key A; yields (A, another key B)."""
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    store = installation_store(settings=_oauth_settings(fake, database_url, old), engine=engine)
    store.save(
        Installation(
            app_id="A0TOWNHALL",
            enterprise_id=None,
            team_id="T0KEYED",
            bot_token=BOT_TOKEN,
            bot_id="B1",
            bot_user_id="U1BOT",
            user_id="U1",
        )
    )
    yield old, new
    with engine.begin() as connection:
        for table in TOKEN_COLUMNS:
            connection.execute(text(f"DELETE FROM {table}"))


def test_readyz_names_a_key_that_opens_no_stored_token(
    fake: FakeSlack, session_factory: Any, database_url: str, stored_under_another_key: Any
) -> None:
    old, new = stored_under_another_key
    wrong = wsgi_app(
        settings=_oauth_settings(fake, database_url, new),
        builder=minimal_build_app,
        session_factory=session_factory,
    )
    with serve_wsgi(wrong) as root:
        reply = get(f"{root}/readyz")
    assert reply.status == 503, reply.text
    check = reply.json()["checks"]["encryption_key"]
    assert "TOWNHALL_ENCRYPTION_KEY" in check
    assert new not in reply.text and old not in reply.text
    rotated = wsgi_app(
        settings=_oauth_settings(fake, database_url, new, old),
        builder=minimal_build_app,
        session_factory=session_factory,
    )
    with serve_wsgi(rotated) as root:
        reply = get(f"{root}/readyz")
    assert reply.status == 200, reply.text
    assert reply.json()["checks"]["encryption_key"] == "ok"


def test_readyz_of_a_single_workspace_does_not_check_keys(
    fake: FakeSlack, session_factory: Any
) -> None:
    settings = Settings(
        slack_signing_secret=SECRET,
        slack_bot_token=fake.workspace.bot_token,
        slack_api_url=fake.url,
    )
    app = wsgi_app(settings=settings, builder=minimal_build_app, session_factory=session_factory)
    with serve_wsgi(app) as root:
        checks = get(f"{root}/readyz").json()["checks"]
    assert checks == {"database": "ok", "redis": "not configured"}


def test_serve_refuses_to_start_with_a_key_that_opens_no_stored_token(
    fake: FakeSlack,
    database_url: str,
    stored_under_another_key: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, new = stored_under_another_key

    def never(self: Any) -> None:
        raise AssertionError("gunicorn started")

    monkeypatch.setattr(server._Gunicorn, "run", never)
    with pytest.raises(StartupError) as refused:
        server.serve(settings=_oauth_settings(fake, database_url, new), host="127.0.0.1", port=1)
    message = str(refused.value)
    assert "TOWNHALL_ENCRYPTION_KEY" in message and "stored OAuth token" in message
    assert new not in message
