import itertools
import random

import pytest

from planner.config import SolverConfig
from planner.errors import ScenarioError
from planner.frontier import FrontierPoint, frontier
from planner.solve import solve
from tests.planner.factories import make_problem

CONFIG = SolverConfig(time_limit=5, workers=1, seed=0)


def knapsack(seed: int, n: int = 8):
    """One phase, items of duration 1: realized value is a plain knapsack."""
    rng = random.Random(seed)
    items = [
        {"key": f"K{i}", "capex": rng.randint(10, 60), "value": rng.randint(5, 50)}
        for i in range(n)
    ]
    return items, make_problem(items, phases=1)


def best_by_hand(items, budget: int) -> int:
    best = 0
    for r in range(len(items) + 1):
        for chosen in itertools.combinations(items, r):
            if sum(i["capex"] for i in chosen) <= budget:
                best = max(best, sum(i["value"] for i in chosen))
    return best


def assert_monotone(points: list[FrontierPoint]) -> None:
    budgets = [p.total_budget for p in points]
    assert budgets == sorted(budgets)
    values = [p.objective for p in points]
    assert all(v is not None for v in values)
    assert values == sorted(values)
    for p in points:
        assert p.bound is not None and p.objective <= p.bound
        assert p.spend is not None and p.spend <= p.total_budget


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_frontier_matches_the_knapsack_optimum_at_every_level(seed: int) -> None:
    items, problem = knapsack(seed)
    points = frontier(problem, points=6, config=CONFIG)
    assert_monotone(points)
    assert all(p.status == "optimal" for p in points)
    for p in points:
        assert p.objective == best_by_hand(items, p.total_budget)


def test_default_levels_run_from_nothing_required_to_the_unconstrained_spend() -> None:
    _, problem = knapsack(4)
    open_plan = solve(problem, CONFIG)
    points = frontier(problem, points=5, config=CONFIG)
    assert len(points) == 5
    assert points[0].total_budget == 0
    assert points[0].objective == 0
    assert points[-1].total_budget == sum(p.spend for p in open_plan.phases)
    assert points[-1].objective == open_plan.objective
    assert points[-1].scheduled_count == len(open_plan.scheduled)


def test_frontier_over_phases_is_monotone_and_starts_at_the_required_spend() -> None:
    items = [
        {"key": "M", "mandatory": True, "capex": 40, "opex": 5, "value": 3},
        {"key": "A", "capex": 90, "opex": 10, "duration": 2, "value": 40},
        {"key": "B", "capex": 60, "value": 25, "depends_on": ["A"]},
        {"key": "C", "capex": 30, "opex": 5, "value": 12, "cadence": "agile"},
        {"key": "D", "capex": 70, "value": 30, "excludes": ["C"]},
    ]
    problem = make_problem(items, phases=4, budget=120)
    points = frontier(problem, points=6, config=CONFIG)
    assert_monotone(points)
    only_m = solve(
        make_problem(items, phases=4, budget=120, force_out=["A", "B", "C", "D"]), CONFIG
    )
    assert points[0].total_budget == sum(p.spend for p in only_m.phases)
    assert points[0].scheduled_count == 1
    assert points[-1].objective == solve(problem, CONFIG).objective


def test_explicit_levels_below_what_must_be_scheduled_are_infeasible() -> None:
    problem = make_problem(
        [{"key": "M", "mandatory": True, "capex": 50}, {"key": "A", "capex": 30, "value": 20}]
    )
    points = frontier(problem, levels=[80, 10, 50], config=CONFIG)
    assert [p.total_budget for p in points] == [10, 50, 80]
    assert points[0].status == "infeasible"
    assert points[0].objective is None
    assert points[1].scheduled_count == 1
    assert points[2].scheduled_count == 2
    assert points[2].objective > points[1].objective


def test_frontier_ignores_the_problems_own_total_budget() -> None:
    items, _ = knapsack(5)
    tight = make_problem(items, phases=1, total=30)
    loose = make_problem(items, phases=1)
    assert frontier(tight, points=4, config=CONFIG) == frontier(loose, points=4, config=CONFIG)


def test_no_plan_whatever_the_total_budget_gives_no_points() -> None:
    problem = make_problem([{"key": "M", "mandatory": True, "capex": 200}], phases=1, budget=100)
    assert frontier(problem, config=CONFIG) == []


def test_bad_arguments() -> None:
    _, problem = knapsack(1)
    with pytest.raises(ScenarioError, match="at least 1 point"):
        frontier(problem, points=0, config=CONFIG)
    with pytest.raises(ScenarioError, match="0 or more"):
        frontier(problem, levels=[-1], config=CONFIG)
