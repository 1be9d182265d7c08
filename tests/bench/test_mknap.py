from __future__ import annotations

import pytest

from bench.mknap import load_mknap, parse_best_known, parse_mknap
from planner.portfolio import parse_portfolio, portfolio_to_dict
from planner.problem import build_problem
from planner.roadmap import realized_value
from planner.validate import check_starts


def test_first_mknapcb1_problem_is_read_as_published(bench_data):
    instances = load_mknap(bench_data, "mknapcb1")
    assert len(instances) == 30
    first = instances[0]
    problem = first.problem
    assert (problem.n, problem.m) == (100, 5)
    assert problem.values[:3] == (504, 803, 667)
    assert problem.values[-1] == 632
    assert problem.weights[0][:3] == (42, 41, 523)
    assert problem.weights[4][-1] == 635
    assert problem.capacities == (11927, 13727, 11551, 13056, 13460)
    assert first.orlib_name == "5.100-00"
    assert first.best_known == 24381 == problem.stated_optimum


def test_mknapcb4_problems_take_their_best_known_values(bench_data):
    instances = load_mknap(bench_data, "mknapcb4")
    assert len(instances) == 30
    assert (instances[0].problem.n, instances[0].problem.m) == (100, 10)
    assert [i.orlib_name for i in instances[:2]] == ["10.100-00", "10.100-01"]
    assert instances[0].best_known == 23064
    assert instances[29].best_known == 60633
    assert all(i.best_known is not None for i in instances)


def test_the_portfolio_is_a_one_phase_knapsack(bench_data):
    first = load_mknap(bench_data, "mknapcb1")[0]
    portfolio = first.portfolio
    assert parse_portfolio(portfolio_to_dict(portfolio)) == portfolio
    assert portfolio.calendar.phases == 1
    assert portfolio.budget.per_phase is None and portfolio.budget.total is None
    assert dict(portfolio.capacity) == {"r0": 11927, "r1": 13727, "r2": 11551, "r3": 13056,
                                        "r4": 13460}  # fmt: skip
    item = portfolio.initiative("I00")
    assert (item.duration, item.value, item.cadence, item.teams) == (1, 504, "agile", 0)
    assert item.uses["r0"] == 42
    assert len(portfolio.initiatives) == 100


def test_a_packing_is_valid_exactly_when_it_fits_and_its_value_is_the_sum(bench_data):
    first = load_mknap(bench_data, "mknapcb1")[0]
    problem = build_problem(first.portfolio)
    small = {"I00": 0, "I01": 0, "I02": 0}
    assert check_starts(problem, small) == []
    assert realized_value(problem, small) == 504 + 803 + 667
    everything = {it.key: 0 for it in problem.items}
    violations = check_starts(problem, everything)
    assert any("r0" in v and "capacity of 11927" in v for v in violations)


def test_best_known_table_stops_before_the_lp_values():
    text = (
        "Problem Name        Best Feasible Solution Value\n\n5.100-00   24381\n5.100-01  24274\n\n"
        "Problem Name     LP optimal\n\n5.100-00        2.4585902722e+04\n"
    )
    assert parse_best_known(text) == {"5.100-00": 24381, "5.100-01": 24274}


def test_a_truncated_file_is_refused():
    with pytest.raises(ValueError, match="ends early"):
        parse_mknap("1\n3 1 10\n1 2 3\n1 1\n")
