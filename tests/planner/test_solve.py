"""`solve`: statuses, bounds, progress, determinism, stability, reasons, internal checks."""

from __future__ import annotations

from dataclasses import replace

import pytest

import planner.optimize as optimize_module
from planner import Progress, ScenarioError, SolverConfig, check_roadmap
from planner.cpsat.search import Outcome, value_bound
from planner.optimize import optimize
from planner.solve import SolverBug, simple_reasons, solve
from tests.planner.factories import make_problem

FAST = SolverConfig(time_limit=5, workers=1)


def portfolio(n: int = 10) -> list[dict]:
    """A small portfolio where not everything fits: budgets, a capacity, links."""
    out = []
    for i in range(n):
        out.append(
            {
                "key": f"I{i}",
                "cadence": "agile" if i % 3 else "waterfall",
                "duration": 1 + i % 3,
                "capex": 30 + 17 * (i % 5),
                "opex": 3 * (i % 4),
                "value": 10 + 7 * ((i * 5) % 11),
                "uses": {"integration": 1 + i % 2},
                "depends_on": [f"I{i - 3}"] if i % 4 == 3 else [],
            }
        )
    return out


def test_a_small_problem_is_solved_to_optimality_with_a_zero_gap():
    problem = make_problem(portfolio(), phases=5, budget=120, capacity={"integration": 3})
    roadmap = solve(problem, FAST)
    assert roadmap.status == "optimal"
    assert roadmap.solver == "cpsat"
    assert roadmap.bound == roadmap.objective and roadmap.gap == 0.0
    assert check_roadmap(problem, roadmap) == []
    assert roadmap.unscheduled  # the budget cannot take everything


def test_cpsat_is_at_least_as_good_as_greedy():
    problem = make_problem(portfolio(), phases=5, budget=120, capacity={"integration": 3})
    greedy = solve(problem, SolverConfig(solver="greedy"))
    assert greedy.status == "feasible" and greedy.solver == "greedy" and greedy.bound is None
    assert check_roadmap(problem, greedy) == []
    best = solve(problem, FAST)
    assert best.objective >= greedy.objective


def test_an_empty_problem_is_optimal_with_nothing_scheduled():
    roadmap = solve(make_problem([], phases=2), FAST)
    assert (roadmap.status, roadmap.objective, roadmap.scheduled) == ("optimal", 0, ())


def test_options_that_make_no_sense_are_refused():
    problem = make_problem(portfolio(3), phases=3)
    with pytest.raises(ScenarioError, match="unknown solver 'gurobi'"):
        solve(problem, SolverConfig(solver="gurobi"))
    with pytest.raises(ScenarioError, match="stability weight"):
        solve(problem, SolverConfig(baseline={"I0": 0}, stability_weight=-1))
    with pytest.raises(ScenarioError, match="time limit"):
        solve(problem, SolverConfig(time_limit=0))
    with pytest.raises(ScenarioError, match="workers"):
        solve(problem, SolverConfig(workers=0))


def test_infeasible_problems_return_conflicts_never_raise():
    items = [{"key": "A", "capex": 100, "mandatory": True}, {"key": "B"}]
    problem = make_problem(items, phases=2, budget=50)
    for config in (FAST, SolverConfig(solver="greedy", time_limit=5)):
        roadmap = solve(problem, config)
        assert roadmap.status == "infeasible"
        assert roadmap.objective is None and roadmap.scheduled == ()
        assert "A is mandatory" in roadmap.conflicts
        assert {u.key for u in roadmap.unscheduled} == {"A", "B"}


def test_progress_reports_every_improving_solution():
    problem = make_problem(portfolio(12), phases=6, budget=150, capacity={"integration": 3})
    seen: list[Progress] = []
    roadmap = solve(problem, SolverConfig(time_limit=5, workers=1, progress=seen.append))
    assert seen
    assert all(p.objective <= p.bound and p.seconds >= 0 for p in seen)
    assert [p.objective for p in seen] == sorted(p.objective for p in seen)
    assert seen[-1].objective == roadmap.objective


def test_one_worker_and_a_seed_give_the_same_plan_every_time():
    problem = make_problem(portfolio(14), phases=6, budget=150, capacity={"integration": 3})
    config = SolverConfig(time_limit=5, workers=1, seed=7)
    first = solve(problem, config)
    assert first.status == "optimal"
    for _ in range(2):
        assert solve(problem, config).starts == first.starts


# ------------------------------------------------------------------ stability


TWINS = [
    {"key": "A", "uses": {"integration": 1}},
    {"key": "B", "uses": {"integration": 1}},
]


@pytest.mark.parametrize("baseline", [{"A": 0, "B": 1}, {"A": 1, "B": 0}])
def test_the_baseline_is_kept_when_keeping_it_costs_nothing(baseline):
    # A and B are interchangeable: either order is optimal, the baseline decides.
    problem = make_problem(TWINS, phases=2, capacity={"integration": 1})
    roadmap = solve(problem, SolverConfig(time_limit=5, workers=1, baseline=baseline))
    assert roadmap.status == "optimal"
    assert roadmap.starts == baseline
    assert roadmap.stability_penalty == 0
    assert check_roadmap(problem, roadmap) == []


def test_the_weight_decides_whether_moving_is_worth_it():
    # A was published in phase 1; starting in phase 0 is worth 10 more.
    problem = make_problem([{"key": "A"}], phases=2)
    cheap = solve(problem, SolverConfig(time_limit=5, baseline={"A": 1}, stability_weight=1))
    assert cheap.starts == {"A": 0}
    assert cheap.stability_penalty == 1
    assert cheap.objective == 20 and cheap.bound == 20
    dear = solve(problem, SolverConfig(time_limit=5, baseline={"A": 1}, stability_weight=100))
    assert dear.starts == {"A": 1}
    assert dear.stability_penalty == 0
    assert dear.status == "optimal" and dear.objective == 10
    assert check_roadmap(problem, dear) == []
    off = solve(problem, SolverConfig(time_limit=5, baseline={"A": 1}, stability_weight=0))
    assert off.starts == {"A": 0} and off.stability_penalty is None


def test_a_dropped_baseline_initiative_counts_the_horizon_plus_one_phase():
    problem = make_problem([{"key": "A"}, {"key": "B"}], phases=2, force_out=["B"])
    roadmap = solve(
        problem,
        SolverConfig(time_limit=5, baseline={"A": 0, "B": 0, "GONE": 1}, stability_weight=3),
    )
    assert roadmap.starts == {"A": 0}
    # B dropped: 2 phases + 1, times the weight; GONE is not part of the problem
    assert roadmap.stability_penalty == 3 * 3
    assert roadmap.stability.dropped == 1 and roadmap.stability.drops == ("B",)
    assert roadmap.stability.published == 2 and roadmap.stability.kept == 1


def test_the_bound_with_a_stability_term_bounds_plans_at_least_as_stable():
    # The solver bounds value − weight × penalty; adding back weight × penalty found
    # bounds the value of any plan that moves baseline items no more than this one.
    assert value_bound(100.0, penalty=2, weight=5, value=95) == 110
    assert value_bound(float("inf"), penalty=0, weight=5, value=95) is None
    assert value_bound(90.0, penalty=0, weight=5, value=95) == 95  # never below the value


# ------------------------------------------------------------------ internal checks


def test_a_plan_that_breaks_the_model_is_a_bug_not_a_result(monkeypatch):
    problem = make_problem([{"key": "A", "capex": 100}], phases=1, budget=10)
    monkeypatch.setattr(optimize_module, "greedy_starts", lambda p: {"A": 0})
    with pytest.raises(SolverBug, match="over its budget"):
        solve(problem, SolverConfig(solver="greedy"))
    broken = Outcome(status="optimal", starts={"A": 0}, bound=10, penalty=None, seconds=0.0)
    monkeypatch.setattr(optimize_module, "run", lambda *a, **k: broken)
    with pytest.raises(SolverBug, match="cpsat returned an invalid plan"):
        solve(problem, FAST)


def test_when_cpsat_finds_nothing_in_time_the_greedy_plan_stands(monkeypatch):
    problem = make_problem(portfolio(6), phases=4, budget=120)
    nothing = Outcome(status="unknown", starts={}, bound=None, penalty=None, seconds=0.0)
    monkeypatch.setattr(optimize_module, "run", lambda *a, **k: nothing)
    roadmap = solve(problem, FAST)
    assert roadmap.status == "feasible"
    assert roadmap.starts == optimize_module.greedy_starts(problem)
    assert check_roadmap(problem, roadmap) == []
    # Without a warm start there is nothing to fall back on.
    roadmap = solve(problem, SolverConfig(time_limit=5, workers=1, hint_greedy=False))
    assert roadmap.status == "unknown" and roadmap.scheduled == ()


# ------------------------------------------------------------------ simple reasons


def test_simple_reasons_name_the_first_thing_in_the_way():
    items = [
        {"key": "LATE", "duration": 2, "earliest": 2},
        {"key": "GATE", "earliest": 1, "deadline": 1},
        {"key": "FROZEN", "cadence": "agile", "pin": 2},
        {"key": "DEP", "depends_on": ["LATE"]},
        {"key": "ALT", "excludes": ["OK"]},
        {"key": "OK"},
        {"key": "OUT"},
        {"key": "RISKY", "review": "failed"},
        {"key": "SPARE"},
    ]
    problem = make_problem(items, phases=3, tollgates=[0, 2], freeze=[2], force_out=["OUT"])
    reasons = simple_reasons(problem, {"OK": 0})
    # The same words as `explain` (planner.rules.no_start_reason), with phase labels.
    assert reasons["LATE"] == (
        "no allowed start: starting 2027Q3 at the earliest, its 2 phases do not finish "
        "inside the 3-phase horizon"
    )
    assert reasons["GATE"] == (
        "no allowed start: no tollgate in 2027Q2, and waterfall work starts only at tollgates"
    )
    assert reasons["FROZEN"] == (
        "no allowed start: every start in 2027Q3 would go live in a freeze (2027Q3)"
    )
    assert reasons["DEP"] == "depends on LATE, which is not scheduled"
    assert reasons["ALT"] == "excluded by OK, which is scheduled"
    assert reasons["OUT"] == "left out by the scenario"
    assert reasons["RISKY"] == "security review failed"
    assert reasons["SPARE"] == "lower value than what it would displace"
    assert "OK" not in reasons
    assert simple_reasons(problem, {}, status="infeasible")["OK"].startswith("no roadmap")


def test_solve_explains_after_the_search_and_optimize_never_does():
    problem = make_problem(
        [{"key": "A", "capex": 100, "value": 50}, {"key": "B", "capex": 100, "value": 10}],
        phases=1,
        budget=100,
    )
    config = SolverConfig(time_limit=5, workers=1)
    short = "lower value than what it would displace"
    assert reason_of(optimize(problem, config), "B") == short
    assert reason_of(solve(problem, replace(config, explain=False)), "B") == short
    assert reason_of(solve(problem, config), "B") == f"{short}: A"


def reason_of(roadmap, key):
    return next(u.reason for u in roadmap.unscheduled if u.key == key)
