"""The roadmap message's Explain… menu offers every initiative of the roadmap shown.

Slack's static select holds at most 100 options (groups do not raise it): a roadmap with
more initiatives gets an external select whose options the app sends as the user opens
and types in it (`block_suggestion`, `bot/listeners/options.py`), filtered by the text
typed and read from the roadmap the message shows. Picking one explains it against that
roadmap, not the latest.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.blocks import ids
from bot.blocks.roadmap import explain_options, roadmap_blocks
from bot.blocks.text import OPTIONS
from catalog import services
from planner.roadmap import Roadmap
from tests.bot.blockkit_limits import block_problems
from tests.bot.blocks_support import (
    big_portfolio,
    big_roadmap,
    check_message,
    demo_roadmap,
    walk,
)
from tests.bot.conftest import OPERATOR, Served
from tests.bot.fakeslack import RESPONSE_URL, iter_blocks_text

TEAM = "T0ACME"


def _menu(blocks: list[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """The block id and element of the Explain… menu."""
    for block in blocks:
        for element in block.get("elements", ()):
            if element.get("action_id") == ids.EXPLAIN_INITIATIVE:
                return block["block_id"], element
    raise AssertionError("no Explain… menu")


def _keys(roadmap: Roadmap) -> set[str]:
    return {s.key for s in roadmap.scheduled} | {u.key for u in roadmap.unscheduled}


def _offered(answer: dict[str, Any]) -> list[dict[str, Any]]:
    if "option_groups" in answer:
        return [o for group in answer["option_groups"] for o in group["options"]]
    return list(answer["options"])


# --------------------------------------------------------------------------- the menu


def test_up_to_100_initiatives_are_listed_in_the_message() -> None:
    blocks = roadmap_blocks(demo_roadmap(), roadmap_id=7)
    _, menu = _menu(blocks)
    assert menu["type"] == "static_select"
    assert {ids.read_roadmap_value(o["value"]) for o in menu["options"]} == {
        (7, key) for key in _keys(demo_roadmap())
    }


def test_more_than_100_initiatives_load_as_the_user_types() -> None:
    roadmap = big_roadmap()
    assert len(_keys(roadmap)) > OPTIONS and len(roadmap.scheduled) > 0
    blocks = roadmap_blocks(roadmap, roadmap_id=12)
    check_message(blocks)
    block_id, menu = _menu(blocks)
    assert menu["type"] == "external_select"
    assert "options" not in menu and "option_groups" not in menu
    assert menu["min_query_length"] == 0  # the list loads as soon as it is opened
    assert "12" in block_id  # the options listener reads the roadmap shown from it
    assert [n for n in walk(blocks) if n.get("type") == "static_select"]  # Export… stays
    assert block_problems(blocks, max_blocks=50) == []  # the fake Slack takes it


def test_the_options_reach_every_initiative_by_key_or_title() -> None:
    roadmap = big_roadmap()
    first = explain_options(roadmap, roadmap_id=12, typed="")
    assert len(_offered(first)) == OPTIONS
    labels = [g["label"]["text"] for g in first["option_groups"]]
    assert any("type to narrow" in label for label in labels)
    for item in (*roadmap.scheduled, *roadmap.unscheduled):
        for typed in (item.key, item.key.lower(), item.title[:12].upper()):
            offered = _offered(explain_options(roadmap, roadmap_id=12, typed=typed))
            assert 0 < len(offered) <= OPTIONS
            values = [o["value"] for o in offered]
            assert ids.roadmap_value(12, item.key) in values, (item.key, typed)
        [exact, *_] = _offered(explain_options(roadmap, roadmap_id=12, typed=item.key))
        assert exact["value"] == ids.roadmap_value(12, item.key)  # the key itself first
    assert _offered(explain_options(roadmap, roadmap_id=12, typed="no such thing")) == []


def test_options_stay_within_slacks_limits() -> None:
    roadmap = big_roadmap()
    answer = explain_options(roadmap, roadmap_id=12, typed="")
    for group in answer["option_groups"]:
        assert len(group["label"]["text"]) <= 75
        for o in group["options"]:
            assert len(o["text"]["text"]) <= 75 and len(o["value"]) <= 150
            assert len(o.get("description", {}).get("text", "")) <= 75


# --------------------------------------------------------------------------- end to end


@pytest.fixture
def big(served: Served) -> tuple[Served, int]:
    """The workspace holds the 200-initiative portfolio and a roadmap of it (#id)."""
    with served.uow() as uow:
        services.import_portfolio(uow, actor=OPERATOR, team_id=TEAM, portfolio=big_portfolio())
    with served.uow() as uow:
        saved = services.save_roadmap(
            uow, actor=OPERATOR, team_id=TEAM, roadmap=big_roadmap(), portfolio=big_portfolio()
        )
    return served, saved.id


def _suggest(served: Served, block_id: str, typed: str) -> dict[str, Any]:
    started = time.monotonic()
    reply = served.slack.block_suggestion(
        action_id=ids.EXPLAIN_INITIATIVE, block_id=block_id, value=typed
    ).send(served.events_url)
    assert reply.status == 200, reply.body
    assert time.monotonic() - started < 3  # Slack gives up on options after 3 s
    return reply.json()


def test_slack_gets_the_options_of_the_roadmap_shown_as_the_user_types(
    big: tuple[Served, int],
) -> None:
    served, roadmap_id = big
    roadmap = big_roadmap()
    block_id, _ = _menu(roadmap_blocks(roadmap, roadmap_id=roadmap_id))
    opened = _offered(_suggest(served, block_id, ""))
    assert len(opened) == OPTIONS
    last = roadmap.scheduled[-1]
    assert ids.roadmap_value(roadmap_id, last.key) not in [o["value"] for o in opened]
    typed = _offered(_suggest(served, block_id, last.key.lower()))
    assert typed[0]["value"] == ids.roadmap_value(roadmap_id, last.key)
    assert "starts" in typed[0]["description"]["text"]


def test_picking_an_option_past_the_first_100_explains_it(big: tuple[Served, int]) -> None:
    served, roadmap_id = big
    roadmap = big_roadmap()
    block_id, _ = _menu(roadmap_blocks(roadmap, roadmap_id=roadmap_id))
    last = roadmap.scheduled[-1]
    [option, *_] = _offered(_suggest(served, block_id, last.key))
    served.slack.block_actions(
        action_id=ids.EXPLAIN_INITIATIVE,
        block_id=block_id,
        action={"type": "external_select", "selected_option": option},
        message={"ts": "1700000000.000700"},
    ).send(served.events_url)
    _, explained = served.fake.wait_for(RESPONSE_URL, count=2, timeout=60)
    text = "\n".join(iter_blocks_text(explained.body["blocks"]))
    assert last.key in text and "Something went wrong" not in text


@pytest.mark.parametrize(
    "block_id",
    ["roadmap_actions_999999", "roadmap_actions_draft", "roadmap_actions_x1", "", "nonsense"],
)
def test_a_menu_of_no_roadmap_here_gets_no_options_not_an_error(
    big: tuple[Served, int], block_id: str
) -> None:
    served, _ = big
    assert _suggest(served, block_id, "GOV") == {"options": []}


def test_another_workspaces_roadmap_is_not_offered(big: tuple[Served, int]) -> None:
    served, roadmap_id = big
    served.fake.add_workspace(team_id="T0OTHER")
    other = served.requests("T0OTHER")
    block_id, _ = _menu(roadmap_blocks(big_roadmap(), roadmap_id=roadmap_id))
    reply = other.block_suggestion(
        action_id=ids.EXPLAIN_INITIATIVE, block_id=block_id, value=""
    ).send(served.events_url)
    assert reply.status == 200 and json.loads(reply.body) == {"options": []}


def test_an_unsigned_options_request_is_refused(big: tuple[Served, int]) -> None:
    served, roadmap_id = big
    block_id, _ = _menu(roadmap_blocks(big_roadmap(), roadmap_id=roadmap_id))
    request = served.slack.block_suggestion(
        action_id=ids.EXPLAIN_INITIATIVE, block_id=block_id, value=""
    )
    assert request.unsigned().send(served.events_url).status == 401


# --------------------------------------------------------------------------- older messages


def _planned(demo: Served, text: str, number: int) -> tuple[str, list[dict[str, Any]]]:
    """`/roadmap <text>`: the ts and final blocks of the roadmap message it posts."""
    demo.slack.command(text).send(demo.events_url)
    placeholder = demo.fake.wait_for("chat.postMessage", count=number)[number - 1]
    ts = placeholder.response["ts"]

    def final(call: Any) -> bool:
        return call.body.get("ts") == ts and "Publish" in json.dumps(call.body.get("blocks"))

    [update] = demo.fake.wait_for("chat.update", where=final, timeout=30)
    return ts, update.body["blocks"]


def _explain_from(demo: Served, ts: str, blocks: list[dict[str, Any]], key: str, n: int) -> str:
    """Pick `key` in the Explain… menu of message `ts`: the explanation's text."""
    block_id, menu = _menu(blocks)
    [option] = [o for o in menu["options"] if ids.read_roadmap_value(o["value"])[1] == key]
    demo.slack.block_actions(
        action_id=ids.EXPLAIN_INITIATIVE,
        block_id=block_id,
        action={"type": menu["type"], "selected_option": option},
        message={"ts": ts},
    ).send(demo.events_url)
    explained = demo.fake.wait_for(RESPONSE_URL, count=n, timeout=60)[n - 1]
    return "\n".join(iter_blocks_text(explained.body["blocks"]))


def test_explain_from_an_older_roadmap_message_explains_that_roadmap(demo: Served) -> None:
    """After a newer plan, the older message's Explain… still explains the older roadmap."""
    older_ts, older = _planned(demo, "plan budget=200k", 1)
    newer_ts, newer = _planned(demo, "plan", 2)
    with demo.uow() as uow:
        latest = services.latest_roadmap(uow, team_id=TEAM)
    assert latest is not None and latest.roadmap.scheduled_item("SP-SOCIAL") is not None
    # SP-SOCIAL does not fit 200k a quarter; it is scheduled in the newer, latest roadmap
    said = _explain_from(demo, older_ts, older, "SP-SOCIAL", 2)
    assert "SP-SOCIAL is not scheduled" in said
    said = _explain_from(demo, newer_ts, newer, "SP-SOCIAL", 4)
    assert "SP-SOCIAL" in said and "is not scheduled" not in said


# --------------------------------------------------------------------------- fuzzing


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_any_typed_text_gets_at_most_100_valid_options(typed: str) -> None:
    answer = explain_options(big_roadmap(), roadmap_id=12, typed=typed)
    offered = _offered(answer)
    assert len(offered) <= OPTIONS
    for o in offered:
        assert len(o["text"]["text"]) <= 75 and ids.read_roadmap_value(o["value"])[0] == 12


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_any_block_id_names_a_roadmap_or_none(block_id: str) -> None:
    from bot.blocks.roadmap import explain_roadmap_id

    found = explain_roadmap_id(block_id)
    assert found is None or (isinstance(found, int) and found >= 0)
