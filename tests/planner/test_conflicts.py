"""`find_conflicts`: the constraints of an infeasible request, named and minimal."""

from __future__ import annotations

from planner.conflicts import find_conflicts
from planner.cpsat.selection import required_items
from tests.planner.factories import make_problem


def test_a_feasible_problem_has_no_conflicts():
    problem = make_problem([{"key": "A", "mandatory": True}], phases=2, budget=10)
    assert find_conflicts(problem) == ()


def test_only_the_constraints_that_clash_are_named():
    items = [
        {"key": "SSO", "capex": 200, "duration": 2, "mandatory": True},
        {"key": "POLICY", "capex": 10, "cadence": "agile", "mandatory": True},  # fits
        {"key": "BLOG", "capex": 500, "cadence": "agile", "pin": 3},  # unrelated, fits
        {"key": "OPTIONAL", "capex": 999},
    ]
    problem = make_problem(items, phases=4, budget=[90, 90, 90, 600])
    conflicts = find_conflicts(problem)
    assert conflicts[0] == "SSO is mandatory"
    # SSO spends 100 in each of two consecutive phases (starts 0, 1 or 2): two of the
    # 90 budgets block every start, and no other constraint takes part.
    budgets = {f"budget of phase {p} (2027Q{p + 1}) is 90" for p in range(3)}
    assert len(conflicts) == 3
    assert set(conflicts[1:]) <= budgets


def test_a_chain_of_dependencies_against_a_deadline():
    items = [
        {"key": "A", "duration": 2},
        {"key": "B", "duration": 2, "depends_on": ["A"]},
        {"key": "C", "depends_on": ["B"], "deadline": 3, "mandatory": True},
        {"key": "D", "depends_on": ["A"], "mandatory": True},  # fine on its own
    ]
    problem = make_problem(items, phases=6)
    assert set(find_conflicts(problem)) == {
        "C is mandatory",
        "C must go live by phase 3 (2027Q4)",
        "C depends on B (finish-to-start)",
        "B depends on A (finish-to-start)",
    }


def test_pins_tollgates_and_capacities_are_named_in_words():
    items = [
        {"key": "CRM-2", "pin": 1, "uses": {"integration": 3}},
        {"key": "SOC-7", "cadence": "agile", "pin": 1, "uses": {"integration": 2}},
    ]
    problem = make_problem(items, phases=4, capacity={"integration": [5, 4, 5, 5]})
    assert set(find_conflicts(problem)) == {
        "CRM-2 is pinned to phase 1 (2027Q2)",
        "SOC-7 is pinned to phase 1 (2027Q2)",
        "capacity of integration in phase 1 (2027Q2) is 4",
    }
    gated = make_problem([{"key": "CRM-2", "pin": 1}], phases=4, tollgates=[0, 2])
    assert set(find_conflicts(gated)) == {
        "CRM-2 is pinned to phase 1 (2027Q2)",
        "CRM-2 is waterfall and may start only at a tollgate (phases 0 (2027Q1), 2 (2027Q3))",
    }


def test_a_total_budget_and_forced_in_initiatives():
    items = [{"key": "A", "capex": 60}, {"key": "B", "capex": 60}, {"key": "C", "capex": 1}]
    problem = make_problem(items, phases=3, total=100, force_in=["A", "B"])
    assert set(find_conflicts(problem)) == {
        "A is required by the scenario",
        "B is required by the scenario",
        "total budget is 100",
    }


def test_without_time_nothing_is_claimed():
    problem = make_problem([{"key": "A", "capex": 100, "mandatory": True}], phases=1, budget=1)
    assert find_conflicts(problem, time_limit=0) == ()


def test_only_what_must_be_scheduled_and_its_prerequisites_are_modelled():
    items = [
        {"key": "A"},
        {"key": "B", "depends_on": ["A"]},
        {"key": "C", "depends_on": ["B"], "mandatory": True},
        {"key": "D", "depends_on": ["A"]},
        {"key": "E", "pin": 0},
    ]
    problem = make_problem(items, phases=5)
    assert {it.key for it in required_items(problem)} == {"A", "B", "C", "E"}
