"""Helpers for the Block Kit builder tests: slack-sdk validation, Slack's limits checked
independently, sample views and roadmaps, and a simulated modal submission."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bench.generate import generate_portfolio
from catalog.views import InitiativeView, RoadmapView
from planner.config import SolverConfig
from planner.portfolio import InitiativeSpec, Portfolio, load_portfolio
from planner.problem import build_problem
from planner.roadmap import Roadmap
from planner.solve import solve

DEMO = Path(__file__).resolve().parents[2] / "catalog" / "data" / "demo.yaml"
NOW = dt.datetime(2027, 1, 15, 9, 30)
NASTY = "<!channel> Tom & Jerry <@U1> <https://evil.example|click>"


# --------------------------------------------------------------------------- validation


def check_message(blocks: list[dict[str, Any]], *, max_blocks: int = 50) -> None:
    """Valid for slack-sdk, nothing it does not know, and within Slack's limits."""
    assert 0 < len(blocks) <= max_blocks, len(blocks)
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()
        assert parsed.to_dict() == block
    check_limits(blocks)
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids)), "block ids must be unique"


def check_view(view: dict[str, Any]) -> None:
    parsed = View(**view)
    parsed.validate_json()
    assert parsed.to_dict() == view
    assert len(view["blocks"]) <= 100
    check_limits(view["blocks"])
    block_ids = [b["block_id"] for b in view["blocks"] if "block_id" in b]
    assert len(block_ids) == len(set(block_ids)), "block ids must be unique"


def walk(obj: Any) -> Iterator[dict[str, Any]]:
    if isinstance(obj, dict):
        yield obj
        for value in obj.values():
            yield from walk(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from walk(value)


def check_limits(blocks: list[dict[str, Any]]) -> None:
    """Slack's published limits, checked without slack-sdk."""
    for block in blocks:
        kind = block["type"]
        if kind == "header":
            assert len(block["text"]["text"]) <= 150
        if kind == "section":
            assert "text" in block or "fields" in block
            if "text" in block:
                assert 0 < len(block["text"]["text"]) <= 3000
            assert len(block.get("fields", ())) <= 10
            for field in block.get("fields", ()):
                assert len(field["text"]) <= 2000
        if kind == "context":
            assert len(block["elements"]) <= 10
        if kind == "actions":
            assert len(block["elements"]) <= 25
        assert len(block.get("block_id", "")) <= 255
    for node in walk(blocks):
        if node.get("type") == "button":
            assert len(node["text"]["text"]) <= 75
            assert len(node.get("value", "")) <= 2000
        if "action_id" in node:
            assert len(node["action_id"]) <= 255
        if "options" in node and isinstance(node["options"], list):
            assert len(node["options"]) <= 100
            for opt in node["options"]:
                assert len(opt["text"]["text"]) <= 75
                assert len(opt["value"]) <= 150
        if node.get("type") in ("mrkdwn", "plain_text"):
            assert len(node["text"]) <= 3000


def mrkdwn_texts(obj: Any) -> list[str]:
    return [n["text"] for n in walk(obj) if n.get("type") == "mrkdwn"]


def all_text(obj: Any) -> str:
    return "\n".join(n["text"] for n in walk(obj) if n.get("type") in ("mrkdwn", "plain_text"))


def check_escaped(obj: Any) -> None:
    """No mrkdwn text pings, mentions or links through user text; the text still shows."""
    texts = mrkdwn_texts(obj)
    joined = "\n".join(texts)
    assert "<!channel>" not in joined
    assert "<@U1>" not in joined
    assert "<https://evil" not in joined
    assert "&lt;!channel&gt;" in joined
    assert "Tom &amp; Jerry" in joined


# --------------------------------------------------------------------------- samples


@functools.cache
def demo_portfolio() -> Portfolio:
    return load_portfolio(DEMO)


@functools.cache
def demo_roadmap() -> Roadmap:
    return solve(build_problem(demo_portfolio()), SolverConfig(time_limit=10))


@functools.cache
def big_portfolio() -> Portfolio:
    return generate_portfolio(200, 12, seed=1)


@functools.cache
def big_roadmap() -> Roadmap:
    return solve(build_problem(big_portfolio()), SolverConfig(solver="greedy"))


def view_of(spec: InitiativeSpec, *, version: int = 3) -> InitiativeView:
    return InitiativeView(
        spec=spec, version=version, created_at=NOW, updated_at=NOW, updated_by="U0PMO"
    )


def nasty_spec(**changes: Any) -> InitiativeSpec:
    base = {
        "key": "SOC-7",
        "title": NASTY,
        "summary": f"Summary {NASTY}",
        "category": "social",
        "proposer": "U0ALICE",
        "owner": "Marketing & PR <@U1>",
        "status": "proposed",
        "cadence": "agile",
        "duration": 2,
        "capex": 250_000,
        "opex": 12_000,
        "value": 40_000,
        "hosting": "saas",
        "data": "confidential",
        "personal_data": True,
        "uses": {"integration": 3, "data_engineering": 1},
        "teams": 2,
        "depends_on": ("SSO", "DLP"),
        "excludes": ("COMMUNITY",),
        "earliest": 1,
        "deadline": 6,
    }
    base.update(changes)
    return InitiativeSpec(**base)


def roadmap_view_of(roadmap: Roadmap, *, published: bool = True) -> RoadmapView:
    return RoadmapView(
        id=12,
        kind="plan",
        created_by="U0CIO",
        created_at=NOW,
        status=roadmap.status,
        objective=roadmap.objective,
        published=published,
        published_at=NOW if published else None,
        published_by="U0CIO" if published else None,
        roadmap=roadmap,
    )


# --------------------------------------------------------------------------- modals


def submitted(view: dict[str, Any], **answers: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`view.state.values` as Slack sends them when the user submits `view`: every input
    at its initial value, except the blocks in `answers` (block_id → element state)."""
    state: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        kind = element["type"]
        if kind in ("plain_text_input", "number_input"):
            value: dict[str, Any] = {"value": element.get("initial_value")}
        elif kind in ("static_select", "radio_buttons"):
            value = {"selected_option": element.get("initial_option")}
        elif kind in ("multi_static_select", "checkboxes"):
            value = {"selected_options": element.get("initial_options", [])}
        elif kind == "datepicker":
            value = {"selected_date": element.get("initial_date")}
        else:  # pragma: no cover - a new element type needs a line here
            raise AssertionError(kind)
        state[block["block_id"]] = {element["action_id"]: {"type": kind, **value}}
    for block_id, value in answers.items():
        assert block_id in state, f"no input block {block_id}"
        action_id = next(iter(state[block_id]))
        state[block_id][action_id] = {**state[block_id][action_id], **value}
    return state


def typed(text: str | None) -> dict[str, Any]:
    return {"value": text}


def chosen(value: str | None) -> dict[str, Any]:
    if value is None:
        return {"selected_option": None}
    return {"selected_option": {"text": {"type": "plain_text", "text": value}, "value": value}}


def chosen_many(*values: str) -> dict[str, Any]:
    return {
        "selected_options": [
            {"text": {"type": "plain_text", "text": v}, "value": v} for v in values
        ]
    }
