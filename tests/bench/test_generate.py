from __future__ import annotations

from collections import Counter

import pytest

from bench.generate import generate_portfolio, mandatory_schedule, with_drivers
from planner.greedy import greedy_starts
from planner.portfolio import parse_portfolio, portfolio_to_dict
from planner.problem import build_problem
from planner.validate import check_starts


@pytest.fixture(scope="module")
def portfolio():
    return generate_portfolio(200, 12, seed=7)


def test_the_same_seed_gives_the_same_portfolio_and_another_seed_another():
    assert generate_portfolio(60, 8, seed=3) == generate_portfolio(60, 8, seed=3)
    assert generate_portfolio(60, 8, seed=3) != generate_portfolio(60, 8, seed=4)


@pytest.mark.parametrize(("n", "phases"), [(6, 4), (50, 8), (200, 12), (300, 24)])
def test_a_generated_portfolio_is_valid_and_has_the_size_asked_for(n, phases):
    portfolio = generate_portfolio(n, phases, seed=1)
    assert parse_portfolio(portfolio_to_dict(portfolio)) == portfolio
    assert len(portfolio.initiatives) == n
    assert portfolio.calendar.phases == phases


def test_foundations_have_many_dependents(portfolio):
    foundations = [it.key for it in portfolio.initiatives if it.category == "foundation"]
    assert {"SSO", "DLP", "INTEG"} <= set(foundations)
    dependents = Counter(dep for it in portfolio.initiatives for dep in it.depends_on)
    assert dependents["SSO"] >= 20 and dependents["DLP"] >= 10
    assert portfolio.initiative("SSO").cadence == "waterfall"


def test_build_and_buy_alternatives_exclude_each_other(portfolio):
    pairs = [(it.key, other) for it in portfolio.initiatives for other in it.excludes]
    assert len(pairs) >= 5
    for buy, build in pairs:
        assert buy.endswith("-BUY") and build == buy.removesuffix("-BUY") + "-BUILD"
        assert portfolio.initiative(buy).hosting == "saas"
        assert portfolio.initiative(build).cadence == "waterfall"


def test_calendar_policy_and_limits_look_like_a_real_portfolio(portfolio):
    cadences = Counter(it.cadence for it in portfolio.initiatives)
    assert cadences["agile"] > cadences["waterfall"] > 30
    assert portfolio.calendar.tollgates == tuple(range(0, 12, 2))
    assert portfolio.calendar.freeze
    assert any(it.mandatory for it in portfolio.initiatives)
    assert any(it.deadline is not None for it in portfolio.initiatives)
    assert {"integration", "data_engineering", "security_reviews", "agile_teams",
            "waterfall_programs"} <= set(portfolio.capacity)  # fmt: skip
    problem = build_problem(portfolio)
    assert any(it.blocked and "forbidden" in it.blocked for it in problem.items)
    assert any(it.needs_review for it in problem.items)
    schedulable = [it for it in problem.items if not it.blocked]
    assert sum(it.capex for it in schedulable) > portfolio.budget.total


def test_a_month_calendar_takes_tollgates_from_an_rrule():
    portfolio = generate_portfolio(80, 24, seed=2)
    assert portfolio.calendar.phase == "month"
    problem = build_problem(portfolio)
    assert problem.tollgates == frozenset(range(0, 24, 2))
    assert problem.freeze == frozenset({11, 23})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_mandatory_part_is_feasible_and_the_greedy_plan_is_valid(seed):
    problem = build_problem(generate_portfolio(120, 8, seed=seed))
    starts, unplaced = mandatory_schedule(problem)
    assert unplaced == set()
    assert check_starts(problem, starts) == []
    assert any(problem.must_select(it) for it in problem.items)
    assert check_starts(problem, greedy_starts(problem)) == []


def test_too_small_a_portfolio_is_refused():
    with pytest.raises(ValueError, match="at least 6"):
        generate_portfolio(5, 8, seed=1)


def test_strategic_cases_score_every_initiative_against_complete_judgments(portfolio):
    from planner.drivers import group_weights

    scored = with_drivers(portfolio, seed=7)
    assert scored == with_drivers(portfolio, seed=7)
    assert with_drivers(scored, seed=8) is scored  # drivers already there: kept
    assert parse_portfolio(portfolio_to_dict(scored)) == scored
    weights = group_weights(scored.drivers, scored.judgments)
    assert weights.source == "judgments" and set(weights.people) == {"U0CIO", "U0CMO"}
    assert all(person.complete for person in weights.people.values())
    assert sum(1 for it in scored.initiatives if it.scores) > 0.9 * len(scored.initiatives)
