"""Buttons, modals and the Home tab end to end, through the real app on loopback."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.blocks import ids
from catalog import services
from catalog.domain import Actor
from tests.bot.blocks_support import submitted, typed
from tests.bot.conftest import OPERATOR, Served
from tests.bot.fakeslack import RESPONSE_URL, iter_blocks_text

IB = ids.INITIATIVE_BLOCKS


def _texts(blocks: list[dict]) -> str:
    return "\n".join(iter_blocks_text(blocks))


def _propose_modal(served: Served, user: str = "U0CAROL") -> dict:
    served.slack.as_user(user).command("propose").send(served.events_url)
    [opened] = served.fake.wait_for("views.open")
    return served.fake.view(opened.response["view"]["id"])


def test_a_proposal_with_bad_fields_is_answered_inline_and_saves_nothing(demo: Served) -> None:
    view = _propose_modal(demo)
    carol = demo.slack.as_user("U0CAROL")
    bad = submitted(view, **{IB["title"]: typed("Podcast"), IB["value"]: typed("lots")})
    reply = carol.view_submission(view=view, values=bad).send(demo.events_url)
    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "errors" and IB["value"] in answer["errors"]
    with demo.uow() as uow:
        titles = [v.title for v in services.list_initiatives(uow, team_id="T0ACME")]
    assert "Podcast" not in titles


def test_a_proposal_is_saved_and_the_approver_gets_a_dm_that_decides_it(demo: Served) -> None:
    view = _propose_modal(demo)
    carol = demo.slack.as_user("U0CAROL")
    good = submitted(view, **{IB["title"]: typed("Employee podcast"), IB["value"]: typed("40k")})
    reply = carol.view_submission(view=view, values=good).send(demo.events_url)
    assert (reply.status, reply.body) == (200, b"")
    [dm] = demo.fake.wait_for("chat.postMessage")
    assert dm.body["channel"] == demo.fake.dm_channel("U0BOB")
    with demo.uow() as uow:
        [mine] = [
            v for v in services.list_initiatives(uow, team_id="T0ACME") if v.proposer == "U0CAROL"
        ]
    assert mine.title == "Employee podcast" and mine.status == "proposed"

    # bob clicks Approve in that DM: the DM is replaced by the decision, carol is told
    bob = demo.slack.as_user("U0BOB").in_channel(dm.response["channel"])
    click = bob.block_actions(
        action_id=ids.APPROVE,
        value=ids.initiative_value(mine.key, mine.version),
        message={"ts": dm.response["ts"]},
    )
    assert click.send(demo.events_url).status == 200
    demo.fake.wait_for(RESPONSE_URL)
    [notice] = demo.fake.wait_for(
        "chat.postMessage", where=lambda c: c.body["channel"] != dm.body["channel"]
    )
    assert notice.body["channel"] == demo.fake.dm_channel("U0CAROL")
    [decided] = demo.fake.messages_to(dm.response["channel"])
    assert decided.edits == 1 and "Approved" in _texts(decided.blocks)
    with demo.uow() as uow:
        assert services.get_initiative(uow, team_id="T0ACME", key=mine.key).status == "approved"


def test_reject_asks_for_a_reason_then_decides(demo: Served) -> None:
    with demo.uow() as uow:
        view = services.get_initiative(uow, team_id="T0ACME", key="FACEBOOK")
    client = WebClient(base_url=demo.fake.url, token=demo.fake.workspace.bot_token)
    request = client.chat_postMessage(channel="C0GENERAL", text="Decide on FACEBOOK")
    bob = demo.slack.as_user("U0BOB")
    click = bob.block_actions(
        action_id=ids.REJECT,
        value=ids.initiative_value(view.key, view.version),
        message={"ts": request["ts"]},
    )
    assert click.send(demo.events_url).status == 200
    [opened] = demo.fake.wait_for("views.open")
    modal = demo.fake.view(opened.response["view"]["id"])
    empty = bob.view_submission(view=modal, values=submitted(modal))
    assert empty.send(demo.events_url).json()["response_action"] == "errors"
    reason = submitted(modal, **{ids.REASON_BLOCK: typed("Low value for the cost")})
    reply = bob.view_submission(view=modal, values=reason).send(demo.events_url)
    assert (reply.status, reply.body) == (200, b"")
    with demo.uow() as uow:
        after = services.get_initiative(uow, team_id="T0ACME", key="FACEBOOK")
    assert after.status == "rejected"
    demo.fake.wait_for("chat.update")  # the request is updated after the modal is acknowledged
    [message] = demo.fake.messages_to("C0GENERAL")
    assert "Low value for the cost" in _texts(message.blocks) and message.edits == 1


def test_a_member_clicking_approve_is_refused_privately(demo: Served) -> None:
    with demo.uow() as uow:
        view = services.get_initiative(uow, team_id="T0ACME", key="OUTAGE")
    click = demo.slack.block_actions(
        action_id=ids.APPROVE,
        value=ids.initiative_value(view.key, view.version),
        message={"ts": "1700000000.000200"},
    )
    click.send(demo.events_url)
    [answer] = demo.fake.wait_for(RESPONSE_URL)
    assert answer.body["response_type"] == "ephemeral"
    assert "approver or admin" in _texts(answer.body["blocks"])
    with demo.uow() as uow:
        assert services.get_initiative(uow, team_id="T0ACME", key="OUTAGE").status == "proposed"


def test_the_publish_button_publishes_that_roadmap(demo: Served) -> None:
    from planner import build_problem
    from planner.config import SolverConfig
    from planner.solve import solve

    with demo.uow() as uow:
        portfolio = services.workspace_portfolio(uow, team_id="T0ACME")
    roadmap = solve(build_problem(portfolio), SolverConfig(time_limit=10))
    with demo.uow() as uow:
        saved = services.save_roadmap(uow, actor=OPERATOR, team_id="T0ACME", roadmap=roadmap)
    member = demo.slack.block_actions(
        action_id=ids.PUBLISH_ROADMAP, value=ids.roadmap_value(saved.id), message={"ts": "1.2"}
    )
    member.send(demo.events_url)
    [refused] = demo.fake.wait_for(RESPONSE_URL)
    assert "approver or admin" in _texts(refused.body["blocks"])
    bob = demo.slack.as_user("U0BOB").block_actions(
        action_id=ids.PUBLISH_ROADMAP, value=ids.roadmap_value(saved.id), message={"ts": "1.3"}
    )
    bob.send(demo.events_url)
    published = demo.fake.wait_for(RESPONSE_URL, count=2)[1]
    assert published.body["response_type"] == "in_channel"
    with demo.uow() as uow:
        baseline = services.published_roadmap(uow, team_id="T0ACME")
    assert baseline is not None and baseline.id == saved.id


def test_the_home_tab_shows_the_approvers_pending_decisions(demo: Served) -> None:
    demo.slack.as_user("U0BOB").app_home_opened().send(demo.events_url)
    demo.fake.wait_for("views.publish")
    home = demo.fake.home_view("U0BOB")
    assert home is not None
    text = _texts(home["blocks"])
    assert "FACEBOOK" in text and "OUTAGE" in text
    carol = Actor.user(team_id="T0ACME", user_id="U0CAROL")
    with demo.uow() as uow:
        services.propose(
            uow, actor=carol, team_id="T0ACME", fields={"title": "Wiki", "duration": 1, "value": 9}
        )
    demo.slack.as_user("U0CAROL").app_home_opened().send(demo.events_url)
    demo.fake.wait_for("views.publish", count=2)
    own = _texts(demo.fake.home_view("U0CAROL")["blocks"])
    assert "Wiki" in own and "FACEBOOK" not in own
