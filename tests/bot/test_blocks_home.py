"""The App Home tab."""

from __future__ import annotations

import dataclasses

from bot.blocks import ids
from bot.blocks.home import MAX_WITH_BUTTONS, home_view
from planner.money import format_money
from tests.bot.blocks_support import (
    all_text,
    big_portfolio,
    big_roadmap,
    check_escaped,
    check_view,
    demo_portfolio,
    demo_roadmap,
    nasty_spec,
    roadmap_view_of,
    view_of,
    walk,
)


def _buttons(view, action_id):
    return [n for n in walk(view) if n.get("type") == "button" and n["action_id"] == action_id]


def test_home_with_everything():
    proposals = [
        view_of(dataclasses.replace(s, status="proposed")) for s in demo_portfolio().initiatives[:3]
    ]
    reviews = [view_of(nasty_spec())]
    view = home_view(
        user_id="U0CIO",
        pending_decisions=proposals,
        pending_reviews=reviews,
        published=roadmap_view_of(demo_roadmap()),
        own_proposals=proposals[:2],
    )
    check_view(view)
    check_escaped(view)
    assert view["type"] == "home"
    text = all_text(view)
    assert "<@U0CIO>" in text
    assert "Waiting for your decision (3)" in text
    assert "Security reviews waiting for you (1)" in text
    assert "Your proposals (2)" in text
    approve = _buttons(view, ids.APPROVE)
    assert [ids.read_initiative_value(b["value"]) for b in approve] == [
        (p.key, 3) for p in proposals
    ]
    assert len(_buttons(view, ids.REVIEW_FAILED)) == 1
    assert _buttons(view, ids.PROPOSE) and _buttons(view, ids.OPEN_SETTINGS)
    for phase in demo_roadmap().phases:
        assert f"*{phase.label}*" in text
        assert f"{format_money(phase.spend)} of {format_money(phase.budget)}" in text


def test_home_for_a_newcomer():
    view = home_view(
        user_id="U0NEW", pending_decisions=[], pending_reviews=[], published=None, own_proposals=[]
    )
    check_view(view)
    text = all_text(view)
    assert "No roadmap is published yet" in text
    assert "not proposed anything yet" in text
    assert "Waiting for your decision" not in text


def test_home_stays_within_a_hundred_blocks():
    many = [view_of(s) for s in big_portfolio().initiatives]
    view = home_view(
        user_id="U0CIO",
        pending_decisions=many,
        pending_reviews=many,
        published=roadmap_view_of(big_roadmap()),
        own_proposals=many,
    )
    check_view(view)
    assert len(_buttons(view, ids.APPROVE)) == MAX_WITH_BUTTONS
    text = all_text(view)
    assert f"+{200 - MAX_WITH_BUTTONS} more" in text
    for phase in big_roadmap().phases:
        assert f"*{phase.label}*" in text
