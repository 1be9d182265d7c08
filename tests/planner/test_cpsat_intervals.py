"""The interval model used for pure scheduling problems (everything must be scheduled)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import SolverConfig, check_roadmap
from planner.cpsat import build_model
from planner.cpsat.schedule import IntervalModel, is_pure_scheduling
from planner.problem import Problem
from planner.solve import solve
from tests.planner.factories import make_problem
from tests.planner.test_properties import best_by_brute_force

FAST = SolverConfig(time_limit=5, workers=1)

# Three activities on one resource of capacity 2, then a one-phase sink worth 1:
# maximizing the sink's value minimizes its start, the makespan.
PROJECT = [
    {"key": "A", "cadence": "agile", "duration": 2, "uses": {"r": 2}, "value": 0},
    {"key": "B", "cadence": "agile", "duration": 3, "uses": {"r": 1}, "value": 0},
    {"key": "C", "cadence": "agile", "duration": 1, "uses": {"r": 1}, "value": 0,
     "depends_on": ["A"]},
    {"key": "END", "cadence": "agile", "duration": 1, "value": 1,
     "depends_on": ["B", "C"]},
]  # fmt: skip


def project(**settings) -> Problem:
    items = [{**it, "mandatory": True} for it in PROJECT]
    return make_problem(items, **{"phases": 10, "capacity": {"r": 2}, **settings})


def test_only_problems_without_choices_or_money_are_pure_scheduling():
    assert is_pure_scheduling(project())
    assert not is_pure_scheduling(project(budget=100))
    optional = make_problem([*PROJECT[:1], {"key": "X"}], phases=4)
    assert not is_pure_scheduling(optional)
    # Prerequisites of what must be scheduled count as required.
    chain = make_problem([{"key": "A"}, {"key": "B", "depends_on": ["A"], "pin": 2}], phases=4)
    assert is_pure_scheduling(chain)
    assert isinstance(build_model(chain), IntervalModel)


def test_the_makespan_is_minimal():
    problem = project()
    roadmap = solve(problem, FAST)
    assert roadmap.status == "optimal"
    assert check_roadmap(problem, roadmap) == []
    # A (0-1) uses all of r, so B starts at 2 (2-4) and C at 2; END starts at 5.
    assert roadmap.starts["END"] == 5
    assert roadmap.objective == 10 - 5


def test_a_capacity_that_varies_by_phase_is_respected():
    problem = project(capacity={"r": [2, 2, 0, 2, 2, 2, 2, 2, 2, 2]})
    roadmap = solve(problem, FAST)
    assert check_roadmap(problem, roadmap) == []
    assert roadmap.starts["END"] == 6  # nothing builds in phase 2: B runs 3-5


def test_review_slots_and_tollgates_restrict_starts():
    items = [
        {"key": "A", "cadence": "agile", "security_review": True, "mandatory": True},
        {"key": "B", "cadence": "agile", "security_review": True, "mandatory": True},
        {"key": "W", "cadence": "waterfall", "mandatory": True, "depends_on": ["A"]},
    ]
    problem = make_problem(items, phases=5, capacity={"security_reviews": 1}, tollgates=[0, 3])
    assert is_pure_scheduling(problem)
    roadmap = solve(problem, FAST)
    assert roadmap.status == "optimal"
    assert check_roadmap(problem, roadmap) == []
    assert sorted([roadmap.starts["A"], roadmap.starts["B"]]) == [0, 1]
    assert roadmap.starts["W"] == 3


def test_what_cannot_be_scheduled_is_infeasible_with_its_conflicts():
    items = [
        {"key": "A", "mandatory": True, "excludes": ["B"]},
        {"key": "B", "mandatory": True},
    ]
    roadmap = solve(make_problem(items, phases=2), FAST)
    assert roadmap.status == "infeasible"
    assert set(roadmap.conflicts) == {
        "A is mandatory",
        "B is mandatory",
        "A and B exclude each other",
    }
    late = make_problem([{"key": "A", "mandatory": True, "earliest": 1, "deadline": 0}], phases=2)
    assert solve(late, FAST).status == "infeasible"


def test_the_baseline_holds_when_it_costs_nothing_and_moves_are_counted():
    items = [
        {"key": "A", "mandatory": True, "uses": {"r": 1}, "value": 5},
        {"key": "B", "mandatory": True, "uses": {"r": 1}, "value": 5},
    ]
    problem = make_problem(items, phases=3, capacity={"r": 1})
    for baseline in ({"A": 0, "B": 1}, {"A": 1, "B": 0}):
        roadmap = solve(problem, SolverConfig(time_limit=5, workers=1, baseline=baseline))
        assert roadmap.starts == baseline
        assert roadmap.stability_penalty == 0
    late = SolverConfig(time_limit=5, workers=1, baseline={"A": 2, "B": 1}, stability_weight=1)
    roadmap = solve(problem, late)
    assert roadmap.starts == {"A": 0, "B": 1}  # moving A two phases earlier gains 10
    assert roadmap.stability_penalty == 2


@st.composite
def schedules(draw: st.DrawFn) -> Problem:
    phases = draw(st.integers(2, 5))
    items = []
    for i in range(draw(st.integers(1, 4))):
        duration = draw(st.integers(1, min(2, phases)))
        earlier = [f"K{j}" for j in range(i)]
        items.append(
            {
                "key": f"K{i}",
                "mandatory": True,
                "duration": duration,
                "cadence": draw(st.sampled_from(["agile", "waterfall"])),
                "value": draw(st.integers(0, 9)),
                "uses": {"r": draw(st.integers(0, 2))},
                "security_review": draw(st.booleans()),
                "depends_on": draw(st.lists(st.sampled_from(earlier), max_size=1)) if i else [],
            }
        )
    capacity = {"r": draw(st.lists(st.integers(1, 3), min_size=phases, max_size=phases))}
    if draw(st.booleans()):
        capacity["security_reviews"] = draw(st.integers(1, 2))
    gates = draw(st.sets(st.integers(0, phases - 1), min_size=1))
    return make_problem(items, phases=phases, capacity=capacity, tollgates=sorted(gates))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules())
def test_the_interval_model_agrees_with_brute_force(problem):
    assert is_pure_scheduling(problem)
    roadmap = solve(problem, FAST)
    best = best_by_brute_force(problem)
    if best is None:
        assert roadmap.status == "infeasible" and roadmap.conflicts
        return
    assert roadmap.status == "optimal"
    assert check_roadmap(problem, roadmap) == []
    assert roadmap.objective == best
