"""The CP-SAT model itself: exact money, hints, and agreement with the executable spec.

`solve` checks every plan the model returns against `check_starts`, so the model can
never allow too much unnoticed; these tests check it never forbids too much: every plan
the spec accepts is a solution of the model.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from ortools.sat.python import cp_model

from planner import SolverConfig, check_roadmap, check_starts
from planner.cpsat import build_model
from planner.cpsat.money import money_scale
from planner.problem import Problem
from planner.solve import solve
from tests.planner.factories import make_problem
from tests.planner.test_properties import problems


def accepts(problem: Problem, starts: dict[str, int]) -> bool:
    """Whether the model has a solution with exactly these starts."""
    built = build_model(problem, baseline={"K0": 0}, stability_weight=1)
    built.hint(starts)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 5
    solver.parameters.fix_variables_to_their_hinted_value = True
    status = solver.solve(built.model)
    return status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and built.read(solver) == starts


def test_money_is_scaled_just_enough_to_stay_whole():
    items = [
        {"key": "A", "capex": 100, "duration": 3},
        {"key": "B", "capex": 50, "duration": 2},
        {"key": "C", "capex": 90, "duration": 3},
    ]
    built = build_model(make_problem(items, phases=4, budget=34))
    assert money_scale(built.starts) == 3


def test_capex_that_divides_evenly_needs_no_scaling():
    items = [{"key": "A", "capex": 120_000, "duration": 3}, {"key": "B", "capex": 7, "duration": 1}]
    built = build_model(make_problem(items, phases=4, budget=50_000))
    assert money_scale(built.starts) == 1


def test_a_plan_exactly_at_the_budget_is_accepted_and_one_unit_over_is_not():
    items = [{"key": "A", "capex": 100, "duration": 3}]
    assert accepts(make_problem(items, phases=3, budget=[34, 34, 34], total=100), {"A": 0})
    assert not accepts(make_problem(items, phases=3, budget=[34, 34, 34], total=99), {"A": 0})
    assert not accepts(make_problem(items, phases=3, budget=[34, 33, 34]), {"A": 0})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_every_plan_the_spec_accepts_is_a_solution_of_the_model(problem):
    P = problem.horizon
    options = [[None, *range(P - it.duration + 1)] for it in problem.items]
    valid = []
    for combo in itertools.product(*options):
        starts = {it.key: s for it, s in zip(problem.items, combo, strict=True) if s is not None}
        if not check_starts(problem, starts):
            valid.append(starts)
    # The tightest plans first: most initiatives, earliest starts.
    valid.sort(key=lambda s: (-len(s), sum(s.values())))
    for starts in valid[:40]:
        assert accepts(problem, starts), starts


def test_amounts_too_large_to_scale_exactly_are_rounded_up_safely():
    durations = (7, 11, 13, 17, 19, 23)
    items = [
        {"key": f"D{d}", "cadence": "agile", "duration": d, "capex": 10**12, "value": d}
        for d in durations
    ]
    problem = make_problem(items, phases=24, budget=3 * 10**11)
    built = build_model(problem)
    assert money_scale(built.starts, problem.horizon) == 1  # 7 × 11 × … would overflow
    roadmap = solve(problem, SolverConfig(time_limit=5, workers=1))
    assert roadmap.status in ("optimal", "feasible")
    assert check_roadmap(problem, roadmap) == []
    assert roadmap.scheduled
