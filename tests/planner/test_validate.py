"""The validator names every broken rule of the planning model in words."""

from __future__ import annotations

import dataclasses

import pytest

from planner.roadmap import assemble
from planner.validate import check_roadmap, check_starts
from tests.planner.factories import make_problem


def violations(items, starts, **settings):
    return check_starts(make_problem(items, **settings), starts)


def test_a_valid_plan_has_no_violations():
    assert (
        violations(
            [{"key": "A", "duration": 2}, {"key": "B", "depends_on": ["A"]}], {"A": 0, "B": 2}
        )
        == []
    )


@pytest.mark.parametrize(
    ("items", "starts", "settings", "expected"),
    [
        ([{"key": "A", "duration": 2}], {"A": 3}, {}, "A starts in phase 3 and does not finish"),
        (
            [{"key": "A", "capex": 100, "duration": 3}],
            {"A": 0},
            {"budget": 33},
            "phase 0 (2027Q1) spends 33.33, over its budget of 33",
        ),
        (
            [{"key": "A", "opex": 50}],
            {"A": 0},
            {"budget": 40},
            "phase 1 (2027Q2) spends 50, over its budget of 40",
        ),
        (
            [{"key": "A", "capex": 30}, {"key": "B", "capex": 30}],
            {"A": 0, "B": 1},
            {"total": 50},
            "total spend 60 is over the total budget of 50",
        ),
        (
            [{"key": "A", "uses": {"integration": 3}}],
            {"A": 0},
            {"capacity": {"integration": 2}},
            "phase 0 (2027Q1) uses 3 of integration, over its capacity of 2",
        ),
        (
            [{"key": "A", "cadence": "agile", "teams": 2}],
            {"A": 0},
            {"capacity": {"agile_teams": 1}},
            "uses 2 of agile_teams",
        ),
        (
            [{"key": "A"}, {"key": "B"}],
            {"A": 0, "B": 0},
            {"capacity": {"waterfall_programs": 1}},
            "uses 2 of waterfall_programs",
        ),
        (
            [
                {"key": "A", "security_review": True, "duration": 2},
                {"key": "B", "security_review": True},
            ],
            {"A": 0, "B": 0},
            {"capacity": {"security_reviews": 1}},
            "security reviews start 2 of security_reviews",
        ),
        ([{"key": "A"}], {"A": 1}, {"tollgates": [0, 2]}, "A is waterfall and starts in phase 1"),
        (
            [{"key": "A"}],
            {"A": 1},
            {"freeze": [1]},
            "A goes live in phase 1 (2027Q2), inside a freeze",
        ),
        (
            [{"key": "A", "duration": 2}, {"key": "B", "depends_on": ["A"]}],
            {"A": 0, "B": 1},
            {},
            "B starts in phase 1 before A finishes (phase 1)",
        ),
        (
            [{"key": "A"}, {"key": "B", "depends_on": ["A"]}],
            {"B": 1},
            {},
            "B depends on A, which is not scheduled",
        ),
        (
            [{"key": "A", "excludes": ["B"]}, {"key": "B"}],
            {"A": 0, "B": 0},
            {},
            "A and B exclude each other but both are scheduled",
        ),
        ([{"key": "A", "mandatory": True}], {}, {}, "A is mandatory but not scheduled"),
        ([{"key": "A", "pin": 2}], {"A": 1}, {}, "A is pinned to phase 2 but starts in phase 1"),
        ([{"key": "A", "earliest": 2}], {"A": 1}, {}, "A starts in phase 1, before its earliest"),
        (
            [{"key": "A", "deadline": 1, "duration": 2}],
            {"A": 1},
            {},
            "A goes live in phase 2, after its deadline 1",
        ),
        (
            [{"key": "A", "hosting": "saas", "data": "restricted"}],
            {"A": 0},
            {"forbid": ["saas_restricted"]},
            "A is scheduled but must not be: forbidden by security",
        ),
        ([{"key": "A"}], {"Z": 0}, {}, "Z is scheduled but is not part of the problem"),
    ],
)
def test_each_rule_is_checked(items, starts, settings, expected):
    found = violations(items, starts, **settings)
    assert any(expected in v for v in found), found


def test_capex_is_spread_exactly_so_the_boundary_holds():
    ok = [{"key": "A", "capex": 100, "duration": 3}]
    assert violations(ok, {"A": 0}, budget=34) == []


def test_check_roadmap_recomputes_the_objective_and_requires_every_item_reported():
    problem = make_problem([{"key": "A", "value": 5}, {"key": "B"}], phases=4)
    roadmap = assemble(problem, {"A": 0}, status="feasible", solver="test", seconds=0.0)
    assert roadmap.objective == 5 * 4 and check_roadmap(problem, roadmap) == []
    lying = dataclasses.replace(roadmap, objective=21, unscheduled=())
    found = check_roadmap(problem, lying)
    assert "objective 21 differs from the realized value 20 recomputed from the schedule" in found
    assert "not reported as scheduled or unscheduled: B" in found
