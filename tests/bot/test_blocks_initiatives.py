"""Initiative cards, lists and the approval workflow's messages."""

from __future__ import annotations

import dataclasses

import pytest

from bot.blocks import ids
from bot.blocks.approvals import (
    approval_request_blocks,
    decision_blocks,
    proposer_notice_blocks,
    review_request_blocks,
)
from bot.blocks.initiatives import initiative_blocks, initiative_list_blocks
from planner.money import format_money
from tests.bot.blocks_support import (
    all_text,
    big_portfolio,
    check_escaped,
    check_message,
    demo_portfolio,
    nasty_spec,
    view_of,
    walk,
)


def _buttons(blocks):
    return [n for n in walk(blocks) if n.get("type") == "button"]


def test_card_shows_every_field():
    view = view_of(demo_portfolio().initiative("SAAS-COMM"))
    blocks = initiative_blocks(view, phase_labels=["2027Q1", "2027Q2", "2027Q3"])
    check_message(blocks)
    text = all_text(blocks)
    spec = view.spec
    assert f"{spec.key} — {spec.title}" in text
    assert f"{format_money(spec.capex)}" in text
    assert f"{format_money(spec.value)}" in text
    assert "saas" in text and "personal data" in text
    for key in spec.depends_on:
        assert key in text
    assert "version 3" in text
    assert _buttons(blocks) == []


def test_card_buttons_carry_key_and_version():
    view = view_of(nasty_spec(), version=5)
    blocks = initiative_blocks(view, actions=("approve", "reject", "request_changes", "edit"))
    check_message(blocks)
    buttons = _buttons(blocks)
    assert [b["action_id"] for b in buttons] == [
        ids.APPROVE,
        ids.REJECT,
        ids.REQUEST_CHANGES,
        ids.EDIT_INITIATIVE,
    ]
    assert {ids.read_initiative_value(b["value"]) for b in buttons} == {("SOC-7", 5)}


def test_card_withdraw_asks_for_confirmation():
    blocks = initiative_blocks(view_of(nasty_spec()), actions=("withdraw",))
    check_message(blocks)
    assert "confirm" in _buttons(blocks)[0]


def test_card_refuses_an_unknown_action():
    with pytest.raises(ValueError, match="unknown initiative action"):
        initiative_blocks(view_of(nasty_spec()), actions=("launch",))


def test_card_escapes_user_text():
    blocks = initiative_blocks(view_of(nasty_spec()), actions=("approve",))
    check_message(blocks)
    check_escaped(blocks)
    assert "Marketing &amp; PR &lt;@U1&gt;" in all_text(blocks)


def test_card_of_an_overlong_initiative_stays_within_limits():
    spec = nasty_spec(
        title="T" * 400,
        summary="S" * 10_000,
        category="C" * 500,
        review="conditions",
        review_note="N" * 5000,
        depends_on=tuple(f"DEP-{i}" for i in range(300)),
    )
    check_message(initiative_blocks(view_of(spec), actions=tuple(ids.INITIATIVE_ACTIONS)))


def test_short_list_has_a_details_button_each():
    views = [view_of(s) for s in demo_portfolio().initiatives]
    blocks = initiative_list_blocks(views, status="approved")
    check_message(blocks)
    details = [b for b in _buttons(blocks) if b["action_id"] == ids.SHOW_INITIATIVE]
    assert [b["value"] for b in details] == [v.key for v in views]
    assert "Initiatives — approved (16)" in all_text(blocks)


def test_long_list_is_packed_and_summarized():
    views = [view_of(s) for s in big_portfolio().initiatives]
    blocks = initiative_list_blocks(views, status=None)
    check_message(blocks)
    text = all_text(blocks)
    assert "(200)" in text
    shown = sum(1 for v in views if f"*{v.key}*" in text)
    assert shown > 20
    if shown < 200:
        assert f"+{200 - shown} more" in text


def test_empty_list():
    blocks = initiative_list_blocks([], status=["proposed", "changes_requested"])
    check_message(blocks)
    assert "No initiatives" in all_text(blocks)
    assert "proposed, changes requested" in all_text(blocks)


def test_list_escapes_titles():
    blocks = initiative_list_blocks([view_of(nasty_spec())], status=None)
    check_message(blocks)
    check_escaped(blocks)


def test_approval_request_has_the_three_decisions():
    view = view_of(nasty_spec(), version=2)
    blocks = approval_request_blocks(view, proposer="U0ALICE")
    check_message(blocks)
    check_escaped(blocks)
    assert "<@U0ALICE> proposes" in all_text(blocks)
    buttons = _buttons(blocks)
    assert [b["action_id"] for b in buttons] == [ids.APPROVE, ids.REJECT, ids.REQUEST_CHANGES]
    assert {ids.read_initiative_value(b["value"]) for b in buttons} == {("SOC-7", 2)}


def test_approval_request_proposer_that_is_not_a_user_id_is_escaped():
    blocks = approval_request_blocks(view_of(nasty_spec()), proposer="<!here>")
    check_message(blocks)
    assert "<!here>" not in all_text(blocks)


@pytest.mark.parametrize(
    ("decision", "word"),
    [
        ("approve", "Approved"),
        ("rejected", "Rejected"),
        ("request_changes", "Sent back for changes"),
        ("failed", "Refused by security review"),
    ],
)
def test_decided_message_has_no_buttons(decision, word):
    blocks = decision_blocks(
        view_of(nasty_spec()), decision=decision, by="U0CIO", reason="Budget <!channel> & time"
    )
    check_message(blocks)
    check_escaped(blocks)
    text = all_text(blocks)
    assert f"*{word}* by <@U0CIO>" in text
    assert "\n>Budget &lt;!channel&gt; &amp; time" in text  # quoted, escaped
    assert _buttons(blocks) == []


def test_unknown_decision_is_refused():
    with pytest.raises(ValueError, match="unknown decision"):
        decision_blocks(view_of(nasty_spec()), decision="maybe", by="U0CIO")


def test_proposer_notice_with_changes_requested_offers_an_edit():
    view = view_of(nasty_spec(status="changes_requested"), version=4)
    blocks = proposer_notice_blocks(
        view, decision="request_changes", by="U0CIO", reason="Line 1\nLine 2 <@U1>"
    )
    check_message(blocks)
    check_escaped(blocks)
    text = all_text(blocks)
    assert ">Line 1\n>Line 2 &lt;@U1&gt;" in text
    (edit,) = _buttons(blocks)
    assert edit["action_id"] == ids.EDIT_INITIATIVE
    assert ids.read_initiative_value(edit["value"]) == ("SOC-7", 4)


def test_proposer_notice_of_approval():
    blocks = proposer_notice_blocks(view_of(nasty_spec()), decision="approve", by="U0CIO")
    check_message(blocks)
    assert "was *approved* by <@U0CIO>" in all_text(blocks)
    assert _buttons(blocks) == []


def test_review_request():
    view = view_of(nasty_spec(), version=6)
    blocks = review_request_blocks(view, requested_by="U0CIO", why="policy: saas & personal data")
    check_message(blocks)
    check_escaped(blocks)
    text = all_text(blocks)
    assert "saas · confidential · personal data" in text
    assert "policy: saas &amp; personal data" in text
    buttons = _buttons(blocks)
    assert [b["action_id"] for b in buttons] == [
        ids.REVIEW_PASSED,
        ids.REVIEW_CONDITIONS,
        ids.REVIEW_FAILED,
    ]
    assert {ids.read_initiative_value(b["value"]) for b in buttons} == {("SOC-7", 6)}


def test_initiative_without_summary_or_owner():
    spec = dataclasses.replace(nasty_spec(), summary="", owner=None, category="")
    blocks = initiative_blocks(view_of(spec))
    check_message(blocks)
    assert "No summary" in all_text(blocks)
    check_message(approval_request_blocks(view_of(spec), proposer=None))
