"""The message shortcut and the initiative and roadmap buttons end to end: signed requests
into the real app on loopback, what it sends landing in the fake Slack."""

from __future__ import annotations

import json

from slack_sdk import WebClient

from bot.blocks import ids
from bot.listeners.shortcuts import propose_from_message
from catalog import services
from catalog.domain import Actor
from catalog.usecases.commands import Propose
from catalog.views import InitiativeView
from tests.bot.blocks_support import submitted, typed
from tests.bot.conftest import OPERATOR, Served
from tests.bot.fakeslack import RESPONSE_URL, iter_blocks_text

IB = ids.INITIATIVE_BLOCKS
CAROL = Actor.user(team_id="T0ACME", user_id="U0CAROL")


def _texts(blocks: list[dict]) -> str:
    return "\n".join(iter_blocks_text(blocks))


def _input(view: dict, block_id: str) -> dict:
    [block] = [b for b in view["blocks"] if b.get("block_id") == block_id]
    return block["element"]


def _carols_proposal(served: Served, title: str = "Employee podcast") -> str:
    with served.uow() as uow:
        view = services.propose(
            uow, actor=CAROL, team_id="T0ACME", fields={"title": title, "duration": 1, "value": 9}
        )
    return view.key


def _current(served: Served, key: str) -> InitiativeView:
    with served.uow() as uow:
        return services.get_initiative(uow, team_id="T0ACME", key=key)


def _opened_modal(served: Served, count: int = 1) -> dict:
    opened = served.fake.wait_for("views.open", count=count)[count - 1]
    return served.fake.view(opened.response["view"]["id"])


# --------------------------------------------------------------------------- shortcut


def test_a_message_proposes_its_first_line_as_title_and_the_rest_as_summary() -> None:
    text = "\n  Podcast &amp; vlog &lt;weekly&gt;\nWhy: reach\nmore people\n"
    assert propose_from_message(text) == Propose(
        title="Podcast & vlog <weekly>", summary="Why: reach\nmore people"
    )
    assert propose_from_message("Just a title") == Propose(title="Just a title")
    assert propose_from_message("  \n ") == Propose()


def test_the_message_shortcut_proposes_the_message_as_an_initiative(demo: Served) -> None:
    carol = demo.slack.as_user("U0CAROL")
    shortcut = carol.message_action(
        callback_id=ids.PROPOSE_FROM_MESSAGE,
        message_text="Internal podcast &amp; vlog\nA weekly show about our teams.\nCheap to run.",
        message_user="U0DAVE",
    )
    reply = shortcut.send(demo.events_url)
    assert (reply.status, reply.body) == (200, b"")
    modal = _opened_modal(demo)
    assert modal["callback_id"] == ids.INITIATIVE_MODAL and modal["private_metadata"] == ""
    assert _input(modal, IB["title"])["initial_value"] == "Internal podcast & vlog"
    summary = _input(modal, IB["summary"])["initial_value"]
    assert summary == "A weekly show about our teams.\nCheap to run."

    values = submitted(modal, **{IB["value"]: typed("20k")})
    answer = carol.view_submission(view=modal, values=values).send(demo.events_url)
    assert (answer.status, answer.body) == (200, b"")
    with demo.uow() as uow:
        views = services.list_initiatives(uow, team_id="T0ACME")
    [mine] = [v for v in views if v.proposer == "U0CAROL"]
    assert (mine.title, mine.proposer, mine.status) == (
        "Internal podcast & vlog",
        "U0CAROL",
        "proposed",
    )
    assert mine.spec.summary == "A weekly show about our teams.\nCheap to run."
    [dm] = demo.fake.wait_for("chat.postMessage")  # the approver is asked to decide
    assert dm.body["channel"] == demo.fake.dm_channel("U0BOB")


# --------------------------------------------------------------------------- edit


def test_edit_opens_the_current_values_and_saves_the_change(demo: Served) -> None:
    key = _carols_proposal(demo)
    before = _current(demo, key)
    carol = demo.slack.as_user("U0CAROL")
    click = carol.block_actions(
        action_id=ids.EDIT_INITIATIVE,
        value=ids.initiative_value(key, before.version),
        message={"ts": "1700000000.000100"},
    )
    assert click.send(demo.events_url).status == 200
    modal = _opened_modal(demo)
    assert modal["private_metadata"] == ids.initiative_value(key, before.version)
    assert _input(modal, IB["title"])["initial_value"] == "Employee podcast"
    assert IB["key"] not in {b.get("block_id") for b in modal["blocks"]}

    values = submitted(modal, **{IB["title"]: typed("Employee podcast, season 2")})
    answer = carol.view_submission(view=modal, values=values).send(demo.events_url)
    assert (answer.status, answer.body) == (200, b"")
    after = _current(demo, key)
    assert after.title == "Employee podcast, season 2" and after.version > before.version


def test_an_edit_of_a_version_changed_meanwhile_is_refused_inline(demo: Served) -> None:
    key = _carols_proposal(demo)
    before = _current(demo, key)
    carol = demo.slack.as_user("U0CAROL")
    carol.block_actions(
        action_id=ids.EDIT_INITIATIVE,
        value=ids.initiative_value(key, before.version),
        message={"ts": "1700000000.000100"},
    ).send(demo.events_url)
    modal = _opened_modal(demo)
    bob = Actor.user(team_id="T0ACME", user_id="U0BOB")
    with demo.uow() as uow:  # bob edits while carol's modal is open
        services.edit(
            uow,
            actor=bob,
            team_id="T0ACME",
            key=key,
            version=before.version,
            changes={"title": "Podcast (bob)"},
        )
    values = submitted(modal, **{IB["title"]: typed("Podcast (carol)")})
    answer = carol.view_submission(view=modal, values=values).send(demo.events_url).json()
    assert answer["response_action"] == "errors"
    message = answer["errors"][IB["title"]]
    assert "after you opened it" in message and "U0BOB" in message
    assert _current(demo, key).title == "Podcast (bob)"


# --------------------------------------------------------------------------- withdraw, details


def test_the_proposer_withdraws_and_others_are_refused(demo: Served) -> None:
    key = _carols_proposal(demo)
    value = ids.initiative_value(key, _current(demo, key).version)
    demo.slack.block_actions(
        action_id=ids.WITHDRAW, value=value, message={"ts": "1700000000.000200"}
    ).send(demo.events_url)
    [refused] = demo.fake.wait_for(RESPONSE_URL)
    assert refused.body["response_type"] == "ephemeral"
    assert "may not withdraw" in _texts(refused.body["blocks"]).lower()
    assert _current(demo, key).status == "proposed"

    demo.slack.as_user("U0CAROL").block_actions(
        action_id=ids.WITHDRAW, value=value, message={"ts": "1700000000.000300"}
    ).send(demo.events_url)
    done = demo.fake.wait_for(RESPONSE_URL, count=2)[1]
    assert done.body["replace_original"] is True
    assert "withdrawn" in _texts(done.body["blocks"]).lower()
    assert _current(demo, key).status == "withdrawn"


def test_details_shows_the_initiative_privately(demo: Served) -> None:
    demo.slack.block_actions(
        action_id=ids.SHOW_INITIATIVE, value="SSO", message={"ts": "1700000000.000400"}
    ).send(demo.events_url)
    [shown] = demo.fake.wait_for(RESPONSE_URL)
    assert shown.body["response_type"] == "ephemeral"
    assert "Single sign-on" in _texts(shown.body["blocks"])


# --------------------------------------------------------------------------- explain


def test_explain_from_a_roadmap_message_answers_in_the_background(demo: Served) -> None:
    from planner import build_problem
    from planner.config import SolverConfig
    from planner.solve import solve

    with demo.uow() as uow:
        portfolio = services.workspace_portfolio(uow, team_id="T0ACME")
    roadmap = solve(build_problem(portfolio), SolverConfig(time_limit=10))
    with demo.uow() as uow:
        saved = services.save_roadmap(
            uow, actor=OPERATOR, team_id="T0ACME", roadmap=roadmap, portfolio=portfolio
        )
    key = roadmap.scheduled[0].key
    choice = {
        "text": {"type": "plain_text", "text": key},
        "value": ids.roadmap_value(saved.id, key),
    }
    click = demo.slack.block_actions(
        action_id=ids.EXPLAIN_INITIATIVE,
        action={"type": "static_select", "selected_option": choice},
        message={"ts": "1700000000.000500"},
    )
    assert click.send(demo.events_url).status == 200
    placeholder, explained = demo.fake.wait_for(RESPONSE_URL, count=2, timeout=30)
    assert f"Explaining {key}" in _texts(placeholder.body["blocks"])
    assert explained.body["response_type"] == "ephemeral"
    text = _texts(explained.body["blocks"])
    assert key in text and "Something went wrong" not in text


def test_explain_reads_the_roadmap_of_the_message_not_the_latest(demo: Served) -> None:
    from planner import build_problem
    from planner.config import SolverConfig
    from planner.scenario import apply
    from planner.solve import solve

    with demo.uow() as uow:
        portfolio = services.workspace_portfolio(uow, team_id="T0ACME")
    without = apply(build_problem(portfolio), "without TWITTER")
    older = solve(without, SolverConfig(time_limit=10))
    with demo.uow() as uow:
        first = services.save_roadmap(
            uow, actor=OPERATOR, team_id="T0ACME", roadmap=older, portfolio=without.portfolio
        )
    latest = solve(build_problem(portfolio), SolverConfig(time_limit=10))
    assert latest.scheduled_item("TWITTER") is not None
    with demo.uow() as uow:
        services.save_roadmap(
            uow, actor=OPERATOR, team_id="T0ACME", roadmap=latest, portfolio=portfolio
        )
    choice = {
        "text": {"type": "plain_text", "text": "TWITTER"},
        "value": ids.roadmap_value(first.id, "TWITTER"),
    }
    demo.slack.block_actions(
        action_id=ids.EXPLAIN_INITIATIVE,
        action={"type": "static_select", "selected_option": choice},
        message={"ts": "1700000000.000600"},
    ).send(demo.events_url)
    _, explained = demo.fake.wait_for(RESPONSE_URL, count=2, timeout=30)
    assert "TWITTER is not scheduled" in _texts(explained.body["blocks"])


# --------------------------------------------------------------------------- security review


def _grant(served: Served, user: str, role: str) -> None:
    with served.uow() as uow:
        services.grant_role(uow, actor=OPERATOR, team_id="T0ACME", user_id=user, role=role)


def test_a_passed_review_is_recorded_by_the_security_officer(demo: Served) -> None:
    _grant(demo, "U0SEC", "security")
    view = _current(demo, "FACEBOOK")
    demo.slack.as_user("U0SEC").block_actions(
        action_id=ids.REVIEW_PASSED,
        value=ids.initiative_value(view.key, view.version),
        message={"ts": "1700000000.000600"},
    ).send(demo.events_url)
    [answer] = demo.fake.wait_for(RESPONSE_URL)
    assert answer.body["replace_original"] is True
    assert "Cleared by security review" in _texts(answer.body["blocks"])
    assert _current(demo, "FACEBOOK").spec.review == "passed"


def test_a_failed_review_asks_for_the_reason_and_updates_the_request(demo: Served) -> None:
    _grant(demo, "U0SEC", "security")
    view = _current(demo, "FACEBOOK")
    client = WebClient(base_url=demo.fake.url, token=demo.fake.workspace.bot_token)
    request = client.chat_postMessage(channel="C0GENERAL", text="Review FACEBOOK")
    sec = demo.slack.as_user("U0SEC")
    sec.block_actions(
        action_id=ids.REVIEW_FAILED,
        value=ids.initiative_value(view.key, view.version),
        message={"ts": request["ts"]},
    ).send(demo.events_url)
    modal = _opened_modal(demo)
    assert modal["callback_id"] == ids.REVIEW_MODAL
    assert json.loads(modal["private_metadata"])["outcome"] == "failed"
    empty = sec.view_submission(view=modal, values=submitted(modal)).send(demo.events_url)
    assert ids.REASON_BLOCK in empty.json()["errors"]
    assert _current(demo, "FACEBOOK").spec.review is None

    note = submitted(modal, **{ids.REASON_BLOCK: typed("Stores customer data in the US")})
    reply = sec.view_submission(view=modal, values=note).send(demo.events_url)
    assert (reply.status, reply.body) == (200, b"")
    after = _current(demo, "FACEBOOK")
    assert (after.spec.review, after.spec.review_note) == (
        "failed",
        "Stores customer data in the US",
    )
    demo.fake.wait_for("chat.update")  # the request is updated after the modal is acknowledged
    [message] = demo.fake.messages_to("C0GENERAL")
    assert message.edits == 1 and "Refused by security review" in _texts(message.blocks)


def test_a_member_may_not_record_a_review_and_gets_no_modal(demo: Served) -> None:
    view = _current(demo, "FACEBOOK")
    demo.slack.block_actions(
        action_id=ids.REVIEW_CONDITIONS,
        value=ids.initiative_value(view.key, view.version),
        message={"ts": "1700000000.000700"},
    ).send(demo.events_url)
    [refused] = demo.fake.wait_for(RESPONSE_URL)
    assert "security or admin" in _texts(refused.body["blocks"])
    assert demo.fake.calls("views.open") == []
    assert _current(demo, "FACEBOOK").spec.review is None


def test_a_review_clicked_on_the_home_tab_is_answered_by_dm(demo: Served) -> None:
    _grant(demo, "U0SEC", "security")
    view = _current(demo, "FACEBOOK")
    home = {"id": "V0HOME", "type": "home"}
    demo.slack.as_user("U0SEC").block_actions(
        action_id=ids.REVIEW_PASSED, value=ids.initiative_value(view.key, view.version), view=home
    ).send(demo.events_url)
    [dm] = demo.fake.wait_for("chat.postMessage")
    assert dm.body["channel"] == demo.fake.dm_channel("U0SEC")
    assert _current(demo, "FACEBOOK").spec.review == "passed"
