"""Help, errors, explanations and what-if / diff reports."""

from __future__ import annotations

from bot.blocks.messages import diff_blocks, error_blocks, explanation_blocks, help_blocks
from planner.config import SolverConfig
from planner.diff import Added, Dropped, Moved, PhaseSpend, RoadmapDiff, diff_roadmaps
from planner.explain import Explanation, explain
from planner.money import format_change, format_money
from planner.problem import build_problem
from planner.scenario import apply
from planner.solve import solve
from planner.stability import Stability
from tests.bot.blocks_support import (
    NASTY,
    all_text,
    big_portfolio,
    big_roadmap,
    check_escaped,
    check_message,
    demo_portfolio,
    demo_roadmap,
    mrkdwn_texts,
)


def test_help_keeps_formatting_and_escapes_angle_brackets():
    text = "*Townhall*\n\n`/roadmap show <KEY>` shows one initiative\n`/roadmap help`"
    blocks = help_blocks(text)
    check_message(blocks)
    joined = "\n".join(mrkdwn_texts(blocks))
    assert "*Townhall*" in joined
    assert "`/roadmap show &lt;KEY&gt;`" in joined


def test_long_help_is_split_into_sections():
    blocks = help_blocks("\n".join(f"`/roadmap cmd{i}` does thing {i} " * 3 for i in range(400)))
    check_message(blocks)
    assert len(blocks) > 1


def test_error_with_hint():
    blocks = error_blocks(f"no initiative {NASTY}", hint="Try `/roadmap list` & see")
    check_message(blocks)
    check_escaped(blocks)
    assert ":warning:" in all_text(blocks)
    assert "Try `/roadmap list` &amp; see" in all_text(blocks)
    assert len(error_blocks("plain")) == 1


def test_explanation_of_the_demo():
    problem = build_problem(demo_portfolio())
    roadmap = demo_roadmap()
    key = roadmap.unscheduled[0].key
    explanation = explain(problem, roadmap, key, config=SolverConfig(time_limit=3))
    blocks = explanation_blocks(explanation)
    check_message(blocks)
    text = all_text(blocks)
    assert explanation.headline.replace("&", "&amp;").replace("<", "&lt;") in text
    for detail in explanation.details:
        assert detail[:30].replace("&", "&amp;").replace("<", "&lt;") in text


def test_explanation_escapes_and_fits():
    explanation = Explanation(
        headline=NASTY, details=[f"detail {i} " + "x" * 300 for i in range(200)]
    )
    blocks = explanation_blocks(explanation)
    check_message(blocks)
    check_escaped(blocks)


def test_whatif_on_the_demo():
    before = demo_roadmap()
    portfolio = demo_portfolio()
    after = solve(apply(portfolio, "budget-20%"), SolverConfig(time_limit=10))
    diff = diff_roadmaps(before, after)
    blocks = diff_blocks(diff, what_if="budget-20%")
    check_message(blocks)
    text = all_text(blocks)
    assert blocks[0]["text"]["text"] == "What if budget-20%"
    assert f"{format_money(before.objective)} → {format_money(after.objective)}" in text
    for dropped in diff.dropped:
        assert f"`{dropped.key}`" in text
    for moved in diff.moved:
        assert f"`{moved.key}`" in text


def test_no_change():
    diff = diff_roadmaps(demo_roadmap(), demo_roadmap())
    blocks = diff_blocks(diff)
    check_message(blocks)
    text = all_text(blocks)
    assert "What changed" in text
    assert "No change" in text


def test_large_diff_fits():
    before = big_roadmap()
    after = solve(apply(big_portfolio(), "budget-40%"), SolverConfig(solver="greedy"))
    diff = diff_roadmaps(before, after)
    assert len(diff.dropped) + len(diff.moved) > 30
    blocks = diff_blocks(diff, what_if="budget-40%")
    check_message(blocks)
    text = all_text(blocks)
    assert f"({format_change(diff.value_change)}, −{-diff.value_change_percent:.1f}%)" in text
    changed = [*diff.added, *diff.dropped, *diff.moved]
    shown = [c for c in changed if f"`{c.key}`" in text]
    assert len(shown) == len(changed) or "more" in text


def test_huge_diff_is_summarized():
    moved = tuple(
        Moved(f"K-{i}", "A long title " * 6, 0, 3, "2027Q1", "2027Q4") for i in range(1000)
    )
    diff = RoadmapDiff(
        added=(),
        dropped=tuple(Dropped(f"D-{i}", NASTY, "no room " * 40) for i in range(500)),
        moved=moved,
        unchanged=3,
        status_before="optimal",
        status_after="feasible",
        value_before=100,
        value_after=90,
        spend_before=100,
        spend_after=90,
        phases=tuple(PhaseSpend(i, f"Sprint {i}", 1000, 900) for i in range(400)),
    )
    blocks = diff_blocks(diff, what_if="budget-10%")
    check_message(blocks)
    check_escaped(blocks)
    assert "more" in all_text(blocks)


def test_what_if_text_is_not_a_ping():
    diff = diff_roadmaps(demo_roadmap(), demo_roadmap())
    blocks = diff_blocks(diff, what_if="<!channel>")
    check_message(blocks)
    assert blocks[0]["type"] == "header"  # plain text: shown, never a ping
    assert all("<!channel>" not in t for t in mrkdwn_texts(blocks))


def _diff(**changes) -> RoadmapDiff:
    fields = {
        "added": (Added("NEW", "Brand new", 3, "2027Q4"),),
        "dropped": (Dropped("SSO", "Single sign-on", "kept out " + "x" * 130 + " END"),),
        "moved": (Moved("BLOG", "Blogs", 0, 2, "2027Q1", "2027Q3"),),
        "unchanged": 4,
        "status_before": "optimal",
        "status_after": "optimal",
        "value_before": 1_074_000,
        "value_after": 873_000,
        "spend_before": 100,
        "spend_after": 90,
        "phases": (),
    }
    return RoadmapDiff(**{**fields, **changes})


def test_a_diff_lists_dropped_first_with_whole_reasons_then_moved_added_and_stability():
    report = Stability(
        level="normal",
        weight=11_250,
        baseline={"SSO": 0, "BLOG": 0},
        published=2,
        kept=0,
        moved=1,
        dropped=1,
        penalty=11,
        value=873_000,
    ).compared(957_000, proven=True)
    blocks = diff_blocks(_diff(stability=report), title="Roadmap #4 compared with #1")
    check_message(blocks)
    text = all_text(blocks)
    assert text.index("Dropped (1)") < text.index("Moved (1)") < text.index("Added (1)")
    assert "kept out " + "x" * 130 + " END" in text  # a whole reason (150), never cut
    assert "1 dropped · 1 moved · 1 added" in text
    assert report.summary() in text
    assert text.index("Added (1)") < text.index("Stability kept 0 of 2")


def test_a_strategic_diff_speaks_of_its_score_not_money():
    diff = _diff(value_before=868_043, value_after=738_000, noun="strategic score", scale=10_000)
    text = all_text(diff_blocks(diff))
    assert "Realized strategic score" in text
    assert "86.80 → 73.80 (−13.00, −15.0%)" in text
    assert "868k" not in text and "Realized value" not in text
