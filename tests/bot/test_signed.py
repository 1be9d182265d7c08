"""Signed requests carry what Slack sends and verify with slack_sdk's own verifier."""

from __future__ import annotations

import json
import time

import pytest
from slack_sdk.signature import SignatureVerifier

from tests.bot.fakeslack import FakeSlack, Workspace
from tests.bot.signed import (
    FORM,
    JSON,
    SignedRequest,
    SlackRequests,
    checkboxes,
    datepicker,
    multi_static_select,
    multi_users_select,
    number_input,
    plain_text_input,
    radio_buttons,
    signature,
    static_select,
    users_select,
)

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
VIEW = {"id": "V0001", "callback_id": "propose", "private_metadata": "C0GENERAL", "hash": "1.a"}


@pytest.fixture
def slack() -> SlackRequests:
    return SlackRequests(signing_secret=SECRET)


def verifies(request: SignedRequest) -> bool:
    return SignatureVerifier(SECRET).is_valid_request(request.body, request.headers)


def test_signature_matches_slacks_documented_example() -> None:
    # the worked example of Slack's "Verifying requests from Slack" guide
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
        b"channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
        b"command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2F"
        b"commands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
        b"trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert signature(body, signing_secret=SECRET, timestamp=1531420618) == expected


def test_every_kind_of_request_verifies_with_slack_sdk(slack: SlackRequests) -> None:
    requests = [
        slack.command("plan budget=250k"),
        slack.block_actions(action_id="approve", value="SOC-7", message={"ts": "1.2"}),
        slack.view_submission(view=VIEW, values={}),
        slack.view_closed(view=VIEW),
        slack.message_action(callback_id="propose_from_message", message_text="idea"),
        slack.app_home_opened(),
        slack.url_verification(),
    ]
    assert all(verifies(r) for r in requests)
    assert all(verifies(r.retried(num=2)) for r in requests)


def test_forged_stale_and_unsigned_do_not_verify(slack: SlackRequests) -> None:
    request = slack.command("list")
    forged, stale, unsigned = request.forged(), request.stale(), request.unsigned()
    assert not verifies(forged)
    assert forged.timestamp == request.timestamp and forged.body == request.body
    assert not verifies(stale)
    assert int(time.time()) - stale.timestamp > 5 * 60
    stale_but_correct = SignatureVerifier(SECRET, clock=_Frozen(stale.timestamp))
    assert stale_but_correct.is_valid_request(stale.body, stale.headers)
    assert "X-Slack-Signature" not in unsigned.headers
    assert "X-Slack-Request-Timestamp" not in unsigned.headers
    assert not verifies(unsigned)


class _Frozen:
    def __init__(self, now: int) -> None:
        self._now = now

    def now(self) -> float:
        return float(self._now)


def test_slash_command_is_form_encoded_with_every_field(slack: SlackRequests) -> None:
    request = slack.as_user("U0BOB", user_name="bob").command("show SOC-7")
    assert request.content_type == FORM
    form = request.form
    assert set(form) == {
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    }
    assert (form["command"], form["text"], form["user_id"], form["user_name"]) == (
        "/roadmap",
        "show SOC-7",
        "U0BOB",
        "bob",
    )
    assert form["response_url"].startswith("http://127.0.0.1:")
    assert form["trigger_id"] != slack.command("show SOC-7").form["trigger_id"]


def test_response_urls_come_from_the_fake() -> None:
    with FakeSlack() as fake:
        slack = SlackRequests.for_workspace(
            fake.workspace, signing_secret=SECRET, response_urls=fake.response_url
        )
        url = slack.command("help").form["response_url"]
        assert url.startswith(f"{fake.root}/response/")
        clicked = slack.block_actions(action_id="publish", message={"ts": "1700000001.000001"})
        assert clicked.payload["response_url"].startswith(f"{fake.root}/response/")


def test_workspace_identity_follows_the_fake_workspace() -> None:
    globex = Workspace.make(team_id="T0GLOBEX", name="Globex")
    slack = SlackRequests.for_workspace(globex, signing_secret=SECRET)
    assert slack.command("list").form["team_id"] == "T0GLOBEX"
    event = slack.app_home_opened().payload
    assert event["authorizations"][0]["user_id"] == globex.bot_user_id
    assert event["team_id"] == "T0GLOBEX"


def test_block_actions_in_a_message(slack: SlackRequests) -> None:
    payload = slack.block_actions(
        action_id="approve", value="SOC-7", message={"ts": "1.2", "text": "Approve?"}
    ).payload
    assert payload["type"] == "block_actions"
    assert payload["container"] == {
        "type": "message",
        "message_ts": "1.2",
        "channel_id": "C0GENERAL",
        "is_ephemeral": False,
    }
    [action] = payload["actions"]
    assert (action["action_id"], action["value"], action["type"]) == ("approve", "SOC-7", "button")
    assert payload["message"]["text"] == "Approve?"
    assert payload["user"]["id"] == "U0ALICE" and payload["team"]["id"] == "T0ACME"


def test_block_actions_in_a_view_with_a_select(slack: SlackRequests) -> None:
    payload = slack.block_actions(
        action_id="export",
        view=VIEW,
        action=static_select("xlsx", text="Excel"),
    ).payload
    assert payload["container"] == {"type": "view", "view_id": "V0001"}
    assert payload["actions"][0]["selected_option"]["value"] == "xlsx"
    assert "response_url" not in payload
    with pytest.raises(ValueError):
        slack.block_actions(action_id="orphan")


def test_view_submission_carries_state_values_and_private_metadata(slack: SlackRequests) -> None:
    values = {
        "title": {"value": plain_text_input("Social listening")},
        "capex": {"value": number_input(40000)},
        "cadence": {"value": static_select("agile")},
        "hosting": {"value": radio_buttons("saas")},
        "flags": {"value": checkboxes(["personal_data"])},
        "depends_on": {"value": multi_static_select(["SSO", "DLP"])},
        "earliest": {"value": datepicker("2027-04-01")},
        "owner": {"value": users_select("U0BOB")},
        "watchers": {"value": multi_users_select(["U0CIO"])},
    }
    view = slack.view_submission(view=VIEW, values=values).payload["view"]
    assert view["private_metadata"] == "C0GENERAL"
    state = view["state"]["values"]
    assert state["title"]["value"]["value"] == "Social listening"
    assert state["capex"]["value"]["value"] == "40000"
    assert state["cadence"]["value"]["selected_option"]["value"] == "agile"
    assert [o["value"] for o in state["depends_on"]["value"]["selected_options"]] == ["SSO", "DLP"]
    assert state["earliest"]["value"]["selected_date"] == "2027-04-01"
    assert state["watchers"]["value"]["selected_users"] == ["U0CIO"]
    assert static_select(None)["selected_option"] is None


def test_message_shortcut_and_view_closed(slack: SlackRequests) -> None:
    shortcut = slack.message_action(
        callback_id="propose_from_message", message_text="Let's try a SaaS community"
    ).payload
    assert shortcut["type"] == "message_action"
    assert shortcut["message"]["text"] == "Let's try a SaaS community"
    assert shortcut["channel"]["id"] == "C0GENERAL"
    closed = slack.view_closed(view=VIEW, is_cleared=True).payload
    assert (closed["type"], closed["is_cleared"], closed["view"]["id"]) == (
        "view_closed",
        True,
        "V0001",
    )


def test_events_are_json(slack: SlackRequests) -> None:
    home = slack.app_home_opened()
    assert home.content_type == JSON
    body = json.loads(home.body)
    assert body["type"] == "event_callback"
    assert body["event"]["type"] == "app_home_opened"
    assert body["event"]["user"] == "U0ALICE" and body["event"]["tab"] == "home"
    assert body["event_id"].startswith("Ev")
    handshake = slack.url_verification(challenge="abc").payload
    assert handshake == {
        "token": slack.verification_token,
        "challenge": "abc",
        "type": "url_verification",
    }


def test_retry_headers(slack: SlackRequests) -> None:
    headers = slack.app_home_opened().retried(num=3, reason="http_error").headers
    assert (headers["X-Slack-Retry-Num"], headers["X-Slack-Retry-Reason"]) == ("3", "http_error")


def test_send_refuses_anything_but_loopback(slack: SlackRequests) -> None:
    with pytest.raises(ValueError, match="loopback"):
        slack.command("help").send("https://example.com/slack/events")
