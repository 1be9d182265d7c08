"""Properties over random small portfolios, checked against brute force and the spec.

For every generated problem: the greedy plan is valid (short only of must-select
initiatives it could not place), CP-SAT's roadmap passes `check_roadmap`, its objective
is the best any valid plan reaches (found by trying every combination of starts), it is
never below greedy, its bound is never below its objective, and a problem no plan can
satisfy is reported infeasible with its conflicts.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import SolverConfig, check_roadmap, check_starts
from planner.cpsat.objective import stability_penalty
from planner.greedy import greedy_starts
from planner.problem import Problem
from planner.roadmap import realized_value
from planner.solve import solve
from tests.planner.factories import make_problem

CONFIG = SolverConfig(time_limit=5, workers=1)


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    phases = draw(st.integers(1, 4))
    n = draw(st.integers(1, 5))
    items = []
    for i in range(n):
        duration = draw(st.integers(1, phases))
        earlier = [f"K{j}" for j in range(i)]
        depends = draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True)) if i else []
        others = [k for k in earlier if k not in depends]
        excludes = (
            draw(st.lists(st.sampled_from(others), max_size=1, unique=True)) if others else []
        )
        item = {
            "key": f"K{i}",
            "duration": duration,
            "cadence": draw(st.sampled_from(["agile", "waterfall"])),
            "capex": draw(st.integers(0, 60)),
            "opex": draw(st.integers(0, 60)),
            "value": draw(st.integers(0, 30)),
            "uses": {"integration": draw(st.integers(0, 3))},
            "teams": draw(st.integers(0, 2)),
            "security_review": draw(st.sampled_from([None, True, False])),
            "hosting": draw(st.sampled_from(["saas", "on_prem"])),
            "data": draw(st.sampled_from(["internal", "internal", "internal", "restricted"])),
            "depends_on": depends,
            "excludes": excludes,
            "mandatory": draw(st.integers(0, 9)) == 0,
            "earliest": draw(st.sampled_from([0, 0, 0, *range(phases)])),
        }
        if draw(st.integers(0, 3)) == 0:
            item["deadline"] = draw(st.integers(min(duration - 1, phases - 1), phases - 1))
        if draw(st.integers(0, 9)) == 0:
            item["pin"] = draw(st.integers(0, phases - duration))
        if draw(st.integers(0, 8)) == 0:
            item["review"] = draw(st.sampled_from(["passed", "failed"]))
        items.append(item)
    money = st.integers(10, 100)
    budget = draw(st.one_of(st.none(), money, st.lists(money, min_size=phases, max_size=phases)))
    capacity = {}
    for name in ("integration", "agile_teams", "waterfall_programs", "security_reviews"):
        if draw(st.booleans()):
            capacity[name] = draw(st.integers(1, 4))
    gates = draw(
        st.one_of(st.none(), st.sets(st.integers(0, phases - 1), min_size=1, max_size=phases))
    )
    return make_problem(
        items,
        phases=phases,
        budget=budget,
        total=draw(st.one_of(st.none(), st.integers(50, 300))),
        capacity=capacity,
        tollgates=None if gates is None else sorted(gates),
        freeze=[] if phases < 3 else sorted(draw(st.sets(st.integers(0, phases - 1), max_size=1))),
        forbid=draw(st.sampled_from([[], ["saas_restricted"]])),
        force_out=draw(st.sets(st.sampled_from([it["key"] for it in items]), max_size=1)),
    )


def best_by_brute_force(problem: Problem) -> int | None:
    """The highest realized value of any valid plan; None when no plan is valid."""
    P = problem.horizon
    options = [[None, *range(P - it.duration + 1)] for it in problem.items]
    best = None
    for combo in itertools.product(*options):
        starts = {it.key: s for it, s in zip(problem.items, combo, strict=True) if s is not None}
        if not check_starts(problem, starts):
            value = realized_value(problem, starts)
            best = value if best is None else max(best, value)
    return best


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(problems())
def test_cpsat_is_optimal_valid_and_never_below_greedy(problem):
    greedy = greedy_starts(problem)
    violations = check_starts(problem, greedy)
    assert all(v.endswith("but not scheduled") for v in violations), violations

    roadmap = solve(problem, CONFIG)
    best = best_by_brute_force(problem)
    if best is None:
        assert roadmap.status == "infeasible"
        assert roadmap.conflicts
        assert violations  # greedy cannot have found a valid plan either
        return
    assert roadmap.status == "optimal"
    assert check_roadmap(problem, roadmap) == []
    assert roadmap.objective == best == realized_value(problem, roadmap.starts)
    assert roadmap.bound is not None and roadmap.bound >= roadmap.objective
    if not violations:
        assert roadmap.objective >= realized_value(problem, greedy)


@SETTINGS
@given(problems(), st.data())
def test_with_a_baseline_every_plan_is_still_valid_and_its_penalty_exact(problem, data):
    keys = [it.key for it in problem.items]
    baseline = data.draw(
        st.dictionaries(st.sampled_from(keys), st.integers(0, problem.horizon - 1), max_size=3)
    )
    weight = data.draw(st.integers(1, 20))
    config = SolverConfig(time_limit=5, workers=1, baseline=baseline, stability_weight=weight)
    roadmap = solve(problem, config)
    if roadmap.status == "infeasible":
        assert roadmap.conflicts
        return
    assert roadmap.status == "optimal"
    assert check_roadmap(problem, roadmap) == []
    assert roadmap.bound >= roadmap.objective
    if baseline:
        assert roadmap.stability_penalty == weight * stability_penalty(
            problem, baseline, roadmap.starts
        )
