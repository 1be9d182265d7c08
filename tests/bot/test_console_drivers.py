"""Business drivers from `townhall chat`: the judgment form asked pair by pair, the hint
naming the judgment to revise and `weigh A B` revising it, the drivers view, the
manage form, the priority list and impact scores in the initiative form."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.console import run_command
from catalog import services
from catalog.domain import Actor
from catalog.uow import UnitOfWork
from tests.bot.test_console_commands import Person

OPERATOR = Actor.operator()
TEAM = "local"
BOB = Actor.user(team_id=TEAM, user_id="U0BOB")
ENGAGE_COLLABORATE = "Customer engagement vs Employee collaboration"
ENGAGE_SECURE = "Customer engagement vs Security and compliance"
ENGAGE_COST = "Customer engagement vs Cost efficiency"
COLLABORATE_SECURE = "Employee collaboration vs Security and compliance"
COLLABORATE_COST = "Employee collaboration vs Cost efficiency"
SECURE_COST = "Security and compliance vs Cost efficiency"


@pytest.fixture
def demo_uow(uow: Callable[[], UnitOfWork]) -> Callable[[], UnitOfWork]:
    with uow() as u:
        services.load_demo(u, actor=OPERATOR, team_id=TEAM)
    with uow() as u:
        services.grant_role(u, actor=OPERATOR, team_id=TEAM, user_id="U0BOB", role="approver")
    return uow


def _run(text: str, person: Person, uow: Callable[[], UnitOfWork], actor: Actor = BOB):
    return run_command(
        text, actor=actor, team_id=TEAM, uow_factory=uow, write=person.write, read=person.read
    )


def _mine(uow: Callable[[], UnitOfWork]) -> dict[tuple[str, str], str]:
    with uow() as u:
        return services.my_judgments(u, actor=BOB, team_id=TEAM)


def test_weigh_pair_by_pair_then_revise_the_pair_the_hint_names(demo_uow) -> None:
    # engage 3 × collaborate and collaborate 3 × cost, yet cost 9 × engage: contradictory
    person = Person(
        {
            ENGAGE_COLLABORATE: ["3"],  # engage moderately more important
            ENGAGE_SECURE: ["10", "1/3"],  # off the scale, asked again: security 3 × engage
            ENGAGE_COST: ["Cost efficiency extremely more important"],  # in words: 1/9
            COLLABORATE_SECURE: ["equal"],
            # a start of the words: two answers start so, then one
            COLLABORATE_COST: [
                "Employee collaboration moderately",
                "employee collaboration moderately more",
            ],
            SECURE_COST: ["3"],
        }
    )
    reply = _run("weigh", person, demo_uow)
    assert not reply.error, person.transcript
    transcript = person.transcript
    # the scale is said once; each pair is one line, never its 17 answers
    assert transcript.count("9 extremely") == 1
    assert "17)" not in transcript and "Equally important" not in transcript
    assert f"{ENGAGE_SECURE} [current: not answered]: " in transcript
    assert "'10' is not on the scale: type 1 to 9 when Customer engagement matters more" in (
        transcript
    )
    assert "'Employee collaboration moderately' could be" in transcript
    assert _mine(demo_uow) == {
        ("engage", "collaborate"): "3",
        ("engage", "secure"): "1/3",
        ("engage", "cost"): "1/9",
        ("collaborate", "secure"): "1",
        ("collaborate", "cost"): "3",
        ("secure", "cost"): "3",
    }
    assert "Your weights" in transcript and "above 0.10" in transcript
    with demo_uow() as u:
        worst = services.drivers_overview(u, team_id=TEAM).weights.people["U0BOB"].worst
    assert worst is not None
    assert f"/roadmap weigh {worst.a} {worst.b} revises it too" in transcript

    revise = Person({"": ["1"]})  # the one pair asked: equally important
    again = _run(f"weigh {worst.a} {worst.b}", revise, demo_uow)
    assert not again.error, revise.transcript
    assert revise.transcript.count(" vs ") == 2  # only that pair: the example, the prompt
    assert _mine(demo_uow)[(worst.a, worst.b)] == "1"
    assert "Answers saved" in again.text

    answers = _mine(demo_uow)
    keep = Person({})  # Enter keeps every answer as it is
    _run("weigh", keep, demo_uow)
    assert f"{SECURE_COST} [current: 3]: " in keep.transcript
    assert "not answered" not in keep.transcript
    assert _mine(demo_uow) == answers


def test_weigh_can_be_abandoned(demo_uow) -> None:
    person = Person({ENGAGE_COLLABORATE: ["5"], ENGAGE_SECURE: ["cancel"]})
    reply = _run("weigh", person, demo_uow)
    assert reply.error and "Form abandoned: nothing was saved." in person.transcript
    assert _mine(demo_uow) == {}


def test_drivers_shows_the_weights_each_cr_and_who_has_not_answered(demo_uow) -> None:
    with demo_uow() as u:
        services.grant_role(u, actor=OPERATOR, team_id=TEAM, user_id="U0LEAD", role="leader")
    person = Person({})
    reply = _run("drivers", person, demo_uow)
    assert not reply.error
    out = person.transcript
    assert "Business drivers (4)" in out and "█" in out
    for name in ("Customer engagement", "Employee collaboration", "Cost efficiency"):
        assert name in out
    assert "@U0CIO: CR" in out and "@U0CMO: CR" in out and "consistent" in out
    assert "Not answered yet:" in out and "@U0LEAD" in out and "@U0BOB" in out


def test_priorities_rank_by_strategic_score_with_each_drivers_part(demo_uow) -> None:
    person = Person({})
    reply = _run("priorities", person, demo_uow)
    assert not reply.error
    with demo_uow() as u:
        view = services.priorities(u, team_id=TEAM)
    lines = person.transcript.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("1. "))
    top = view.rows[0]
    assert lines[first].startswith(f"1. {top.key} ") and f"{top.score:.2f}" in lines[first]
    assert "Customer engagement" in lines[first + 1] or "Security" in lines[first + 1]


def test_an_admin_adds_and_retires_drivers_in_the_form(demo_uow) -> None:
    person = Person(
        {
            "Retire": [],  # Enter: the first driver's Retire is left as it is
            "New driver 1: key": ["Brand!", "brand"],
            "New driver 1: name": ["Brand reputation"],
        }
    )
    reply = _run("drivers edit", person, demo_uow, actor=OPERATOR)
    assert not reply.error, person.transcript
    assert "not a driver key" in person.transcript  # asked again under the message
    assert "Business drivers saved: 5 active" in person.transcript
    with demo_uow() as u:
        assert services.drivers_overview(u, team_id=TEAM).keys[-1] == "brand"
    refused = _run("drivers edit", Person({}), demo_uow)  # bob is no admin
    assert refused.error and "admin" in refused.text


def test_propose_asks_an_impact_score_per_driver(demo_uow) -> None:
    person = Person(
        {
            "Value per live phase": ["20k"],
            "Data classification": ["1"],
            "Customer engagement": ["4"],  # by its value: 4 — high
            "Security and compliance": ["5 — transformative"],  # by its text
        }
    )
    reply = _run("propose Customer advocacy", person, demo_uow)
    assert not reply.error, person.transcript
    assert "Impact on the business drivers" in person.transcript
    with demo_uow() as u:
        [new] = [
            v for v in services.list_initiatives(u, team_id=TEAM) if v.title == "Customer advocacy"
        ]
    assert dict(new.spec.scores) == {"engage": 4, "collaborate": 0, "secure": 5, "cost": 0}
    shown = Person({})
    _run(f"show {new.key}", shown, demo_uow)
    assert "Customer engagement 4 high" in shown.transcript
    assert "Security and compliance 5 transformative" in shown.transcript
