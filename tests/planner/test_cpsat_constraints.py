"""Each constraint family of docs/PLANNING_MODEL.md, with a case that fits and one that cannot.

A "cannot" case either leaves an optional initiative out (with a reason) or, when the
initiative must be scheduled, makes the plan infeasible and names the constraints.
Every roadmap is checked by the executable spec (`check_roadmap`).
"""

from __future__ import annotations

import pytest

from planner import SolverConfig, check_roadmap
from planner.roadmap import Roadmap
from planner.solve import solve
from tests.planner.factories import make_problem

FAST = SolverConfig(time_limit=5, workers=1)


def plan(initiatives: list[dict], **settings) -> Roadmap:
    problem = make_problem(initiatives, **settings)
    roadmap = solve(problem, FAST)
    if roadmap.status in ("optimal", "feasible"):
        assert check_roadmap(problem, roadmap) == []
    return roadmap


def reason(roadmap: Roadmap, key: str) -> str:
    return next(u.reason for u in roadmap.unscheduled if u.key == key)


def assert_infeasible(roadmap: Roadmap, *expected: str) -> None:
    assert roadmap.status == "infeasible"
    assert roadmap.scheduled == ()
    assert set(roadmap.conflicts) == set(expected)


# ------------------------------------------------------------------ horizon


def test_an_initiative_finishes_inside_the_horizon():
    roadmap = plan([{"key": "A", "duration": 3}], phases=4)
    assert roadmap.status == "optimal"
    assert roadmap.starts == {"A": 0}
    assert roadmap.objective == 10 * 2


def test_no_start_inside_the_horizon_leaves_it_out_or_is_infeasible_when_mandatory():
    roadmap = plan([{"key": "A", "duration": 3, "earliest": 2}], phases=4)
    assert roadmap.starts == {}
    assert "no allowed start" in reason(roadmap, "A")
    roadmap = plan([{"key": "A", "duration": 3, "earliest": 2, "mandatory": True}], phases=4)
    assert_infeasible(roadmap, "A is mandatory", "A cannot start before phase 2 (2027Q3)")


# ------------------------------------------------------------------ money


@pytest.mark.parametrize(("budget", "fits"), [(33, False), (34, True)])
def test_capex_is_spread_exactly_over_the_build_phases(budget, fits):
    roadmap = plan([{"key": "A", "duration": 3, "capex": 100}], phases=3, budget=budget)
    assert ("A" in roadmap.starts) is fits
    assert roadmap.status == "optimal"


def test_capex_that_never_fits_a_mandatory_initiative_names_a_phase_budget():
    roadmap = plan(
        [{"key": "A", "duration": 3, "capex": 100, "mandatory": True}], phases=3, budget=33
    )
    assert roadmap.status == "infeasible"
    assert "A is mandatory" in roadmap.conflicts
    budgets = [c for c in roadmap.conflicts if c.startswith("budget of phase")]
    assert len(budgets) == 1 and budgets[0].endswith("is 33")
    assert len(roadmap.conflicts) == 2


def test_opex_is_spent_in_every_live_phase():
    # Started in phase 0 it would run in phases 1 and 2, and phase 2 holds only 40.
    a = {"key": "A", "opex": 50}
    roadmap = plan([a], phases=3, budget=[100, 100, 40])
    assert roadmap.starts == {"A": 2}
    roadmap = plan([{**a, "pin": 0}], phases=3, budget=[100, 100, 40])
    assert_infeasible(
        roadmap, "A is pinned to phase 0 (2027Q1)", "budget of phase 2 (2027Q3) is 40"
    )


def test_total_budget_limits_the_sum_over_all_phases():
    items = [{"key": "A", "capex": 60, "value": 5}, {"key": "B", "capex": 60, "value": 7}]
    roadmap = plan(items, phases=2, total=100)
    assert set(roadmap.starts) == {"B"}
    roadmap = plan(items, phases=2, total=120)
    assert set(roadmap.starts) == {"A", "B"}
    roadmap = plan([{**it, "mandatory": True} for it in items], phases=2, total=100)
    assert_infeasible(roadmap, "A is mandatory", "B is mandatory", "total budget is 100")


# ------------------------------------------------------------------ capacities


def test_a_named_resource_is_used_in_every_build_phase():
    items = [
        {"key": "A", "uses": {"integration": 2}, "value": 5},
        {"key": "B", "uses": {"integration": 2}, "value": 7},
    ]
    assert set(plan(items, phases=1, capacity={"integration": 3}).starts) == {"B"}
    assert set(plan(items, phases=1, capacity={"integration": 4}).starts) == {"A", "B"}
    roadmap = plan(
        [{**it, "mandatory": True} for it in items], phases=1, capacity={"integration": 3}
    )
    assert_infeasible(
        roadmap,
        "A is mandatory",
        "B is mandatory",
        "capacity of integration in phase 0 (2027Q1) is 3",
    )


def test_agile_teams_count_the_teams_of_building_agile_initiatives_only():
    items = [
        {"key": "A", "cadence": "agile", "teams": 2, "value": 5},
        {"key": "B", "cadence": "agile", "teams": 2, "value": 7},
        {"key": "W", "cadence": "waterfall", "value": 1},
    ]
    roadmap = plan(items, phases=1, capacity={"agile_teams": 3})
    assert set(roadmap.starts) == {"B", "W"}
    roadmap = plan(items, phases=1, capacity={"agile_teams": 4})
    assert set(roadmap.starts) == {"A", "B", "W"}
    roadmap = plan(
        [{**it, "mandatory": True} for it in items[:2]], phases=1, capacity={"agile_teams": 3}
    )
    assert "capacity of agile_teams in phase 0 (2027Q1) is 3" in roadmap.conflicts


def test_waterfall_programs_count_building_waterfall_initiatives_only():
    items = [
        {"key": "A", "value": 5},
        {"key": "B", "value": 7},
        {"key": "G", "cadence": "agile", "value": 1},
    ]
    roadmap = plan(items, phases=1, capacity={"waterfall_programs": 1})
    assert set(roadmap.starts) == {"B", "G"}
    roadmap = plan(
        [{**it, "mandatory": True} for it in items], phases=1, capacity={"waterfall_programs": 1}
    )
    assert_infeasible(
        roadmap,
        "A is mandatory",
        "B is mandatory",
        "capacity of waterfall_programs in phase 0 (2027Q1) is 1",
    )


def test_a_security_review_takes_a_slot_in_the_start_phase_only():
    items = [
        {"key": "A", "duration": 2, "security_review": True},
        {"key": "B", "duration": 2, "security_review": True},
    ]
    roadmap = plan(items, phases=3, capacity={"security_reviews": 1})
    # Both fit, building side by side, because they start in different phases.
    assert sorted(roadmap.starts.values()) == [0, 1]
    roadmap = plan([{**it, "pin": 0} for it in items], phases=3, capacity={"security_reviews": 1})
    assert_infeasible(
        roadmap,
        "A is pinned to phase 0 (2027Q1)",
        "B is pinned to phase 0 (2027Q1)",
        "security review slots in phase 0 (2027Q1): 1",
    )


def test_a_passed_review_needs_no_slot():
    items = [
        {"key": "A", "security_review": True, "review": "passed"},
        {"key": "B", "security_review": True},
    ]
    roadmap = plan(items, phases=1, capacity={"security_reviews": 1})
    assert set(roadmap.starts) == {"A", "B"}


# ------------------------------------------------------------------ policy and reviews


def test_forbidden_by_policy_is_never_scheduled():
    hr = {"key": "HR", "hosting": "saas", "data": "restricted"}
    roadmap = plan([hr], phases=2, forbid=["saas_restricted"])
    assert roadmap.starts == {}
    assert "forbidden by security policy" in reason(roadmap, "HR")
    # An approved exception (a passed review) lifts the ban.
    roadmap = plan([{**hr, "review": "passed"}], phases=2, forbid=["saas_restricted"])
    assert set(roadmap.starts) == {"HR"}
    roadmap = plan([{**hr, "mandatory": True}], phases=2, forbid=["saas_restricted"])
    assert_infeasible(
        roadmap,
        "HR is mandatory",
        "HR cannot be scheduled: forbidden by security policy (saas restricted)",
    )


def test_a_failed_review_keeps_an_initiative_off_the_roadmap():
    a = {"key": "A", "review": "failed", "review_note": "no SSO"}
    roadmap = plan([a, {"key": "B"}], phases=2)
    assert set(roadmap.starts) == {"B"}
    assert reason(roadmap, "A").startswith("security review failed: no SSO")
    roadmap = plan([{**a, "mandatory": True}], phases=2)
    assert_infeasible(
        roadmap, "A is mandatory", "A cannot be scheduled: security review failed: no SSO"
    )


# ------------------------------------------------------------------ calendar rules


def test_waterfall_starts_only_at_tollgates_and_agile_anywhere():
    items = [{"key": "W"}, {"key": "G", "cadence": "agile"}]
    roadmap = plan(items, phases=4, tollgates=[1, 3])
    assert roadmap.starts == {"W": 1, "G": 0}
    roadmap = plan([{"key": "W", "pin": 0}], phases=4, tollgates=[1, 3])
    assert_infeasible(
        roadmap,
        "W is pinned to phase 0 (2027Q1)",
        "W is waterfall and may start only at a tollgate (phases 1 (2027Q2), 3 (2027Q4))",
    )


def test_nothing_goes_live_inside_a_freeze_window():
    items = [{"key": "A"}, {"key": "B", "duration": 2}]
    roadmap = plan(items, phases=3, freeze=[0])
    # A would go live in its start phase; B goes live in phase 1.
    assert roadmap.starts == {"A": 1, "B": 0}
    roadmap = plan([{"key": "A", "deadline": 0, "mandatory": True}], phases=3, freeze=[0])
    assert_infeasible(
        roadmap,
        "A is mandatory",
        "A must go live by phase 0 (2027Q1)",
        "A cannot go live in a freeze window (phase 0 (2027Q1))",
    )


# ------------------------------------------------------------------ links between initiatives


def test_dependencies_are_finish_to_start():
    items = [{"key": "A", "duration": 2}, {"key": "B", "depends_on": ["A"]}]
    roadmap = plan(items, phases=4)
    assert roadmap.starts == {"A": 0, "B": 2}


def test_a_dependent_waits_for_what_it_needs_or_stays_out():
    items = [
        {"key": "A", "hosting": "saas", "data": "restricted"},
        {"key": "B", "depends_on": ["A"]},
    ]
    roadmap = plan(items, phases=3, forbid=["saas_restricted"])
    assert roadmap.starts == {}
    assert reason(roadmap, "B").startswith("depends on A")
    items[1]["mandatory"] = True
    roadmap = plan(items, phases=3, forbid=["saas_restricted"])
    assert_infeasible(
        roadmap,
        "B is mandatory",
        "B depends on A (finish-to-start)",
        "A cannot be scheduled: forbidden by security policy (saas restricted)",
    )


def test_a_dependency_that_cannot_finish_in_time_is_named():
    items = [
        {"key": "A", "duration": 2},
        {"key": "B", "depends_on": ["A"], "deadline": 1, "mandatory": True},
    ]
    roadmap = plan(items, phases=4)
    assert_infeasible(
        roadmap,
        "B is mandatory",
        "B depends on A (finish-to-start)",
        "B must go live by phase 1 (2027Q2)",
    )


def test_excludes_keep_the_more_valuable_alternative():
    items = [
        {"key": "BUILD", "value": 5, "excludes": ["BUY"]},
        {"key": "BUY", "value": 8},
    ]
    roadmap = plan(items, phases=2)
    assert set(roadmap.starts) == {"BUY"}
    assert "BUY" in reason(roadmap, "BUILD")
    roadmap = plan([{**it, "mandatory": True} for it in items], phases=2)
    assert_infeasible(
        roadmap, "BUILD is mandatory", "BUY is mandatory", "BUILD and BUY exclude each other"
    )


# ------------------------------------------------------------------ must-hold choices


def test_a_mandatory_initiative_displaces_a_more_valuable_one():
    items = [
        {"key": "LOW", "value": 1, "capex": 10, "mandatory": True},
        {"key": "HIGH", "value": 100, "capex": 10},
    ]
    roadmap = plan(items, phases=1, budget=10)
    assert set(roadmap.starts) == {"LOW"}
    assert reason(roadmap, "HIGH")


def test_earliest_start_bounds_the_start():
    roadmap = plan([{"key": "A", "earliest": 2}], phases=4)
    assert roadmap.starts == {"A": 2}


def test_deadline_bounds_the_go_live():
    items = [
        {"key": "A", "capex": 10, "value": 1, "duration": 2, "deadline": 2},
        {"key": "B", "capex": 10, "value": 5},
    ]
    # B takes phase 0's budget; A must still go live by phase 2, so it starts in phase 1.
    roadmap = plan(items, phases=4, budget=10)
    assert roadmap.starts == {"B": 0, "A": 1}
    roadmap = plan([{**items[0], "earliest": 2, "mandatory": True}], phases=4)
    assert_infeasible(
        roadmap,
        "A is mandatory",
        "A cannot start before phase 2 (2027Q3)",
        "A must go live by phase 2 (2027Q3)",
    )


def test_a_pin_fixes_the_start_even_when_earlier_is_worth_more():
    roadmap = plan([{"key": "A", "pin": 2}], phases=4)
    assert roadmap.starts == {"A": 2}
    assert roadmap.objective == 10 * 2


def test_a_scenario_can_force_an_initiative_in_or_out():
    items = [{"key": "A", "capex": 10, "value": 1}, {"key": "B", "capex": 10, "value": 5}]
    problem = make_problem(items, phases=1, budget=10, force_in=["A"])
    roadmap = solve(problem, FAST)
    assert check_roadmap(problem, roadmap) == []
    assert set(roadmap.starts) == {"A"}
    problem = make_problem(items, phases=1, budget=10, force_out=["B"])
    roadmap = solve(problem, FAST)
    assert set(roadmap.starts) == {"A"}
    assert "scenario" in reason(roadmap, "B")
    problem = make_problem(items, phases=1, budget=10, force_in=["A", "B"])
    roadmap = solve(problem, FAST)
    assert_infeasible(
        roadmap,
        "A is required by the scenario",
        "B is required by the scenario",
        "budget of phase 0 (2027Q1) is 10",
    )
