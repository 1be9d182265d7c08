"""The harness end to end: signed requests reach a real Bolt app served on loopback
through Bolt's WSGI adapter (`slack_bolt.adapter.wsgi.SlackRequestHandler`), and what
the app sends to Slack lands in the fake.

The app here is a minimal stand-in defined in the test, not Townhall's bot.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from tests.bot.fakeslack import RESPONSE_URL, FakeSlack
from tests.bot.loopback import serve_wsgi
from tests.bot.signed import SlackRequests, get, plain_text_input

SECRET = "test-signing-secret"


@dataclass
class Seen:
    """What the minimal app's listeners observed (filled from Bolt's worker threads)."""

    retry_nums: list[str | None] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def minimal_app(fake: FakeSlack, seen: Seen) -> App:
    client = WebClient(base_url=fake.url, token=fake.workspace.bot_token)
    app = App(signing_secret=SECRET, client=client)

    @app.command("/roadmap")
    def roadmap(ack: Any, command: dict[str, Any], say: Any, respond: Any) -> None:
        ack(text=f"Working on `{command['text']}`…")
        say(f"roadmap {command['text']} for <@{command['user_id']}>")
        respond("done, only you see this")

    @app.action("approve")
    def approve(ack: Any, body: dict[str, Any], respond: Any) -> None:
        ack()
        respond(text=f"{body['actions'][0]['value']} approved", replace_original=True)

    @app.shortcut("propose_from_message")
    def propose(ack: Any, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(
            trigger_id=shortcut["trigger_id"],
            view={
                "type": "modal",
                "callback_id": "propose",
                "private_metadata": shortcut["channel"]["id"],
                "title": {"type": "plain_text", "text": "Propose"},
                "submit": {"type": "plain_text", "text": "Propose"},
                "blocks": [
                    {
                        "type": "input",
                        "block_id": "title",
                        "label": {"type": "plain_text", "text": "Title"},
                        "element": {
                            "type": "plain_text_input",
                            "action_id": "value",
                            "initial_value": shortcut["message"]["text"],
                        },
                    }
                ],
            },
        )

    @app.view("propose")
    def submitted(ack: Any, view: dict[str, Any]) -> None:
        title = view["state"]["values"]["title"]["value"]["value"]
        if len(title) < 5:
            ack(response_action="errors", errors={"title": "Give it a longer title"})
        else:
            ack()

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient, request: Any) -> None:
        with seen.lock:
            seen.retry_nums.append(request.headers.get("x-slack-retry-num", [None])[0])
        client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Welcome"}}],
            },
        )

    return app


@dataclass
class Harness:
    fake: FakeSlack
    slack: SlackRequests
    events_url: str
    root: str
    seen: Seen


@pytest.fixture
def harness() -> Iterator[Harness]:
    with FakeSlack() as fake:
        seen = Seen()
        app = minimal_app(fake, seen)
        with serve_wsgi(SlackRequestHandler(app)) as root:
            slack = SlackRequests.for_workspace(
                fake.workspace, signing_secret=SECRET, response_urls=fake.response_url
            )
            yield Harness(fake, slack, f"{root}/slack/events", root, seen)


def test_the_app_checked_its_token_against_the_fake(harness: Harness) -> None:
    assert [c.team_id for c in harness.fake.calls("auth.test")][:1] == ["T0ACME"]


def test_a_signed_command_is_acknowledged_and_posts(harness: Harness) -> None:
    reply = harness.slack.command("plan budget=250k").send(harness.events_url)
    assert reply.status == 200
    assert reply.text == "Working on `plan budget=250k`…"  # Bolt acks bare text as text
    [post] = harness.fake.wait_for("chat.postMessage")
    assert post.body["channel"] == "C0GENERAL"
    assert post.body["text"] == "roadmap plan budget=250k for <@U0ALICE>"
    assert post.team_id == "T0ACME"
    [response] = harness.fake.wait_for(RESPONSE_URL)
    assert response.body["text"] == "done, only you see this"
    texts = {(m.text, m.ephemeral_to) for m in harness.fake.messages_to("C0GENERAL")}
    assert texts == {
        ("roadmap plan budget=250k for <@U0ALICE>", None),
        ("done, only you see this", "U0ALICE"),
    }


@pytest.mark.parametrize("spoil", ["forged", "stale", "unsigned"])
def test_a_badly_signed_command_gets_401_and_posts_nothing(harness: Harness, spoil: str) -> None:
    bad = getattr(harness.slack.command(f"plan {spoil}"), spoil)()
    reply = bad.send(harness.events_url)
    assert reply.status == 401
    # the good command sent afterwards is the only one that ever posts
    good = harness.slack.command("plan good").send(harness.events_url)
    assert good.status == 200
    harness.fake.wait_for(RESPONSE_URL)
    posts = harness.fake.wait_for("chat.postMessage")
    assert [p.body["text"] for p in posts] == ["roadmap plan good for <@U0ALICE>"]
    assert len(harness.fake.responses()) == 1


def test_a_button_click_replaces_the_original_message(harness: Harness) -> None:
    client = WebClient(base_url=harness.fake.url, token=harness.fake.workspace.bot_token)
    original = client.chat_postMessage(channel="C0GENERAL", text="Approve SOC-7?")
    click = harness.slack.block_actions(
        action_id="approve", value="SOC-7", message={"ts": original["ts"], "text": "Approve?"}
    )
    assert click.send(harness.events_url).status == 200
    harness.fake.wait_for(RESPONSE_URL)
    [message] = harness.fake.messages_to("C0GENERAL")
    assert (message.ts, message.text, message.edits) == (original["ts"], "SOC-7 approved", 1)


def test_a_message_shortcut_opens_a_modal_whose_submission_is_validated(
    harness: Harness,
) -> None:
    shortcut = harness.slack.message_action(
        callback_id="propose_from_message", message_text="SaaS community platform"
    )
    assert shortcut.send(harness.events_url).status == 200
    [opened] = harness.fake.wait_for("views.open")
    assert opened.body["trigger_id"] == shortcut.payload["trigger_id"]
    view = harness.fake.view(opened.response["view"]["id"])
    assert view["blocks"][0]["element"]["initial_value"] == "SaaS community platform"

    too_short = harness.slack.view_submission(
        view=view, values={"title": {"value": plain_text_input("SaaS")}}
    )
    reply = too_short.send(harness.events_url)
    assert reply.status == 200
    assert reply.json() == {
        "response_action": "errors",
        "errors": {"title": "Give it a longer title"},
    }
    fine = harness.slack.view_submission(
        view=view, values={"title": {"value": plain_text_input("SaaS community")}}
    )
    reply = fine.send(harness.events_url)
    assert (reply.status, reply.body) == (200, b"")


def test_app_home_opened_publishes_the_home_tab_and_sees_retries(harness: Harness) -> None:
    bob = harness.slack.as_user("U0BOB")
    assert bob.app_home_opened().send(harness.events_url).status == 200
    assert bob.app_home_opened().retried(num=1).send(harness.events_url).status == 200
    harness.fake.wait_for("views.publish", count=2)
    assert harness.fake.home_view("U0BOB")["blocks"][0]["text"]["text"] == "Welcome"
    with harness.seen.lock:
        assert sorted(harness.seen.retry_nums, key=str) == ["1", None]


def test_url_verification_answers_the_challenge(harness: Harness) -> None:
    reply = harness.slack.url_verification(challenge="c-123").send(harness.events_url)
    assert reply.status == 200
    assert json.loads(reply.body) == {"challenge": "c-123"}
    forged = harness.slack.url_verification(challenge="c-123").forged()
    assert forged.send(harness.events_url).status == 401


def test_other_paths_are_not_found(harness: Harness) -> None:
    assert get(f"{harness.root}/elsewhere").status == 404
