"""Portfolio files with business drivers: reading, every bad-input message, round trips,
and the objective they put into the Problem."""

from __future__ import annotations

from fractions import Fraction

import pytest

from planner.drivers import Driver, Judgment
from planner.errors import PortfolioError
from planner.goal import SCALE, Goal
from planner.portfolio import (
    INITIATIVE_FIELDS,
    dump_portfolio,
    parse_portfolio,
    parse_portfolio_text,
)
from planner.problem import build_problem
from tests.planner.test_portfolio import DEMO, doc, problems_of

DRIVERS = [
    {"key": "engage", "name": "Customer engagement"},
    {"key": "secure", "name": "Security and compliance", "description": "ISO 27001, GDPR"},
]


def strategic_doc(*initiatives: dict, **top) -> dict:
    return doc(*initiatives, **{"drivers": DRIVERS, **top})


def test_the_issue_example_reads():
    p = parse_portfolio_text(
        """
version: 1
calendar: {start: 2027-01-01, phases: 4}
drivers:
  - {key: engage, name: Customer engagement}
  - {key: secure, name: Security and compliance}
judgments:              # a is `ratio` times as important as b; 1/3 means b is 3x a
  - {by: U0CIO, a: engage, b: secure, ratio: 3}
  - {by: U0CMO, a: engage, b: secure, ratio: "1/3"}
initiatives:
  - key: TWITTER
    title: Twitter
    duration: 1
    value: 10
    scores: {engage: 5, secure: 1}   # missing drivers score 0
"""
    )
    assert p.drivers == (
        Driver("engage", "Customer engagement"),
        Driver("secure", "Security and compliance"),
    )
    assert p.judgments == (
        Judgment("U0CIO", "engage", "secure", Fraction(3)),
        Judgment("U0CMO", "engage", "secure", Fraction(1, 3)),
    )
    assert p.initiatives[0].scores == {"engage": 5, "secure": 1}
    assert (p.objective, p.blend) == ("value", 1.0)
    assert "scores" in INITIATIVE_FIELDS


def test_scores_may_be_level_words_and_missing_ones_are_zero():
    p = parse_portfolio(
        strategic_doc({"scores": {"engage": "transformative", "secure": "none"}}, {})
    )
    assert p.initiatives[0].scores == {"engage": 5, "secure": 0}
    assert p.initiatives[1].scores == {}


def test_a_portfolio_without_drivers_is_unchanged():
    p = parse_portfolio(doc({}))
    assert (p.drivers, p.judgments, p.objective, p.blend) == ((), (), "value", 1.0)
    assert "drivers" not in dump_portfolio(p) and "scores" not in dump_portfolio(p)


@pytest.mark.parametrize(
    ("top", "scores", "expected"),
    [
        (
            {"drivers": [{"key": "Engage", "name": "x"}]},
            None,
            "drivers[0].key: expected a driver key in lower case, like engage or cost_cut, "
            "got 'Engage'",
        ),
        (
            {"drivers": [{"key": "e" * 41, "name": "x"}]},
            None,
            "drivers[0].key: expected at most 40 characters, got 41",
        ),
        (
            {"drivers": [{"key": "e", "name": ""}]},
            None,
            "drivers[0].name: expected non-empty text, got ''",
        ),
        (
            {"drivers": [{"key": "e", "name": "x" * 101}]},
            None,
            "drivers[0].name: expected at most 100 characters, got 101",
        ),
        (
            {"drivers": [{"key": "e", "name": "x", "description": "d" * 501}]},
            None,
            "drivers[0].description: expected at most 500 characters, got 501",
        ),
        (
            {"drivers": [{"key": "e", "name": "x"}, {"key": "e", "name": "y"}]},
            None,
            "drivers[1].key: duplicate driver 'e' (also drivers[0])",
        ),
        (
            {"drivers": [{"key": f"d{i}", "name": "x"} for i in range(11)]},
            None,
            "drivers: expected at most 10 drivers, got 11",
        ),
        (
            {"drivers": [{"key": "e", "name": "x", "weight": 2}]},
            None,
            "drivers[0]: unknown field 'weight' (known: key, name, description)",
        ),
        ({"drivers": "engage"}, None, "drivers: expected a list of drivers"),
        (
            {"judgments": [{"by": "U1", "a": "engage", "b": "secure", "ratio": 10}]},
            None,
            "judgments[0].ratio: expected a whole number 1 to 9, or 1/2 … 1/9 (a is that many "
            "times as important as b), got 10 (int)",
        ),
        (
            {"judgments": [{"by": "U1", "a": "engage", "b": "secure", "ratio": "2/3"}]},
            None,
            "judgments[0].ratio: expected a whole number 1 to 9, or 1/2 … 1/9",
        ),
        (
            {"judgments": [{"by": "U1", "a": "engage", "b": "cost", "ratio": 3}]},
            None,
            "judgments[0].b: 'cost' is not a driver (drivers: engage, secure)",
        ),
        (
            {"judgments": [{"by": "U1", "a": "engage", "b": "engage", "ratio": 3}]},
            None,
            "judgments[0]: compares 'engage' with itself; name two different drivers",
        ),
        (
            {"judgments": [{"by": "U1", "a": "engage", "ratio": 3}]},
            None,
            "judgments[0]: field 'b' is missing",
        ),
        (
            {"judgments": [{"by": "", "a": "engage", "b": "secure", "ratio": 3}]},
            None,
            "judgments[0].by: expected non-empty text, got ''",
        ),
        (
            {
                "judgments": [
                    {"by": "U1", "a": "engage", "b": "secure", "ratio": 3},
                    {"by": "U1", "a": "secure", "b": "engage", "ratio": "1/3"},
                ]
            },
            None,
            "judgments[1]: U1 already compared secure and engage in judgments[0]; keep one "
            "answer per person and pair",
        ),
        ({"objective": "money"}, None, "objective: expected one of value, strategic, blend"),
        ({"blend": 0}, None, "blend: expected a number above 0 and at most 100"),
        ({"blend": 101}, None, "blend: expected a number above 0 and at most 100"),
        ({"blend": "half"}, None, "blend: expected a number above 0 and at most 100"),
        ({"blend": True}, None, "blend: expected a number above 0 and at most 100"),
        (
            {},
            {"engage": 6},
            "initiative K0: field 'scores'.engage: expected a score 0 to 5 (0 none, 1 minimal, "
            "2 low, 3 moderate, 4 high, 5 transformative), got 6 (int)",
        ),
        ({}, {"engage": 2.5}, "initiative K0: field 'scores'.engage: expected a score 0 to 5"),
        (
            {},
            {"growth": 3},
            "initiative K0: field 'scores': 'growth' is not a driver (drivers: engage, secure)",
        ),
        (
            {},
            [3, 4],
            "initiative K0: field 'scores': expected a mapping of driver key to a score 0-5",
        ),
    ],
)
def test_each_bad_strategy_field_is_named_with_what_was_expected(top, scores, expected):
    item = {} if scores is None else {"scores": scores}
    found = problems_of(strategic_doc(item, **top))
    assert any(p.startswith(expected) for p in found), found


def test_scores_need_drivers_and_strategy_needs_drivers():
    assert problems_of(doc({"scores": {"engage": 3}})) == [
        "initiative K0: field 'scores': 'engage' is not a driver (the portfolio has no "
        "drivers; add a drivers section)"
    ]
    assert problems_of(doc({}, objective="strategic")) == [
        "objective: 'strategic' plans for the business drivers but the portfolio has none; "
        "add a drivers section (and scores), or plan for value"
    ]


def test_a_bad_drivers_section_is_reported_once_not_under_every_score():
    found = problems_of(doc({"scores": {"engage": 3}}, drivers=[{"key": "Engage", "name": "x"}]))
    assert len(found) == 1 and found[0].startswith("drivers[0].key")


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_drivers_judgments_objective_blend_and_scores_round_trip(fmt):
    data = strategic_doc(
        {"scores": {"engage": 5, "secure": 1}},
        {"scores": {"secure": 4}},
        judgments=[
            {"by": "U0CIO", "a": "engage", "b": "secure", "ratio": 3},
            {"by": "U0CMO", "a": "secure", "b": "engage", "ratio": "1/2"},
        ],
        objective="blend",
        blend=0.25,
    )
    p = parse_portfolio(data)
    text = dump_portfolio(p, fmt=fmt)
    assert parse_portfolio_text(text, fmt=fmt) == p
    if fmt == "yaml":
        assert "ratio: 1/2" in text and "ratio: 3\n" in text
        assert "objective: blend" in text and "blend: 0.25" in text
        assert "description: ISO 27001, GDPR" in text


def test_value_objective_leaves_every_item_as_it_was():
    plain = build_problem(parse_portfolio(doc({"value": 7}, {"value": 3})))
    driven = build_problem(
        parse_portfolio(strategic_doc({"value": 7, "scores": {"engage": 5}}, {"value": 3}))
    )
    assert plain.goal == Goal()
    assert [(it.benefit, it.per_phase) for it in plain.items] == [(None, 7), (None, 3)]
    assert [(it.benefit, it.per_phase) for it in driven.items] == [(None, 7), (None, 3)]
    assert driven.items[0].realized_value(0, 4) == 7 * 4
    # with drivers, each item knows its strategic score (equal weights: nobody judged)
    assert driven.items[0].strategic == pytest.approx(2.5)
    assert driven.goal.weights == pytest.approx({"engage": 0.5, "secure": 0.5})
    assert driven.goal.source == "equal" and driven.goal.scale == 1


def test_strategic_and_blend_benefits():
    judged = [{"by": "U0CIO", "a": "engage", "b": "secure", "ratio": 3}]  # 0.75 / 0.25
    items = ({"value": 100, "scores": {"engage": 4, "secure": 2}}, {"value": 40})
    strategic = build_problem(
        parse_portfolio(strategic_doc(*items, judgments=judged, objective="strategic"))
    )
    s = 0.75 * 4 + 0.25 * 2
    assert strategic.items[0].strategic == pytest.approx(s)
    assert [it.benefit for it in strategic.items] == [round(SCALE * s), 0]
    assert strategic.items[0].realized_value(1, 4) == round(SCALE * s) * 3
    assert strategic.goal.kind == "strategic" and strategic.goal.noun == "strategic score"
    assert strategic.goal.display(35_000 * 3) == 10.5
    blend = build_problem(
        parse_portfolio(strategic_doc(*items, judgments=judged, objective="blend", blend=0.5))
    )
    assert blend.goal.value_norm == 100
    assert [it.benefit for it in blend.items] == [
        round(SCALE * (1 + 0.5 * s / 5)),
        round(SCALE * 0.4),
    ]
    assert blend.goal.noun == "blended score"


def test_goal_describes_itself_and_is_json():
    judged = [{"by": "U0CIO", "a": "engage", "b": "secure", "ratio": 3}]
    goal = build_problem(
        parse_portfolio(strategic_doc({}, judgments=judged, objective="strategic"))
    ).goal
    shown = goal.to_json()
    assert shown.pop("weights") == pytest.approx({"engage": 0.75, "secure": 0.25})
    assert shown == {
        "objective": "strategic",
        "blend": None,
        "cr": 0.0,
        "source": "judgments",
        "value_norm": None,
        "scale": SCALE,
        "names": {"engage": "Customer engagement", "secure": "Security and compliance"},
    }
    line = goal.describe()
    assert "strategic score" in line and "Customer engagement 75%" in line
    assert "Security and compliance 25%" in line and "judgments" in line
    assert Goal().display(12) == 12 and isinstance(Goal().display(12), int)
    with pytest.raises(ValueError, match="objective must be one of"):
        Goal(kind="money")


def test_planning_for_strategy_without_drivers_is_refused_when_built():
    from dataclasses import replace

    p = parse_portfolio(doc({}))
    with pytest.raises(PortfolioError, match="plans for the business drivers"):
        build_problem(replace(p, objective="strategic"))


def test_the_demo_still_reads():
    from planner.portfolio import load_portfolio

    assert load_portfolio(DEMO).initiatives
