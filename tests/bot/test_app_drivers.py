"""Business drivers end to end through signed Slack requests into the real app on
loopback: the judgment form, its revision from the inconsistency hint, the drivers view,
the manage form, the priority list and a strategic plan; ten drivers (45 pairs) within
Block Kit's limits."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from bot.blocks import ids
from bot.blocks.drivers_modal import driver_block, new_block
from catalog import services
from catalog.domain import Actor
from planner.drivers import pairs
from tests.bot.blockkit_limits import view_problems
from tests.bot.blocks_support import chosen, submitted, typed
from tests.bot.conftest import OPERATOR, Served
from tests.bot.fakeslack import RESPONSE_URL, iter_blocks_text

TEAM = "T0ACME"
BOB = "U0BOB"  # the demo fixture's approver: he may weigh
#: Bob's answers, in the demo drivers' order: engage 3 × secure, secure 3 × cost, yet
#: cost 9 × engage — that judgment contradicts the others (9, as they imply, is
#: consistent).
INCONSISTENT = {
    ("engage", "collaborate"): "3",
    ("engage", "secure"): "3",
    ("engage", "cost"): "1/9",
    ("collaborate", "secure"): "1",
    ("collaborate", "cost"): "3",
    ("secure", "cost"): "3",
}


def _texts(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(iter_blocks_text(blocks))


def _opened(served: Served, count: int = 1) -> dict[str, Any]:
    """The view the last `views.open` opened (as the fake stores it, with its id)."""
    calls = served.fake.wait_for("views.open", count=count)
    return served.fake.view(calls[count - 1].response["view"]["id"])


def _answers(view: dict[str, Any], answers: dict[tuple[str, str], str]) -> dict[str, Any]:
    return submitted(view, **{ids.pair_block(a, b): chosen(r) for (a, b), r in answers.items()})


def _buttons(blocks: list[dict[str, Any]], action_id: str) -> list[dict[str, Any]]:
    return [
        e
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    ]


def _judgments(served: Served, user: str) -> dict[tuple[str, str], str]:
    with served.uow() as uow:
        return services.my_judgments(
            uow, actor=Actor.user(team_id=TEAM, user_id=user), team_id=TEAM
        )


def test_weigh_then_revise_the_judgment_the_hint_names(demo: Served) -> None:
    bob = demo.slack.as_user(BOB)
    assert bob.command("weigh").send(demo.events_url).status == 200
    form = _opened(demo)
    assert form["callback_id"] == ids.WEIGH_MODAL and view_problems(form) == []
    questions = [b for b in form["blocks"] if b["type"] == "input"]
    assert [ids.read_pair_block(b["block_id"]) for b in questions] == list(INCONSISTENT)
    assert all("initial_option" not in b["element"] for b in questions)

    reply = bob.view_submission(view=form, values=_answers(form, INCONSISTENT))
    answer = reply.send(demo.events_url).json()
    assert answer["response_action"] == "update"
    shown = answer["view"]
    assert view_problems(shown) == []
    text = _texts(shown["blocks"])
    assert "Your weights" in text and "above 0.10" in text
    assert _judgments(demo, BOB) == INCONSISTENT
    with demo.uow() as uow:
        mine = services.drivers_overview(uow, team_id=TEAM).weights.people[BOB]
    assert mine.worst is not None and mine.cr is not None and mine.cr > 0.10
    worst = (mine.worst.a, mine.worst.b)
    assert "Customer engagement" in text and "Cost efficiency" in text
    [revise] = _buttons(shown["blocks"], ids.REVISE_JUDGMENT)
    assert revise["value"] == ids.pair_value(*worst)

    # Revise, clicked in the modal showing the outcome: the form for that pair replaces it
    in_modal = {**form, "blocks": shown["blocks"]}
    click = bob.block_actions(action_id=ids.REVISE_JUDGMENT, value=revise["value"], view=in_modal)
    assert click.send(demo.events_url).status == 200
    [update] = demo.fake.wait_for("views.update")
    assert update.body["view_id"] == form["id"]
    again = demo.fake.view(form["id"])
    [question] = [b for b in again["blocks"] if b["type"] == "input"]
    assert question["block_id"] == ids.pair_block(*worst)
    assert question["element"]["initial_option"]["value"] == INCONSISTENT[worst]

    assert worst == ("engage", "cost")
    consistent = {**INCONSISTENT, worst: "9"}
    values = _answers(again, {worst: "9"})
    revised = bob.view_submission(view=again, values=values).send(demo.events_url).json()
    assert revised["response_action"] == "update"
    assert _judgments(demo, BOB) == consistent
    with demo.uow() as uow:
        after = services.drivers_overview(uow, team_id=TEAM).weights.people[BOB]
        trail = services.audit_trail(uow, actor=OPERATOR, team_id=TEAM, limit=50)
    assert after.consistent and after.worst is None
    assert [e.action for e in trail].count("weigh") == 2
    assert f"CR {after.cr:.2f}, consistent" in _texts(revised["view"]["blocks"])
    assert not _buttons(revised["view"]["blocks"], ids.REVISE_JUDGMENT)


def test_ten_drivers_ask_45_pairs_within_block_kits_limits(demo: Served) -> None:
    extra = [
        {
            "key": f"goal{i}",
            "name": f"Strategic goal number {i} " + "x" * 70,
            "description": "y" * 500,
        }
        for i in range(6)
    ]
    with demo.uow() as uow:
        services.save_drivers(uow, actor=OPERATOR, team_id=TEAM, changes=extra)
    bob = demo.slack.as_user(BOB)
    bob.command("weigh").send(demo.events_url)
    form = _opened(demo)  # the fake refuses a view over Slack's limits (invalid_arguments)
    assert view_problems(form) == [] and len(form["blocks"]) <= 100
    questions = [b for b in form["blocks"] if b["type"] == "input"]
    assert len(questions) == 45
    with demo.uow() as uow:
        keys = services.drivers_overview(uow, team_id=TEAM).keys
    everything = {pair: "1" for pair in pairs(keys)}  # all equal: perfectly consistent
    answer = bob.view_submission(view=form, values=_answers(form, everything))
    shown = answer.send(demo.events_url).json()["view"]
    assert view_problems(shown) == []
    assert "CR 0.00, consistent" in _texts(shown["blocks"])
    assert len(_judgments(demo, BOB)) == 45


def test_the_drivers_view_shows_weights_crs_who_has_not_answered_and_a_revise_button(
    demo: Served,
) -> None:
    bob = Actor.user(team_id=TEAM, user_id=BOB)
    with demo.uow() as uow:
        services.grant_role(uow, actor=OPERATOR, team_id=TEAM, user_id="U0LEAD", role="leader")
    with demo.uow() as uow:
        answers = {pair: Fraction(r) for pair, r in INCONSISTENT.items()}
        services.record_judgments(uow, actor=bob, team_id=TEAM, answers=answers)
    demo.slack.as_user(BOB).command("drivers").send(demo.events_url)
    [message] = demo.fake.wait_for(RESPONSE_URL)
    blocks = message.body["blocks"]
    text = _texts(blocks)
    assert message.body["response_type"] == "ephemeral"
    assert "Business drivers (4)" in text and "█" in text
    for name in ("Customer engagement", "Employee collaboration", "Security", "Cost efficiency"):
        assert name in text
    assert "<@U0CIO>: CR" in text and "consistent" in text
    assert "<@U0BOB>: :warning: CR" in text
    assert "Not answered yet: <@U0LEAD>" in text
    [revise] = _buttons(blocks, ids.REVISE_JUDGMENT)
    assert _buttons(blocks, ids.OPEN_WEIGH) and not _buttons(blocks, ids.MANAGE_DRIVERS)

    # Revise, clicked in the message: the form for that one pair opens
    click = demo.slack.as_user(BOB).block_actions(
        action_id=ids.REVISE_JUDGMENT, value=revise["value"], message={"ts": "1700000000.1"}
    )
    click.send(demo.events_url)
    form = _opened(demo)
    [question] = [b for b in form["blocks"] if b["type"] == "input"]
    assert question["block_id"] == ids.pair_block(*ids.read_pair_value(revise["value"]))

    # a member sees the weights, but no button to weigh or to revise
    demo.slack.as_user("U0CAROL").command("drivers").send(demo.events_url)
    member = demo.fake.wait_for(RESPONSE_URL, count=2)[1].body["blocks"]
    assert "Business drivers (4)" in _texts(member)
    assert not [b for b in member if b["type"] == "actions"]


def test_a_member_may_not_weigh(demo: Served) -> None:
    demo.slack.as_user("U0CAROL").command("weigh").send(demo.events_url)
    [refused] = demo.fake.wait_for(RESPONSE_URL)
    assert "leader, approver or admin" in _texts(refused.body["blocks"])
    assert not demo.fake.calls("views.open")


def test_an_admin_manages_the_drivers_from_the_drivers_view(demo: Served) -> None:
    with demo.uow() as uow:
        services.grant_role(uow, actor=OPERATOR, team_id=TEAM, user_id=BOB, role="admin")
    bob = demo.slack.as_user(BOB)
    bob.command("drivers").send(demo.events_url)
    [message] = demo.fake.wait_for(RESPONSE_URL)
    [manage] = _buttons(message.body["blocks"], ids.MANAGE_DRIVERS)
    bob.block_actions(action_id=manage["action_id"], message={"ts": "1700000000.2"}).send(
        demo.events_url
    )
    form = _opened(demo)
    assert form["callback_id"] == ids.DRIVERS_MODAL and view_problems(form) == []
    values = submitted(
        form,
        **{
            driver_block("cost", "name"): typed("Cost efficiency and run cost"),
            driver_block("collaborate", "retire"): {"selected_options": [{"value": "yes"}]},
            new_block(1, "key"): typed("brand"),
            new_block(1, "name"): typed("Brand reputation"),
        },
    )
    bad = submitted(
        form, **{new_block(1, "key"): typed("Brand!"), new_block(1, "name"): typed("B")}
    )
    refused = bob.view_submission(view=form, values=bad).send(demo.events_url).json()
    assert refused["response_action"] == "errors" and new_block(1, "key") in refused["errors"]
    saved = bob.view_submission(view=form, values=values).send(demo.events_url).json()
    assert saved["response_action"] == "update"
    assert "Business drivers saved: 4 active" in _texts(saved["view"]["blocks"])
    with demo.uow() as uow:
        view = services.drivers_overview(uow, team_id=TEAM)
    assert view.keys == ("engage", "secure", "cost", "brand")
    assert [d.key for d in view.retired] == ["collaborate"]
    assert view.drivers[2].name == "Cost efficiency and run cost"


def test_the_priority_list_ranks_by_strategic_score(demo: Served) -> None:
    demo.slack.command("priorities").send(demo.events_url)
    [message] = demo.fake.wait_for(RESPONSE_URL)
    text = _texts(message.body["blocks"])
    with demo.uow() as uow:
        view = services.priorities(uow, team_id=TEAM)
    top, second = view.rows[:2]
    assert f"1. {top.key}" in text.replace("*", "") and f"2. {second.key}" in text.replace("*", "")
    assert f"{top.score:.2f}" in text
    best = max(top.contributions, key=top.contributions.get)
    name = next(d.name for d in view.weights.drivers if d.key == best)
    assert f"{name} {top.contributions[best]:.2f}" in text
    assert "Weights: " in text


def test_a_strategic_plan_is_posted_speaking_of_its_objective(demo: Served) -> None:
    demo.slack.command("plan objective=strategic").send(demo.events_url)
    [placeholder] = demo.fake.wait_for("chat.postMessage")

    def final(call: Any) -> bool:
        return "Optimal" in _texts(call.body.get("blocks") or []) or "Feasible" in _texts(
            call.body.get("blocks") or []
        )

    [update] = demo.fake.wait_for("chat.update", where=final, timeout=60)
    assert update.body["ts"] == placeholder.response["ts"]
    text = _texts(update.body["blocks"])
    assert "strategic score" in text and "Planned for strategic score" in text
    assert "Strategic score contributed" in text
    with demo.uow() as uow:
        saved = services.latest_roadmap(uow, team_id=TEAM)
    assert saved is not None and saved.roadmap.goal.kind == "strategic"


def test_a_strategic_plan_without_drivers_is_refused_before_anything_is_queued(
    served: Served,
) -> None:
    served.slack.command("plan objective=strategic").send(served.events_url)
    [refused] = served.fake.wait_for(RESPONSE_URL)
    assert "has none" in _texts(refused.body["blocks"])
    assert not served.fake.calls("chat.postMessage")
    served.slack.command("plan objective=money-ish").send(served.events_url)
    [bad] = served.fake.wait_for(RESPONSE_URL, count=2)[1:]
    assert "expected value, strategic or blend" in _texts(bad.body["blocks"])
