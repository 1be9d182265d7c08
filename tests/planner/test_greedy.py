"""The greedy baseline: valid plans, must-select first, dependencies first, earliest fit."""

from __future__ import annotations

from pathlib import Path

from planner import build_problem, check_starts, load_portfolio
from planner.greedy import greedy_starts
from planner.roadmap import realized_value
from tests.planner.factories import make_problem

DEMO = Path(__file__).resolve().parents[2] / "catalog" / "data" / "demo.yaml"


def test_the_demo_portfolio_gets_a_valid_plan():
    problem = build_problem(load_portfolio(DEMO))
    starts = greedy_starts(problem)
    assert check_starts(problem, starts) == []
    assert starts  # something fits
    assert greedy_starts(problem) == starts  # and the same every time


def test_each_initiative_takes_its_earliest_start_that_still_fits():
    items = [
        {"key": "A", "capex": 10, "value": 10},
        {"key": "B", "capex": 10, "value": 9},
        {"key": "C", "capex": 10, "value": 8},
    ]
    starts = greedy_starts(make_problem(items, phases=3, budget=10))
    assert starts == {"A": 0, "B": 1, "C": 2}


def test_must_select_initiatives_come_before_more_valuable_ones():
    items = [
        {"key": "LOW", "capex": 10, "value": 1, "mandatory": True},
        {"key": "HIGH", "capex": 10, "value": 100},
    ]
    problem = make_problem(items, phases=1, budget=10)
    assert greedy_starts(problem) == {"LOW": 0}


def test_a_dependent_pulls_in_what_it_depends_on_and_starts_after_it():
    items = [
        {"key": "BASE", "capex": 50, "value": 0, "duration": 2},
        {"key": "APP", "capex": 10, "value": 100, "depends_on": ["BASE"]},
    ]
    problem = make_problem(items, phases=4, budget=30)
    starts = greedy_starts(problem)
    assert starts == {"BASE": 0, "APP": 2}
    assert check_starts(problem, starts) == []


def test_a_dependent_that_cannot_fit_leaves_nothing_half_placed():
    # APP needs BASE first, but then the total budget cannot take APP as well; BASE,
    # worth nothing on its own, is only placed for its own sake when it fits.
    items = [
        {"key": "BASE", "capex": 50, "value": 0},
        {"key": "APP", "capex": 60, "value": 100, "depends_on": ["BASE"]},
        {"key": "OTHER", "capex": 60, "value": 1},
    ]
    problem = make_problem(items, phases=3, total=100)
    starts = greedy_starts(problem)
    assert "APP" not in starts
    assert check_starts(problem, starts) == []
    assert "OTHER" in starts


def test_waterfall_dependents_wait_for_the_next_tollgate():
    items = [
        {"key": "A", "duration": 1},
        {"key": "B", "depends_on": ["A"]},
    ]
    problem = make_problem(items, phases=5, tollgates=[0, 3])
    assert greedy_starts(problem) == {"A": 0, "B": 3}


def test_only_one_of_two_excluding_initiatives_is_placed():
    items = [{"key": "BUILD", "value": 5, "excludes": ["BUY"]}, {"key": "BUY", "value": 8}]
    assert greedy_starts(make_problem(items, phases=2)) == {"BUY": 0}


def test_reviews_take_a_slot_in_the_start_phase():
    items = [{"key": k, "duration": 2, "security_review": True} for k in ("A", "B", "C")]
    problem = make_problem(items, phases=3, capacity={"security_reviews": 1})
    starts = greedy_starts(problem)
    assert sorted(starts.values()) == [0, 1]
    assert check_starts(problem, starts) == []


def test_when_a_mandatory_initiative_cannot_fit_the_rest_is_still_planned():
    items = [
        {"key": "BIG", "capex": 500, "mandatory": True},
        {"key": "A", "capex": 10},
        {"key": "B", "capex": 10},
    ]
    problem = make_problem(items, phases=2, budget=10)
    starts = greedy_starts(problem)
    assert set(starts) == {"A", "B"}
    assert check_starts(problem, starts) == ["BIG is mandatory but not scheduled"]


def test_later_passes_learn_which_capacity_is_scarce():
    # By value per cost the two X come first and fill r1, leaving Y out (value 10).
    # The next pass weighs the full r1 more and takes Y and one X (value 15).
    items = [
        {"key": "X1", "uses": {"r1": 5}, "value": 5},
        {"key": "X2", "uses": {"r1": 5}, "value": 5},
        {"key": "Y", "uses": {"r1": 1, "r2": 10}, "value": 10},
    ]
    problem = make_problem(items, phases=1, capacity={"r1": 10, "r2": 10})
    one = greedy_starts(problem, passes=1)
    assert set(one) == {"X1", "X2"}
    many = greedy_starts(problem)
    assert set(many) == {"Y", "X1"}
    assert check_starts(problem, many) == []
    assert realized_value(problem, many) == 15


def test_must_select_initiatives_are_reordered_until_they_all_fit():
    # By latest start A (0-1, all of r) comes first and leaves no room for C before its
    # deadline; starting C first leaves room for A in phases 1-2 and B beside C.
    items = [
        {"key": "A", "duration": 2, "uses": {"r": 2}},
        {"key": "B", "uses": {"r": 1}},
        {"key": "C", "uses": {"r": 1}, "deadline": 1},
    ]
    problem = make_problem(
        [{**it, "cadence": "agile", "mandatory": True} for it in items],
        phases=3,
        capacity={"r": 2},
    )
    starts = greedy_starts(problem)
    assert check_starts(problem, starts) == []
    assert starts["A"] == 1
