"""The solver guards: whatever path builds a Problem, OR-Tools never gets a number it
cannot hold; the planner answers with a PlannerError that names the figure instead
(item 9: `whatif capacity integration=+99999999999999999999` crashed in OR-Tools with
"Unable to cast Python instance … to C++ type")."""

from __future__ import annotations

from dataclasses import replace

import pytest

from planner.config import SolverConfig
from planner.conflicts import find_conflicts
from planner.errors import PlannerError
from planner.limits import MAX_CAPACITY, MAX_MONEY, read_whole
from planner.problem import check_limits
from planner.solve import solve
from tests.planner.factories import make_problem

FAST = SolverConfig(time_limit=2, workers=1)
ITEMS = [
    {"key": "A", "capex": 100, "uses": {"integration": 2}},
    {"key": "B", "capex": 200, "uses": {"integration": 1}, "depends_on": ["A"]},
]


def small(**settings):
    return make_problem(ITEMS, phases=4, capacity={"integration": 4}, **settings)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda p: replace(p, capacity={"integration": (10**20,) * 4}),
            "capacity of integration in 2027Q1: 100,000,000,000,000,000,000 is more than "
            f"Townhall plans with (at most {MAX_CAPACITY:,})",
        ),
        (
            lambda p: replace(p, budget=(10**20,) * 4),
            f"budget of 2027Q1: 100,000,000,000,000,000,000 is more than Townhall plans with "
            f"(at most {MAX_MONEY:,})",
        ),
        (lambda p: replace(p, total_budget=2**63), "total budget: 9,223,372,036,854,775,808"),
        (
            lambda p: p.replace_items(replace(it, capex=10**15) for it in p.items),
            "initiative A: capex: 1,000,000,000,000,000 is more than",
        ),
        (
            lambda p: p.replace_items(replace(it, value=10**13) for it in p.items),
            "initiative A: value: 10,000,000,000,000 is more than",
        ),
        (
            lambda p: p.replace_items(replace(it, uses={"integration": 10**7}) for it in p.items),
            "initiative A: uses integration: 10,000,000 is more than",
        ),
        (lambda p: replace(p, budget=(-1,) * 4), "budget of 2027Q1: -1 is less than 0"),
    ],
)
def test_figures_beyond_the_bounds_are_a_planner_error_not_a_crash(change, message) -> None:
    problem = change(small(budget=1000))
    with pytest.raises(PlannerError) as err:
        check_limits(problem)
    assert message in str(err.value)
    with pytest.raises(PlannerError) as err:
        solve(problem, FAST)
    assert message in str(err.value)
    with pytest.raises(PlannerError) as err:  # what an infeasible plan's explanation builds
        find_conflicts(problem, time_limit=1)
    assert message in str(err.value)


def test_capacity_of_ten_to_the_twenty_through_the_interval_model() -> None:
    """The what-if of item 9 reaches the interval model when nothing has a budget."""
    problem = make_problem(
        [{"key": "A", "mandatory": True, "uses": {"integration": 1}}, {"key": "B", "pin": 1}],
        capacity={"integration": 4},
    )
    with pytest.raises(PlannerError, match="capacity of integration"):
        solve(replace(problem, capacity={"integration": (10**20,) * 4}), FAST)


def test_many_initiatives_at_the_bound_are_refused_before_the_solver() -> None:
    """Each figure within its bound, yet the total budget's sum passes 2**62: CP-SAT
    would call the model invalid (a SolverBug); the guard names the cause instead."""
    items = [
        {"key": f"K{i}", "capex": MAX_MONEY, "opex": MAX_MONEY, "value": MAX_MONEY}
        for i in range(60)
    ]
    problem = make_problem(items, phases=400, total=MAX_MONEY, budget=MAX_MONEY)
    with pytest.raises(PlannerError, match="too large for the solver to add up"):
        solve(problem, FAST)


def test_figures_at_the_bounds_plan() -> None:
    problem = make_problem(
        [{"key": "A", "capex": MAX_MONEY, "value": MAX_MONEY, "uses": {"integration": 1}}],
        phases=8,
        budget=MAX_MONEY,
        total=MAX_MONEY,
        capacity={"integration": MAX_CAPACITY},
    )
    check_limits(problem)
    assert solve(problem, FAST).status == "optimal"


@pytest.mark.parametrize(
    ("text", "number"),
    [("0", 0), ("42", 42), ("²", None), ("٣", None), ("３", None), ("", None), ("-1", None)],
)
def test_read_whole_reads_ascii_digits_only(text: str, number: int | None) -> None:
    assert read_whole(text) == number


def test_read_whole_of_thousands_of_digits_is_only_too_large() -> None:
    assert read_whole("9" * 5000) == 10**30
