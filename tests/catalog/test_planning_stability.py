"""Re-planning against the published roadmap through the use cases every surface calls:
`plan stability=…` and the settings' level, the demo's budget cut keeping SSO, what
stability cost, `diff` listing what is dropped first, and the solver's progress handed
to the surfaces in the figures of the objective planned."""

from __future__ import annotations

import pytest

import planner.solve
from catalog import services
from catalog.domain import Actor
from catalog.errors import ValidationFailed
from catalog.usecases import Context, planning, workspace
from catalog.usecases import commands as c
from catalog.usecases.progress import PlanProgress, shown_progress
from planner.config import Progress, SolverConfig
from planner.goal import Goal

OPERATOR = Actor.operator()
TEAM = "T-STABLE"
FAST = SolverConfig(time_limit=5.0, workers=1)


@pytest.fixture
def demo(uow) -> Context:
    """The demo, planned and published."""
    with uow() as u:
        services.load_demo(u, actor=OPERATOR, team_id=TEAM)
    ctx = Context(actor=OPERATOR, team_id=TEAM, uow_factory=uow, solver=FAST)
    planning.plan(c.Plan(), ctx)
    planning.publish(c.Publish(), ctx)
    return ctx


def test_a_plan_with_its_stability_survives_the_payload() -> None:
    command = c.Plan(budget=200_000, stability="off")
    assert c.from_payload(c.to_payload(command), {"plan": c.Plan}) == command


@pytest.mark.parametrize("level", ["firm", "", "OFFF"])
def test_check_plan_refuses_a_stability_that_is_no_level(uow, demo, level) -> None:
    with pytest.raises(ValidationFailed) as info:
        planning.check_plan(c.Plan(stability=level), demo)
    message = info.value.fields["stability"]
    assert "low, normal, high, off" in message and repr(level) in message


def test_the_budget_cut_keeps_sso_and_says_what_keeping_the_roadmap_cost(demo) -> None:
    with demo.uow() as u:
        published = services.published_roadmap(u, team_id=TEAM)
    assert published is not None and "SSO" in published.roadmap.starts

    kept = planning.plan(c.Plan(budget=200_000), demo).roadmap
    assert kept.status == "optimal"
    assert "SSO" in kept.starts  # moved or at its place: never dropped to avoid a move
    report = kept.stability
    assert report is not None and report.level == "normal" and report.weight > 0
    assert report.dropped == 0 and report.published == 9
    assert report.kept + report.moved == 9
    assert report.cost is not None and report.cost > 0 and report.proven

    free = planning.plan(c.Plan(budget=200_000, stability="off"), demo).roadmap
    assert free.stability is not None and free.stability.weight == 0
    assert free.objective == report.value_without  # what the summary promises
    assert report.cost == free.objective - kept.objective
    summary = report.summary()
    assert f"it cost {report.cost:,} of value" in summary
    assert f"`plan stability=off` gives {free.objective:,}" in summary

    # the latest plan (stability off) drops published initiatives: diff says so first
    diff = planning.diff(c.Diff(), demo).diff
    assert diff.dropped and diff.stability is not None
    lines = diff.lines()
    first_moved = next((i for i, x in enumerate(lines) if " moves from " in x), len(lines))
    dropped = [i for i, x in enumerate(lines) if " is dropped: " in x]
    assert dropped and max(dropped) < first_moved
    for d in diff.dropped:
        assert d.reason and "search stopped" not in d.reason


def test_the_settings_level_plans_unless_the_command_names_one(demo) -> None:
    workspace.submit_settings(c.SubmitSettings(changes={"stability": "high"}), demo)
    high = planning.plan(c.Plan(budget=200_000), demo).roadmap
    assert high.stability is not None and high.stability.level == "high"
    low = planning.plan(c.Plan(budget=200_000, stability="low"), demo).roadmap
    assert low.stability is not None and low.stability.level == "low"
    assert low.stability.weight * 8 == high.stability.weight  # ½× against 4×


def test_a_strategic_replan_reports_its_cost_in_score(demo) -> None:
    planning.plan(c.Plan(objective="strategic"), demo)
    planning.publish(c.Publish(), demo)
    roadmap = planning.plan(c.Plan(objective="strategic", budget=200_000), demo).roadmap
    report = roadmap.stability
    assert report is not None and report.noun == "strategic score"
    assert report.scale == roadmap.goal.scale == 10_000
    assert report.cost is not None and report.cost > 0 and report.value_without is not None
    summary = report.summary()
    cost, without = report.cost / report.scale, report.value_without / report.scale
    assert f"it cost {cost:,.2f} of strategic score" in summary
    assert f"`plan stability=off` gives {without:,.2f}." in summary
    assert f"{report.value_without:,}" not in summary  # never the solver's units


def test_shown_progress_turns_solver_units_into_the_objectives_figures() -> None:
    seen: list[PlanProgress] = []
    goal = Goal(kind="strategic", scale=10_000)
    report = shown_progress(seen.append, goal)
    assert report is not None and shown_progress(None, goal) is None
    report(Progress(objective=123_456, bound=150_000, gap=0.177, seconds=2.0))
    [shown] = seen
    assert (shown.best, shown.bound, shown.noun, shown.money) == (
        12.3456,
        15.0,
        "strategic score",
        False,
    )
    assert shown.figure(shown.best) == "12.35"
    money = PlanProgress.of(Progress(900_000, 1_000_000, 0.1, 1.0), Goal())
    assert money.figure(money.best) == "900k" and money.noun == "value" and money.share == 0.9


@pytest.mark.parametrize("objective", ["value", "strategic"])
def test_plan_hands_the_surfaces_progress_in_the_objectives_figures(
    uow, demo, monkeypatch, objective
) -> None:
    real = planner.solve.solve

    def solve(problem, config):
        if config.progress is not None:  # the solves the surfaces watch
            config.progress(Progress(objective=123_456, bound=150_000, gap=0.177, seconds=1.0))
        return real(problem, config)

    monkeypatch.setattr(planner.solve, "solve", solve)
    seen: list[PlanProgress] = []
    ctx = Context(actor=OPERATOR, team_id=TEAM, uow_factory=uow, solver=FAST, progress=seen.append)
    planning.plan(c.Plan(objective=objective), ctx)
    planned, seen[:] = list(seen), []
    planning.whatif(c.WhatIf("budget-10%"), ctx)  # the settings' objective: value
    assert planned and seen  # ours from each solve watched, and the solver's own
    assert all(isinstance(p, PlanProgress) for p in planned + seen)
    assert (seen[0].best, seen[0].noun, seen[0].money) == (123_456, "value", True)
    if objective == "value":
        assert (planned[0].best, planned[0].noun, planned[0].money) == (123_456, "value", True)
    else:
        first = (planned[0].best, planned[0].noun, planned[0].money)
        assert first == (12.3456, "strategic score", False)
        assert all(p.noun == "strategic score" for p in planned)
        assert all(p.bound < 10_000 for p in planned)  # a score, never the solver's units
