"""Exports and pictures in Slack end to end: `/roadmap export`, the Export… menu, and the
Gantt picture shared after a plan, all landing in the fake Slack as uploaded files."""

from __future__ import annotations

import json

import pytest

from bot.blocks import ids
from bot.blocks.roadmap import EXPORT_FORMATS
from catalog import services
from planner.exports import FORMATS
from tests.bot.conftest import OPERATOR, Served
from tests.bot.fakeslack import RESPONSE_URL, iter_blocks_text

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
COMPLETED = "files.completeUploadExternal"


def _texts(blocks: list[dict]) -> str:
    return "\n".join(iter_blocks_text(blocks))


def _grant(served: Served, user: str, role: str) -> None:
    with served.uow() as uow:
        services.grant_role(uow, actor=OPERATOR, team_id="T0ACME", user_id=user, role=role)


def _planned(served: Served) -> int:
    """Store a greedy plan of the workspace; its roadmap id."""
    from planner import build_problem
    from planner.config import SolverConfig
    from planner.solve import solve

    with served.uow() as uow:
        portfolio = services.workspace_portfolio(uow, team_id="T0ACME")
    roadmap = solve(build_problem(portfolio), SolverConfig(solver="greedy"))
    with served.uow() as uow:
        saved = services.save_roadmap(
            uow, actor=OPERATOR, team_id="T0ACME", roadmap=roadmap, portfolio=portfolio
        )
    return saved.id


def test_the_export_menu_offers_exactly_the_export_formats() -> None:
    assert [name for name, _ in EXPORT_FORMATS] == list(FORMATS)


@pytest.mark.parametrize("role", ["pmo", "approver", "admin"])
def test_export_csv_shares_the_file_in_the_channel(demo: Served, role: str) -> None:
    _grant(demo, "U0ALICE", role)
    roadmap_id = _planned(demo)
    demo.slack.command("export csv").send(demo.events_url)
    demo.fake.wait_for(COMPLETED, timeout=30)
    [shared] = demo.fake.uploaded_files()
    assert shared.filename == f"roadmap-{roadmap_id}.csv"
    assert shared.channels == ("C0GENERAL",)
    text = shared.data.decode("utf-8-sig")
    assert "SSO" in text and "," in text.splitlines()[0]
    [message] = demo.fake.messages_to("C0GENERAL")
    assert "CSV of the latest roadmap" in _texts(message.blocks)


def test_a_plain_member_may_not_export_and_is_told_who_may(demo: Served) -> None:
    _planned(demo)
    demo.slack.command("export csv").send(demo.events_url)
    [call] = demo.fake.wait_for(RESPONSE_URL)
    assert call.body["response_type"] == "ephemeral"
    text = _texts(call.body["blocks"])
    assert "export a roadmap" in text
    assert all(role in text for role in ("pmo", "approver", "admin"))
    assert demo.fake.uploaded_files() == []
    assert demo.fake.calls("chat.postMessage") == []


def test_exporting_before_any_plan_says_to_plan_first(demo: Served) -> None:
    _grant(demo, "U0ALICE", "pmo")
    demo.slack.command("export json").send(demo.events_url)
    [call] = demo.fake.wait_for(RESPONSE_URL)
    assert call.body["response_type"] == "ephemeral"
    text = _texts(call.body["blocks"])
    assert "no roadmap to export yet" in text and "/roadmap plan" in text
    assert demo.fake.uploaded_files() == []


def test_the_export_menu_exports_that_roadmap(demo: Served) -> None:
    _grant(demo, "U0BOB", "pmo")
    first = _planned(demo)
    _planned(demo)  # a newer one: the menu still exports the message's roadmap
    choice = {
        "text": {"type": "plain_text", "text": "Roadmap JSON"},
        "value": ids.roadmap_value(first, "json"),
    }
    click = demo.slack.as_user("U0BOB").block_actions(
        action_id=ids.EXPORT_ROADMAP,
        action={"type": "static_select", "selected_option": choice},
        message={"ts": "1700000000.000600"},
    )
    assert click.send(demo.events_url).status == 200
    demo.fake.wait_for(COMPLETED, timeout=30)
    [shared] = demo.fake.uploaded_files()
    assert shared.filename == f"roadmap-{first}.json"
    with demo.uow() as uow:
        stored = services.get_roadmap(uow, team_id="T0ACME", roadmap_id=first).roadmap
    assert json.loads(shared.data)["scheduled"] == stored.to_dict()["scheduled"]


def test_the_export_menu_refuses_a_member(demo: Served) -> None:
    roadmap_id = _planned(demo)
    choice = {
        "text": {"type": "plain_text", "text": "CSV"},
        "value": ids.roadmap_value(roadmap_id, "csv"),
    }
    demo.slack.block_actions(
        action_id=ids.EXPORT_ROADMAP,
        action={"type": "static_select", "selected_option": choice},
        message={"ts": "1700000000.000700"},
    ).send(demo.events_url)
    [call] = demo.fake.wait_for(RESPONSE_URL)
    assert "export a roadmap" in _texts(call.body["blocks"])
    assert demo.fake.uploaded_files() == []


def test_plan_shares_a_gantt_picture_of_the_result(demo: Served) -> None:
    demo.slack.command("plan").send(demo.events_url)
    demo.fake.wait_for(COMPLETED, timeout=60)
    [picture] = demo.fake.uploaded_files()
    assert picture.data[:8] == PNG_SIGNATURE
    assert int.from_bytes(picture.data[16:20], "big") >= 1000  # width, from IHDR
    assert picture.channels == ("C0GENERAL",)
    with demo.uow() as uow:
        saved = services.latest_roadmap(uow, team_id="T0ACME")
    assert saved is not None and picture.filename == f"roadmap-{saved.id}-gantt.png"
    [message] = demo.fake.messages_to("C0GENERAL")
    assert "SSO" in _texts(message.blocks)  # the roadmap message itself is intact
