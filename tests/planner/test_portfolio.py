"""Portfolio files, version 1: defaults, every bad-input message, round trips."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from planner.errors import PortfolioError
from planner.portfolio import (
    dump_portfolio,
    load_portfolio,
    parse_portfolio,
    parse_portfolio_text,
    policy_rule_matches,
)

DEMO = Path(__file__).resolve().parents[2] / "catalog" / "data" / "demo.yaml"


def doc(*initiatives: dict, **top) -> dict:
    base = {"version": 1, "calendar": {"start": "2027-01-01", "phases": 4}}
    items = [
        {"key": f"K{i}", "title": "t", "duration": 1, "value": 1, **it}
        for i, it in enumerate(initiatives)
    ]
    return {**base, "initiatives": items, **top}


def problems_of(data: dict) -> list[str]:
    with pytest.raises(PortfolioError) as info:
        parse_portfolio(data)
    return info.value.problems


def test_defaults_fill_in_every_optional_field():
    p = parse_portfolio(doc({"key": "sso"}))
    spec = p.initiatives[0]
    assert spec.key == "SSO"  # keys are upper-cased
    assert (spec.cadence, spec.capex, spec.hosting, spec.data, spec.status) == (
        "waterfall",
        0,
        "on_prem",
        "internal",
        "approved",
    )
    assert spec.deadline is None and spec.pin is None and spec.teams == 1
    assert p.calendar.start == dt.date(2027, 1, 1) and p.calendar.tollgates is None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"bogus": 1}, "initiative K0: unknown field 'bogus'"),
        (
            {"duration": "two"},
            "initiative K0: field 'duration': expected a number of phases ≥ 1, got 'two'",
        ),
        ({"capex": -5}, "initiative K0: field 'capex': expected whole currency units ≥ 0, got -5"),
        ({"opex": 1.5}, "initiative K0: field 'opex': expected whole currency units ≥ 0, got 1.5"),
        ({"duration": 5}, "initiative K0: field 'duration': 5 phases is beyond the horizon of 4"),
        ({"cadence": "scrum"}, "initiative K0: field 'cadence': expected one of waterfall, agile"),
        ({"depends_on": ["NOPE"]}, "initiative K0: field 'depends_on' names unknown key 'NOPE'"),
        ({"excludes": ["NOPE"]}, "initiative K0: field 'excludes' names unknown key 'NOPE'"),
        ({"personal_data": "yes"}, "initiative K0: field 'personal_data': expected true or false"),
        ({"pin": 3, "duration": 2}, "initiative K0: field 'pin': starting in phase 3, 2 phases"),
        (
            {"uses": {"agile_teams": 2}},
            "'agile_teams' is a built-in resource (set 'teams' instead)",
        ),
        ({"key": "bad key!"}, "initiative #1: field 'key': expected letters, digits and dashes"),
    ],
)
def test_each_bad_field_is_named_with_what_was_expected(change, expected):
    problems = problems_of(doc(change))
    assert any(expected in p for p in problems), problems


def test_duplicate_keys_are_refused_case_insensitively():
    problems = problems_of(doc({"key": "A"}, {"key": "a"}))
    assert problems == ["initiative A: duplicate key (also initiative #1)"]


def test_a_dependency_cycle_names_the_keys_in_it():
    problems = problems_of(
        doc(
            {"key": "A", "depends_on": ["B"]},
            {"key": "B", "depends_on": ["C"]},
            {"key": "C", "depends_on": ["A"]},
            {"key": "D"},
        )
    )
    assert problems == [
        "dependency cycle: A → C → B → A (depends_on must not loop)"
    ] or problems == ["dependency cycle: A → B → C → A (depends_on must not loop)"]


def test_per_phase_lists_must_have_one_number_per_phase():
    problems = problems_of(doc({}, budget={"per_phase": [1, 2, 3]}, capacity={"integration": [1]}))
    expected = "expected one number or a list of 4 numbers (one per phase), got a list of 3"
    assert f"budget.per_phase: {expected}" in problems
    assert any(
        p.startswith("capacity.integration: expected one number or a list of 4") for p in problems
    )


def test_all_problems_are_reported_together():
    problems = problems_of(doc({"capex": -1}, {"value": "x"}, version=2))
    assert len(problems) == 3 and problems[0].startswith("version: expected 1")


def test_calendar_and_policy_errors():
    data = doc({})
    data["calendar"] = {"start": "soon", "phases": 0, "phase": "week", "tollgates": [9]}
    data["policy"] = {"review": ["cloudy"]}
    problems = problems_of(data)
    joined = "\n".join(problems)
    for text in (
        "calendar.start: expected a date like 2027-01-01, got 'soon'",
        "calendar.phases: expected a number of phases ≥ 1, got 0",
        "calendar.phase: expected one of quarter, month, sprint, got 'week'",
        "policy.review: expected rules like saas_personal_data",
    ):
        assert text in joined


def test_an_rrule_is_accepted_and_a_broken_one_refused():
    ok = parse_portfolio(
        doc(
            {},
            calendar={"start": "2027-01-01", "phases": 4, "tollgates": "FREQ=MONTHLY;INTERVAL=6"},
        )
    )
    assert ok.calendar.tollgates == "FREQ=MONTHLY;INTERVAL=6"
    problems = problems_of(
        doc({}, calendar={"start": "2027-01-01", "phases": 4, "tollgates": "FREQ=SOMETIMES"})
    )
    assert problems[0].startswith("calendar.tollgates: expected a list of phases or an RRULE")


def test_invalid_yaml_and_missing_file_are_clear(tmp_path):
    with pytest.raises(PortfolioError, match="not valid YAML"):
        parse_portfolio_text("a: [", fmt="yaml")
    with pytest.raises(PortfolioError, match="cannot read"):
        load_portfolio(tmp_path / "nope.yaml")


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_demo_round_trips_without_loss(fmt):
    demo = load_portfolio(DEMO)
    again = parse_portfolio_text(dump_portfolio(demo, fmt=fmt), fmt=fmt)
    assert again == demo


def test_demo_has_the_promised_shape():
    demo = load_portfolio(DEMO)
    statuses = [s.status for s in demo.initiatives]
    assert len(demo.initiatives) == 16 and statuses.count("proposed") == 2
    assert statuses.count("approved") == 14


@pytest.mark.parametrize(
    ("rule", "hosting", "data", "personal", "matches"),
    [
        ("saas_personal_data", "saas", "public", True, True),
        ("saas_personal_data", "hybrid", "public", True, False),
        ("confidential", "on_prem", "confidential", False, True),
        ("saas_restricted", "saas", "restricted", False, True),
        ("saas_restricted", "saas", "confidential", False, False),
        ("on_prem", "on_prem", "public", False, True),
    ],
)
def test_policy_rules(rule, hosting, data, personal, matches):
    assert policy_rule_matches(rule, hosting=hosting, data=data, personal_data=personal) is matches
