"""Roadmap and progress messages: valid Block Kit, within limits for any size, escaped."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.blocks import ids
from bot.blocks.roadmap import EXPORT_FORMATS, progress_blocks, roadmap_blocks
from bot.text_render import roadmap_view, status_line
from catalog.usecases.progress import PlanProgress
from planner.config import Progress
from planner.goal import Goal
from planner.money import format_money
from planner.roadmap import PhaseUse, Roadmap, Scheduled, Unscheduled
from planner.stability import Stability
from tests.bot.blocks_support import (
    NASTY,
    all_text,
    big_roadmap,
    check_escaped,
    check_message,
    demo_roadmap,
    mrkdwn_texts,
    walk,
)


def _element(blocks, action_id):
    return next((n for n in walk(blocks) if n.get("action_id") == action_id), None)


def test_demo_roadmap_message():
    roadmap = demo_roadmap()
    blocks = roadmap_blocks(roadmap, published=False, roadmap_id=7)
    check_message(blocks)
    text = all_text(blocks)
    assert blocks[0]["type"] == "header"
    assert "*Optimal*" in text
    for phase in roadmap.phases:
        assert phase.label in text
    for item in roadmap.scheduled:
        assert f"`{item.key}`" in text
    for item in roadmap.unscheduled:
        assert f"`{item.key}`" in text
        assert item.reason[:40].replace("&", "&amp;") in text
    assert "Value contributed" in text
    publish = _element(blocks, ids.PUBLISH_ROADMAP)
    assert ids.read_roadmap_value(publish["value"]) == (7, "")
    explain = _element(blocks, ids.EXPLAIN_INITIATIVE)
    offered = {ids.read_roadmap_value(o["value"])[1] for o in explain["options"]}
    assert offered == {s.key for s in roadmap.scheduled} | {u.key for u in roadmap.unscheduled}
    export = _element(blocks, ids.EXPORT_ROADMAP)
    assert [ids.read_roadmap_value(o["value"]) for o in export["options"]] == [
        (7, fmt) for fmt, _ in EXPORT_FORMATS
    ]


def test_phase_shows_budget_and_capacity_use():
    roadmap = demo_roadmap()
    blocks = roadmap_blocks(roadmap, roadmap_id=1)
    first = roadmap.phases[0]
    texts = [t for t in mrkdwn_texts(blocks) if t.startswith(f"*{first.label}*")]
    assert len(texts) == 1
    assert f"Spend {format_money(first.spend)} of {format_money(first.budget)}" in texts[0]
    for name, used in first.use.items():
        cap = first.capacity[name]
        assert f"{name.replace('_', ' ')} " in texts[0]
        assert f"{used}/{cap}" in texts[0]


def test_published_roadmap_has_no_publish_button():
    blocks = roadmap_blocks(demo_roadmap(), published=True, roadmap_id=7)
    check_message(blocks)
    assert _element(blocks, ids.PUBLISH_ROADMAP) is None
    assert "published baseline" in all_text(blocks)


def test_unsaved_roadmap_offers_no_publish_but_still_explain_and_export():
    blocks = roadmap_blocks(demo_roadmap(), roadmap_id=None)
    check_message(blocks)
    assert _element(blocks, ids.PUBLISH_ROADMAP) is None
    export = _element(blocks, ids.EXPORT_ROADMAP)
    assert ids.read_roadmap_value(export["options"][0]["value"]) == (None, EXPORT_FORMATS[0][0])


def test_two_hundred_initiatives_stay_within_limits():
    roadmap = big_roadmap()
    assert len(roadmap.scheduled) + len(roadmap.unscheduled) == 200
    blocks = roadmap_blocks(roadmap, title="Roadmap 2027-2029", roadmap_id=3)
    check_message(blocks)
    text = all_text(blocks)
    assert "more, see export" in text  # the unscheduled list is summarized
    for phase in roadmap.phases:
        assert f"*{phase.label}*" in text
    explain = _element(blocks, ids.EXPLAIN_INITIATIVE)
    assert explain["type"] == "external_select"  # 200 do not fit in a static select


def _phase(index: int, start: dt.date) -> PhaseUse:
    return PhaseUse(
        index=index,
        label=f"Sprint {index + 1}",
        start=start,
        end=start + dt.timedelta(days=13),
        budget=100_000,
        spend=99_000,
        use={"integration": 4, "agile_teams": 2},
        capacity={"integration": 4, "agile_teams": None},
    )


def _sprint_roadmap(phases: int, items: int, *, title: str = "Item") -> Roadmap:
    start = dt.date(2027, 1, 4)
    uses = tuple(_phase(i, start + dt.timedelta(days=14 * i)) for i in range(phases))
    scheduled = tuple(
        Scheduled(
            key=f"K-{i}",
            title=f"{title} {i} " + "long title " * 5,
            cadence="agile",
            start_phase=i % phases,
            end_phase=min(i % phases + 1, phases - 1),
            start=uses[i % phases].start,
            end=uses[min(i % phases + 1, phases - 1)].end,
            value=1000 * i,
        )
        for i in range(items)
    )
    return Roadmap(
        status="feasible",
        objective=sum(s.value for s in scheduled),
        bound=sum(s.value for s in scheduled) + 5000,
        gap=0.01,
        solve_seconds=9.9,
        solver="cpsat",
        phases=uses,
        scheduled=scheduled,
        unscheduled=tuple(
            Unscheduled(key=f"U-{i}", title=title, reason="does not fit " * 30)
            for i in range(items)
        ),
        name=title,
    )


@pytest.mark.parametrize(("phases", "items"), [(60, 300), (120, 1000), (8, 1000)])
def test_many_phases_and_initiatives_are_packed(phases, items):
    blocks = roadmap_blocks(_sprint_roadmap(phases, items), roadmap_id=99)
    check_message(blocks)
    text = all_text(blocks)
    assert "Sprint 1*" in text
    assert "*Feasible*" in text
    assert "gap 1.00%" in text


def test_user_text_is_escaped():
    blocks = roadmap_blocks(_sprint_roadmap(4, 3, title=NASTY), roadmap_id=5)
    check_message(blocks)
    check_escaped(blocks)


def test_infeasible_roadmap_lists_the_conflicts_in_words():
    roadmap = dataclasses.replace(
        demo_roadmap(),
        status="infeasible",
        objective=None,
        bound=None,
        gap=None,
        scheduled=(),
        conflicts=(
            "SSO and DLP are mandatory but the 2027Q1 budget of 250,000 < needs 380,000",
            "policy & review",
        ),
    )
    blocks = roadmap_blocks(roadmap, roadmap_id=4)
    check_message(blocks)
    text = all_text(blocks)
    assert "*Infeasible*" in text
    assert "These constraints cannot all hold" in text
    assert "250,000 &lt; needs 380,000" in text
    assert "policy &amp; review" in text
    assert _element(blocks, ids.PUBLISH_ROADMAP) is None


def test_unknown_roadmap_says_no_plan_was_found():
    roadmap = dataclasses.replace(
        demo_roadmap(), status="unknown", objective=None, bound=None, gap=None, scheduled=()
    )
    blocks = roadmap_blocks(roadmap)
    check_message(blocks)
    assert "No plan found" in all_text(blocks)


def test_feasible_roadmap_states_gap_and_bound():
    roadmap = dataclasses.replace(
        demo_roadmap(), status="feasible", bound=1_100_000, gap=0.0382, stability_penalty=3000
    )
    text = all_text(roadmap_blocks(roadmap))
    assert "bound 1.1M, gap 3.82%" in text
    assert "stability" not in text.lower()  # no report: not planned against a baseline


def _report(**changes) -> Stability:
    fields = {
        "level": "normal",
        "weight": 11_250,
        "baseline": {"SSO": 0, "BLOG": 0},
        "published": 9,
        "kept": 4,
        "moved": 5,
        "dropped": 0,
        "penalty": 15,
        "value": 873_000,
        "value_without": 957_000,
        "proven": True,
        "cost": 84_000,
    }
    return Stability(**{**fields, **changes})


def test_a_replan_says_what_keeping_to_the_published_roadmap_kept_and_cost():
    roadmap = dataclasses.replace(demo_roadmap(), stability=_report(), stability_penalty=168_750)
    blocks = roadmap_blocks(roadmap, roadmap_id=3)
    check_message(blocks)
    text = all_text(blocks)
    assert (
        "Stability kept 4 of 9 published starts (5 moved); it cost 84,000 of value: "
        "`plan stability=off` gives 957,000." in text
    )
    assert "stability penalty" not in text  # the solver's term is no figure for a CIO
    assert "stability penalty" not in status_line(roadmap)
    assert any("Stability kept 4 of 9" in str(part) for part in roadmap_view(roadmap).renderables)


def test_a_strategic_replan_states_what_stability_cost_in_score_not_solver_units():
    report = _report(
        value=7_654_321,
        value_without=8_888_888,
        cost=1_234_567,
        noun="strategic score",
        scale=10_000,
    )
    roadmap = dataclasses.replace(demo_roadmap(), stability=report)
    text = all_text(roadmap_blocks(roadmap))
    assert "it cost 123.46 of strategic score: `plan stability=off` gives 888.89" in text
    assert "1,234,567" not in text


def test_progress_message():
    progress = PlanProgress.of(
        Progress(objective=900_000, bound=1_000_000, gap=0.1, seconds=2.5), Goal()
    )
    blocks = progress_blocks(progress)
    check_message(blocks)
    text = all_text(blocks)
    assert "Best value so far *900k*" in text
    assert "bound 1M" in text
    assert "gap 10.00%" in text
    assert "2.5 s" in text
    assert "90% of the bound" in text


def test_progress_of_a_strategic_plan_is_in_score_not_money():
    goal = Goal(kind="strategic", scale=10_000)
    progress = PlanProgress.of(
        Progress(objective=123_456, bound=150_000, gap=0.177, seconds=1.0), goal
    )
    text = all_text(progress_blocks(progress))
    assert "Best strategic score so far *12.35*" in text
    assert "bound 15.00" in text
    assert "82% of the bound" in text
    assert "123k" not in text and "$" not in text


def test_progress_before_a_first_solution():
    blocks = progress_blocks(None, title="Planning <!channel>…")
    check_message(blocks)
    assert "<!channel>" not in "".join(mrkdwn_texts(blocks))
    assert "first plan" in all_text(blocks)
