"""Roadmap assembly recomputes every figure; its JSON reads back unchanged."""

from __future__ import annotations

import json

from planner.roadmap import SCHEMA, assemble, roadmap_from_dict
from tests.planner.factories import make_problem


def test_assembly_and_json_round_trip():
    problem = make_problem(
        [
            {
                "key": "A",
                "capex": 90,
                "opex": 10,
                "duration": 3,
                "value": 7,
                "uses": {"integration": 1},
            },
            {"key": "B", "hosting": "saas", "data": "restricted"},
        ],
        phases=4,
        budget=100,
        capacity={"integration": 2},
        forbid=["saas_restricted"],
    )
    roadmap = assemble(problem, {"A": 0}, status="optimal", solver="test", seconds=0.01234)
    assert roadmap.objective == roadmap.bound == 7 * 2 and roadmap.gap == 0.0
    assert [p.spend for p in roadmap.phases] == [30, 30, 30, 10]
    assert roadmap.phases[0].use == {"integration": 1} and roadmap.phases[0].capacity == {
        "integration": 2
    }
    assert roadmap.unscheduled[0].reason == "forbidden by security policy (saas restricted)"
    data = json.loads(json.dumps(roadmap.to_dict()))
    assert data["schema"] == SCHEMA and data["scheduled"][0]["start"] == "2027-01-01"
    assert data["scheduled"][0]["end_phase"] == 2 and data["scheduled"][0]["end"] == "2027-09-30"
    assert roadmap_from_dict(data) == roadmap
