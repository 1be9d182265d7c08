"""The MIP engines (planner/mip): the same optimum as CP-SAT, valid plans, honest bounds,
progress and the time limit, whichever engine runs."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from planner import Progress, SolverConfig, check_roadmap
from planner.mip.engine import HIGHS, LP_GUIDED
from planner.mip.highs import solve_highs
from planner.mip.model import build_mip
from planner.mip.rounding import round_lp
from planner.optimize import (
    AUTO_LP_LITERALS,
    AUTO_MIP_LITERALS,
    choose_engine,
    optimize,
    start_literals,
)
from planner.portfolio import load_portfolio
from planner.problem import Problem, build_problem
from planner.roadmap import Roadmap, realized_value
from planner.solve import solve
from planner.stability import stability_penalty
from planner.validate import check_starts
from tests.planner.factories import make_problem
from tests.planner.test_solve import portfolio

DEMO = Path(__file__).resolve().parents[2] / "catalog" / "data" / "demo.yaml"
ENGINES = ("cpsat", HIGHS, LP_GUIDED)


def demo(objective: str = "value") -> Problem:
    return build_problem(replace(load_portfolio(DEMO), objective=objective))


def solved(problem: Problem, engine: str, **options: object) -> Roadmap:
    config = SolverConfig(engine=engine, time_limit=20, workers=2, **options)  # type: ignore[arg-type]
    roadmap = optimize(problem, config)
    assert check_roadmap(problem, roadmap) == []
    return roadmap


@pytest.mark.parametrize("objective", ["value", "strategic", "blend"])
def test_every_engine_proves_the_demo_optimum_cpsat_proves(objective):
    problem = demo(objective)
    found = {engine: solved(problem, engine) for engine in ENGINES}
    assert {r.status for r in found.values()} == {"optimal"}
    assert len({r.objective for r in found.values()}) == 1
    assert {e: r.solver for e, r in found.items()} == {e: e for e in ENGINES}
    assert all(r.bound == r.objective and r.gap == 0.0 for r in found.values())


def test_every_engine_finds_the_optimum_on_a_budget_and_capacity_bound_problem():
    problem = make_problem(portfolio(14), phases=6, budget=150, capacity={"integration": 3})
    found = [solved(problem, engine) for engine in ENGINES]
    assert [r.status for r in found] == ["optimal"] * 3
    assert len({r.objective for r in found}) == 1
    assert found[0].unscheduled  # the limits bind


def test_with_a_published_baseline_every_engine_weighs_stability_alike():
    base = demo()
    published = solved(base, "cpsat").starts
    cut = replace(base, budget=tuple(None if b is None else b * 7 // 10 for b in base.budget))
    found = [solved(cut, engine, baseline=published) for engine in ENGINES]
    assert [r.status for r in found] == ["optimal"] * 3
    weights = {r.stability.weight for r in found if r.stability is not None}
    assert len(weights) == 1 and weights != {0}
    (weight,) = weights
    scores = {r.objective - weight * stability_penalty(cut, published, r.starts) for r in found}
    assert len(scores) == 1  # the same value − weight × penalty
    assert {r.stability_penalty for r in found} == {found[0].stability_penalty}


@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_plans_a_portfolio_where_nothing_can_start_as_optimal_and_empty(engine):
    problem = make_problem([{"key": "A", "capex": 500}], phases=2, budget=100)
    empty = make_problem([], phases=2, budget=100)
    for roadmap in (solved(problem, engine), solved(empty, engine)):
        assert (roadmap.status, roadmap.objective, roadmap.starts) == ("optimal", 0, {})


@pytest.mark.parametrize("engine", [HIGHS, LP_GUIDED])
def test_what_must_be_scheduled_but_cannot_is_infeasible_with_its_conflicts(engine):
    problem = make_problem(
        [{"key": "A", "capex": 500, "mandatory": True}, {"key": "B"}], phases=2, budget=100
    )
    roadmap = optimize(problem, SolverConfig(engine=engine, time_limit=5))
    assert roadmap.status == "infeasible" and roadmap.conflicts
    assert roadmap.solver in (engine, "cpsat")


def test_the_lp_relaxation_bounds_the_optimum_and_the_mip_reaches_it():
    problem = make_problem(portfolio(12), phases=5, budget=120, capacity={"integration": 3})
    optimum = solved(problem, "cpsat").objective
    lp = solve_highs(build_mip(problem, relax=True), time_limit=5)
    mip = build_mip(problem)
    exact = solve_highs(mip, time_limit=5)
    assert lp.status == exact.status == "optimal"
    assert lp.bound is not None and lp.bound >= optimum - 1e-6
    assert exact.objective is not None and round(exact.objective) == optimum
    assert mip.size == start_literals(problem)
    assert len(lp.reduced_costs) == mip.columns


def test_the_lp_rounds_into_a_valid_plan_worth_at_least_the_lp_integral_part():
    problem = make_problem(portfolio(14), phases=6, budget=150, capacity={"integration": 3})
    mip = build_mip(problem, relax=True)
    lp = solve_highs(mip, time_limit=5)
    plan = round_lp(problem, mip, lp.values)
    assert plan is not None and check_starts(problem, plan) == []
    integral = {key: t for key, y in mip.y.items() for t, c in y.items() if lp.values[c] > 1 - 1e-6}
    assert set(plan) >= {k for k in integral if not problem.item(k).depends_on}
    assert realized_value(problem, plan) <= solved(problem, "cpsat").objective


def test_a_rounding_that_leaves_out_what_must_be_scheduled_is_no_plan():
    problem = make_problem(
        [{"key": "A", "capex": 60, "mandatory": True}, {"key": "B", "capex": 60, "value": 99}],
        phases=1,
        budget=100,
    )
    mip = build_mip(problem, relax=True)
    values = [0.0] * mip.columns
    values[mip.y["B"][0]] = 1.0  # as if the LP had preferred B
    assert round_lp(problem, mip, values) is None


def generated(n: int, phases: int) -> Problem:
    bench = pytest.importorskip("bench.generate")
    return build_problem(bench.generate_portfolio(n, phases, seed=1))


def test_auto_picks_highs_for_mid_size_models_and_the_lp_guided_search_beyond():
    assert choose_engine(demo(), SolverConfig(), 10) == "cpsat"
    mid = generated(200, 12)
    assert AUTO_LP_LITERALS <= start_literals(mid) <= AUTO_MIP_LITERALS
    assert choose_engine(mid, SolverConfig(), 10) == HIGHS
    assert choose_engine(mid, SolverConfig(), 1) == "cpsat"  # e.g. an explanation re-solve
    assert choose_engine(mid, SolverConfig(engine="cpsat"), 10) == "cpsat"
    large = generated(1000, 12)
    assert start_literals(large) > AUTO_MIP_LITERALS
    assert choose_engine(large, SolverConfig(), 10) == LP_GUIDED
    monthly = generated(100, 24)  # few initiatives, but many starts each: not a knapsack
    assert AUTO_LP_LITERALS <= start_literals(monthly) <= AUTO_MIP_LITERALS
    assert choose_engine(monthly, SolverConfig(), 10) == LP_GUIDED


@pytest.mark.parametrize(("engine", "workers"), [(HIGHS, 1), (HIGHS, 2), (LP_GUIDED, 2)])
def test_a_large_search_reports_progress_and_keeps_to_its_time_limit(engine, workers):
    problem = generated(200, 12)
    reports: list[Progress] = []
    started = time.perf_counter()
    roadmap = optimize(
        problem,
        SolverConfig(time_limit=4, workers=workers, engine=engine, progress=reports.append),
    )
    elapsed = time.perf_counter() - started
    assert elapsed < 4 + 2.0  # generous: the machine may be busy
    assert roadmap.solver == engine and roadmap.status in ("optimal", "feasible")
    assert check_roadmap(problem, roadmap) == []
    assert reports, "no progress reported"
    assert all(p.bound >= p.objective and 0 <= p.gap <= 1 for p in reports)
    assert max(p.objective for p in reports) <= roadmap.objective
    assert roadmap.bound is not None and roadmap.bound <= min(p.bound for p in reports)
    assert roadmap.gap is not None and roadmap.gap < 0.05


@pytest.mark.parametrize("engine", [HIGHS, LP_GUIDED])
def test_a_large_replan_against_a_published_roadmap_is_valid_and_honest(engine):
    problem = generated(200, 12)
    published = optimize(problem, SolverConfig(time_limit=4)).starts
    cut = replace(problem, budget=tuple(None if b is None else b * 9 // 10 for b in problem.budget))
    config = SolverConfig(time_limit=5, baseline=published, explain=False, engine=engine)
    roadmap = solve(cut, config)
    assert roadmap.solver == engine and roadmap.status in ("optimal", "feasible")
    assert check_roadmap(cut, roadmap) == []
    assert roadmap.stability is not None and roadmap.stability.weight > 0
    assert roadmap.stability_penalty == roadmap.stability.weight * stability_penalty(
        cut, published, roadmap.starts
    )
    assert roadmap.bound is not None and roadmap.bound >= roadmap.objective
