"""The slash command end to end: signed requests into the real app on loopback, with
what it sends landing in the fake Slack."""

from __future__ import annotations

import json

from catalog import services
from catalog.domain import Actor
from tests.bot.conftest import OPERATOR, Served
from tests.bot.fakeslack import RESPONSE_URL, iter_blocks_text


def _texts(blocks: list[dict]) -> str:
    return "\n".join(iter_blocks_text(blocks))


def _only_response(served: Served) -> dict:
    [call] = served.fake.wait_for(RESPONSE_URL)
    return dict(call.body)


def test_help_is_acknowledged_and_answered_privately(served: Served) -> None:
    reply = served.slack.command("help").send(served.events_url)
    assert (reply.status, reply.body) == (200, b"")
    body = _only_response(served)
    assert body["response_type"] == "ephemeral"
    assert "approve" in _texts(body["blocks"])


def test_a_typo_gets_the_nearest_subcommand_privately(served: Served) -> None:
    served.slack.command("aprove SSO").send(served.events_url)
    body = _only_response(served)
    assert body["response_type"] == "ephemeral"
    text = _texts(body["blocks"])
    assert "Did you mean `approve`?" in text
    assert "/roadmap approve KEY" in text


def test_list_and_show_read_the_workspace_catalog(demo: Served) -> None:
    demo.slack.command("list proposed").send(demo.events_url)
    [listed] = demo.fake.wait_for(RESPONSE_URL)
    listing = _texts(listed.body["blocks"])
    assert "FACEBOOK" in listing and "OUTAGE" in listing
    assert "SSO" not in listing.replace("SSO-", "")  # approved ones are not listed
    demo.slack.command("show SSO").send(demo.events_url)
    calls = demo.fake.wait_for(RESPONSE_URL, count=2)
    shown = _texts(calls[1].body["blocks"])
    assert "Single sign-on" in shown


def test_an_approver_approves_and_the_proposer_is_told(demo: Served) -> None:
    # carol proposes through the catalog; bob approves from Slack
    with demo.uow() as uow:
        services.propose(
            uow,
            actor=Actor.user(team_id="T0ACME", user_id="U0CAROL"),
            team_id="T0ACME",
            fields={"title": "Employee podcast", "duration": 1, "value": 1000},
        )
    with demo.uow() as uow:
        [view] = [
            v
            for v in services.list_initiatives(uow, team_id="T0ACME")
            if v.title == "Employee podcast"
        ]
    demo.slack.as_user("U0BOB").command(f"approve {view.key} worth a try").send(demo.events_url)
    [answer] = demo.fake.wait_for(RESPONSE_URL)
    assert "*Approved* by <@U0BOB>" in _texts(answer.body["blocks"])
    [dm] = demo.fake.wait_for("chat.postMessage")
    assert dm.body["channel"] == demo.fake.dm_channel("U0CAROL")
    with demo.uow() as uow:
        assert services.get_initiative(uow, team_id="T0ACME", key=view.key).status == "approved"


def test_a_member_may_not_approve_and_is_told_who_may(demo: Served) -> None:
    demo.slack.command("approve FACEBOOK").send(demo.events_url)
    body = _only_response(demo)
    assert body["response_type"] == "ephemeral"
    text = _texts(body["blocks"])
    assert "approver" in text and "admin" in text
    with demo.uow() as uow:
        assert services.get_initiative(uow, team_id="T0ACME", key="FACEBOOK").status == "proposed"
    assert demo.fake.calls("chat.postMessage") == []


def test_plan_posts_a_placeholder_then_the_roadmap(demo: Served) -> None:
    reply = demo.slack.command("plan").send(demo.events_url)
    assert reply.status == 200
    [placeholder] = demo.fake.wait_for("chat.postMessage")
    assert placeholder.body["channel"] == "C0GENERAL"
    assert "Planning" in _texts(placeholder.body["blocks"])
    ts = placeholder.response["ts"]

    def final(call) -> bool:
        return "SSO" in _texts(call.body.get("blocks") or [])

    [update] = demo.fake.wait_for("chat.update", where=final, timeout=30)
    assert update.body["ts"] == ts
    [message] = demo.fake.messages_to("C0GENERAL")
    assert message.ts == ts and "optimal" in _texts(message.blocks).lower()
    with demo.uow() as uow:
        saved = services.latest_roadmap(uow, team_id="T0ACME")
    assert saved is not None and saved.status == "optimal"
    assert json.dumps(message.blocks).count(str(saved.id)) >= 1  # the Publish button names it


def test_two_workspaces_never_see_each_others_data(demo: Served) -> None:
    demo.fake.add_workspace(team_id="T0OTHER", name="Other")
    other = demo.requests("T0OTHER")
    other.command("list").send(demo.events_url)
    [listed] = demo.fake.wait_for(RESPONSE_URL)
    assert listed.team_id == "T0OTHER"
    assert "SSO" not in _texts(listed.body["blocks"])
    other.command("show SSO").send(demo.events_url)
    calls = demo.fake.wait_for(RESPONSE_URL, count=2)
    assert "No initiative SSO" in _texts(calls[1].body["blocks"])


def test_a_forged_command_gets_401_and_changes_nothing(demo: Served) -> None:
    bob = demo.slack.as_user("U0BOB")
    assert bob.command("approve FACEBOOK").forged().send(demo.events_url).status == 401
    assert bob.command("approve OUTAGE").send(demo.events_url).status == 200
    demo.fake.wait_for(RESPONSE_URL)
    with demo.uow() as uow:
        assert services.get_initiative(uow, team_id="T0ACME", key="FACEBOOK").status == "proposed"
        assert services.get_initiative(uow, team_id="T0ACME", key="OUTAGE").status == "approved"
    assert len(demo.fake.responses()) == 1


def test_mrkdwn_in_a_title_is_escaped_in_what_is_posted(demo: Served) -> None:
    with demo.uow() as uow:
        services.propose(
            uow,
            actor=OPERATOR,
            team_id="T0ACME",
            fields={"key": "PING", "title": "<!channel> look <@U0BOB>", "duration": 1, "value": 5},
        )
    demo.slack.command("list proposed").send(demo.events_url)
    body = _only_response(demo)
    mrkdwn = "\n".join(_mrkdwn_texts(body["blocks"]))  # plain_text never pings
    assert "&lt;!channel&gt; look &lt;@U0BOB&gt;" in mrkdwn
    assert "<!channel>" not in mrkdwn and "<@U0BOB>" not in mrkdwn
    demo.slack.command("show PING").send(demo.events_url)
    shown = demo.fake.wait_for(RESPONSE_URL, count=2)[1].body
    assert "<!channel>" not in shown["text"]  # the notification fallback too
    assert "<!channel>" not in "\n".join(_mrkdwn_texts(shown["blocks"]))


def _mrkdwn_texts(node: object) -> list[str]:
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            return [node["text"]]
        return [t for v in node.values() for t in _mrkdwn_texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in _mrkdwn_texts(v)]
    return []


def test_a_retried_command_has_one_effect(demo: Served) -> None:
    bob = demo.slack.as_user("U0BOB")
    first = bob.command("approve FACEBOOK")
    assert first.send(demo.events_url).status == 200
    assert first.retried(num=1).send(demo.events_url).status == 200
    assert first.retried(num=2).send(demo.events_url).status == 200
    demo.fake.wait_for(RESPONSE_URL)
    bob.command("help").send(demo.events_url)  # a later command is still answered
    responses = demo.fake.wait_for(RESPONSE_URL, count=2)
    assert len(responses) == 2
    with demo.uow() as uow:
        trail = services.audit_trail(uow, actor=OPERATOR, team_id="T0ACME", key="FACEBOOK")
    assert [e.action for e in trail].count("initiative.approve") == 1
