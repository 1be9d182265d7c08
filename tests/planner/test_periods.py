"""planner.periods: reading them, the phase they name, the day they start."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from planner.calendar import phases_of
from planner.errors import PeriodError
from planner.periods import PeriodRef, parse_period, period_span, period_start, resolve_period
from planner.portfolio import Calendar, load_portfolio

DEMO = Path(__file__).resolve().parents[2] / "catalog" / "data" / "demo.yaml"
TODAY = dt.date(2027, 5, 17)  # in 2027Q2, phase 1 of the demo calendar


@pytest.fixture(scope="module")
def demo_phases():
    """The demo portfolio's calendar: eight quarters from 2027-01-01."""
    return phases_of(load_portfolio(DEMO).calendar)


def quarters(start: dt.date = dt.date(2027, 1, 1), n: int = 8, fy: int = 1):
    return phases_of(Calendar(start=start, phases=n, phase="quarter", fiscal_year_start=fy))


# --------------------------------------------------------------------------- parse_period


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("3", PeriodRef("index", 3)),
        ("phase 3", PeriodRef("index", 3)),
        ("2027Q1", PeriodRef("quarter", (2027, 1))),
        ("2027q4", PeriodRef("quarter", (2027, 4))),
        ("2027-Q2", PeriodRef("quarter", (2027, 2))),
        ("Q3 2028", PeriodRef("quarter", (2028, 3))),
        ("Q3", PeriodRef("quarter", (None, 3))),
        ("q1", PeriodRef("quarter", (None, 1))),
        ("2027-03-01", PeriodRef("date", dt.date(2027, 3, 1))),
        ("2027-03", PeriodRef("month", (2027, 3))),
        ("next quarter", PeriodRef("relative", ("quarter", 1))),
        ("Next  Quarter", PeriodRef("relative", ("quarter", 1))),
        ("next-quarter", PeriodRef("relative", ("quarter", 1))),
        ("this quarter", PeriodRef("relative", ("quarter", 0))),
        ("current quarter", PeriodRef("relative", ("quarter", 0))),
        ("last quarter", PeriodRef("relative", ("quarter", -1))),
        ("next month", PeriodRef("relative", ("month", 1))),
        ("this month", PeriodRef("relative", ("month", 0))),
        ("FY2028Q1", PeriodRef("label", "FY2028Q1")),
        ("fy 2028 q1", PeriodRef("label", "FY2028Q1")),
        ("Sprint 4", PeriodRef("label", "Sprint 4")),
        ("sprint4", PeriodRef("label", "Sprint 4")),
    ],
)
def test_parse_period(text, ref):
    assert parse_period(text) == ref


@pytest.mark.parametrize(
    ("ref", "text"),
    [
        (PeriodRef("index", 3), "phase 3"),
        (PeriodRef("quarter", (2027, 1)), "2027Q1"),
        (PeriodRef("quarter", (None, 3)), "Q3"),
        (PeriodRef("month", (2027, 3)), "2027-03"),
        (PeriodRef("date", dt.date(2027, 3, 1)), "2027-03-01"),
        (PeriodRef("relative", ("quarter", 1)), "next quarter"),
        (PeriodRef("relative", ("month", -1)), "last month"),
        (PeriodRef("label", "FY2028Q1"), "FY2028Q1"),
    ],
)
def test_period_text(ref, text):
    assert str(ref) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "soon",
            "'soon' is not a period: expected 2027Q1, Q3, 2027-03, 2027-03-01, next quarter "
            "or a phase number such as 3.",
        ),
        (
            "2027Q5",
            "'2027Q5' is not a period: expected 2027Q1, Q3, 2027-03, 2027-03-01, "
            "next quarter or a phase number such as 3.",
        ),
        ("2027-02-30", "'2027-02-30' is not a date: day is out of range for month."),
        ("2027-13", "'2027-13' is not a month: months run from 01 to 12."),
        (
            "-1",
            "'-1' is not a period: expected 2027Q1, Q3, 2027-03, 2027-03-01, next quarter "
            "or a phase number such as 3.",
        ),
        (
            "next year",
            "'next year' is not a period: expected 2027Q1, Q3, 2027-03, 2027-03-01, "
            "next quarter or a phase number such as 3.",
        ),
    ],
)
def test_parse_period_errors(text, message):
    with pytest.raises(PeriodError) as info:
        parse_period(text)
    assert str(info.value) == message


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        PeriodRef("week", 3)


# --------------------------------------------------------------------------- spans


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("2027Q1", (dt.date(2027, 1, 1), dt.date(2027, 3, 31))),
        ("2028Q4", (dt.date(2028, 10, 1), dt.date(2028, 12, 31))),
        ("2028-02", (dt.date(2028, 2, 1), dt.date(2028, 2, 29))),
        ("2027-03-15", (dt.date(2027, 3, 15), dt.date(2027, 3, 15))),
        ("this quarter", (dt.date(2027, 4, 1), dt.date(2027, 6, 30))),
        ("next quarter", (dt.date(2027, 7, 1), dt.date(2027, 9, 30))),
        ("last quarter", (dt.date(2027, 1, 1), dt.date(2027, 3, 31))),
        ("this month", (dt.date(2027, 5, 1), dt.date(2027, 5, 31))),
        ("next month", (dt.date(2027, 6, 1), dt.date(2027, 6, 30))),
    ],
)
def test_period_span(text, span):
    assert period_span(parse_period(text), today=TODAY) == span


def test_next_quarter_crosses_the_year():
    ref = parse_period("next quarter")
    assert period_span(ref, today=dt.date(2027, 12, 31)) == (
        dt.date(2028, 1, 1),
        dt.date(2028, 3, 31),
    )
    assert period_span(parse_period("next month"), today=dt.date(2027, 12, 5))[0] == dt.date(
        2028, 1, 1
    )


def test_span_of_a_plan_relative_period_is_refused():
    with pytest.raises(ValueError):
        period_span(PeriodRef("index", 2), today=TODAY)


# --------------------------------------------------------------------------- resolve_period


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("0", 0),
        ("7", 7),
        ("2027Q1", 0),
        ("2027Q3", 2),
        ("2028Q4", 7),
        ("Q3", 2),
        ("Q1", 0),
        ("2027-03-01", 0),
        ("2027-04-01", 1),
        ("2028-12-31", 7),
        ("2027-08", 2),
        ("this quarter", 1),
        ("next quarter", 2),
        ("last quarter", 0),
        ("next month", 1),
    ],
)
def test_resolve_in_the_demo_calendar(demo_phases, text, index):
    assert resolve_period(parse_period(text), phases=demo_phases, today=TODAY) == index


def test_next_quarter_follows_today(demo_phases):
    ref = parse_period("next quarter")
    assert resolve_period(ref, phases=demo_phases, today=dt.date(2027, 1, 1)) == 1
    assert resolve_period(ref, phases=demo_phases, today=dt.date(2027, 3, 31)) == 1
    assert resolve_period(ref, phases=demo_phases, today=dt.date(2027, 4, 1)) == 2
    assert resolve_period(ref, phases=demo_phases, today=dt.date(2028, 6, 30)) == 6
    assert resolve_period(ref, phases=demo_phases, today=dt.date(2028, 7, 1)) == 7


HORIZON = "it runs from 2027Q1 to 2028Q4 (2027-01-01 to 2028-12-31, phases 0–7)"


@pytest.mark.parametrize(
    ("text", "today", "message"),
    [
        ("8", TODAY, f"There is no phase 8: {HORIZON}."),
        ("2029Q1", TODAY, f"2029Q1 is outside the plan: {HORIZON}."),
        ("2026-12-31", TODAY, f"2026-12-31 is outside the plan: {HORIZON}."),
        ("2029-01", TODAY, f"2029-01 is outside the plan: {HORIZON}."),
        (
            "next quarter",
            dt.date(2028, 11, 2),
            f"Next quarter (from 2029-01-01) is outside the plan: {HORIZON}.",
        ),
        (
            "last quarter",
            dt.date(2027, 2, 1),
            f"Last quarter (from 2026-10-01) is outside the plan: {HORIZON}.",
        ),
        ("FY2028Q1", TODAY, f"No phase is labelled FY2028Q1: {HORIZON}."),
        ("Sprint 2", TODAY, f"No phase is labelled Sprint 2: {HORIZON}."),
    ],
)
def test_resolve_outside_the_horizon(demo_phases, text, today, message):
    with pytest.raises(PeriodError) as info:
        resolve_period(parse_period(text), phases=demo_phases, today=today)
    assert str(info.value) == message


def test_bare_quarter_outside_a_short_horizon():
    phases = quarters(n=2)
    with pytest.raises(PeriodError) as info:
        resolve_period(parse_period("Q3"), phases=phases, today=TODAY)
    assert str(info.value).startswith("No Q3 falls in the plan: it runs from 2027Q1 to 2027Q2")


def test_resolve_needs_phases():
    with pytest.raises(PeriodError):
        resolve_period(parse_period("0"), phases=(), today=TODAY)


def test_resolve_in_a_fiscal_calendar():
    """With a fiscal year from July, labels are FY…Q…; calendar quarters still work."""
    phases = quarters(start=dt.date(2027, 7, 1), fy=7)
    assert phases[0].label == "FY2028Q1"
    assert resolve_period(parse_period("FY2028Q3"), phases=phases, today=TODAY) == 2
    assert resolve_period(parse_period("Q3"), phases=phases, today=TODAY) == 2  # fiscal Q3
    assert resolve_period(parse_period("2027Q3"), phases=phases, today=TODAY) == 0
    assert resolve_period(parse_period("2028Q1"), phases=phases, today=TODAY) == 2


def test_resolve_in_a_month_calendar():
    phases = phases_of(Calendar(start=dt.date(2027, 1, 1), phases=12, phase="month"))
    assert resolve_period(parse_period("2027Q3"), phases=phases, today=TODAY) == 6
    assert resolve_period(parse_period("Q2"), phases=phases, today=TODAY) == 3
    assert resolve_period(parse_period("2027-11"), phases=phases, today=TODAY) == 10
    assert resolve_period(parse_period("next month"), phases=phases, today=TODAY) == 5
    assert resolve_period(parse_period("next quarter"), phases=phases, today=TODAY) == 6


def test_resolve_in_a_sprint_calendar():
    phases = phases_of(Calendar(start=dt.date(2027, 1, 4), phases=6, phase="sprint"))
    assert resolve_period(parse_period("sprint 3"), phases=phases, today=TODAY) == 2
    assert resolve_period(parse_period("2027-01-20"), phases=phases, today=TODAY) == 1
    # January began before the plan and runs into it: the first phase
    assert resolve_period(parse_period("2027-01"), phases=phases, today=TODAY) == 0


# --------------------------------------------------------------------------- period_start


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("2027Q2", dt.date(2027, 4, 1)),
        ("2028Q1", dt.date(2028, 1, 1)),
        ("2027-03", dt.date(2027, 3, 1)),
        ("2027-03-15", dt.date(2027, 3, 15)),
        ("next quarter", dt.date(2027, 7, 1)),
        ("this quarter", dt.date(2027, 4, 1)),
        ("next month", dt.date(2027, 6, 1)),
        ("Q3", dt.date(2027, 7, 1)),
        ("Q2", dt.date(2027, 4, 1)),  # the current Q2 has not ended
        ("Q1", dt.date(2028, 1, 1)),
    ],
)
def test_period_start(text, start):
    assert period_start(parse_period(text), today=TODAY) == start


def test_period_start_of_a_phase_needs_the_plan(demo_phases):
    assert period_start(parse_period("3"), today=TODAY, phases=demo_phases) == dt.date(2027, 10, 1)
    with pytest.raises(PeriodError) as info:
        period_start(parse_period("3"), today=TODAY)
    assert str(info.value) == (
        "Phase 3 names a phase of the current plan; give a quarter, a month or a date "
        "instead, e.g. 2027Q1 or 2027-03-01."
    )
    with pytest.raises(PeriodError):
        period_start(parse_period("9"), today=TODAY, phases=demo_phases)


def test_period_start_of_a_label():
    phases = quarters(start=dt.date(2027, 7, 1), fy=7)
    assert period_start(parse_period("FY2028Q2"), today=TODAY, phases=phases) == dt.date(
        2027, 10, 1
    )


# --------------------------------------------------------------------------- one grammar


@pytest.mark.parametrize(
    ("value", "ref"),
    [
        ("2027Q3", PeriodRef("quarter", (2027, 3))),
        ("\u00a02027Q3\t", PeriodRef("quarter", (2027, 3))),
        (3, PeriodRef("index", 3)),  # a phase number in a portfolio file
        (dt.date(2027, 3, 1), PeriodRef("date", dt.date(2027, 3, 1))),  # YAML's dates
        ("2999Q4", PeriodRef("quarter", (2999, 4))),
        ("1900-01-01", PeriodRef("date", dt.date(1900, 1, 1))),
        ("phase 399", PeriodRef("index", 399)),
    ],
)
def test_parse_period_is_the_one_grammar_of_chat_and_files(value, ref):
    assert parse_period(value) == ref


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9999Q4", "the year 9999 is outside the years Townhall plans in (1900–2999)"),
        ("Q4 3000", "the year 3000 is outside"),
        ("0001-01-01", "the year 1 is outside"),
        ("9999-12", "the year 9999 is outside"),
        ("FY9999Q1", "the year 9999 is outside"),
        (dt.date(9999, 12, 31), "the year 9999 is outside"),
        ("٢٠٢٧Q3", "'٢٠٢٧Q3' is not a period: write digits 0–9"),
        ("²", "'²' is not a period: write digits 0–9"),
        ("phase ³", "'phase ³' is not a period: write digits 0–9"),
        ("400", "'400': there is no phase 400: a plan has at most 400 phases (0–399)"),
        ("9" * 5000, "a plan has at most 400 phases"),
        ("sprint " + "9" * 5000, "a plan has at most 400 phases"),
        (-1, "-1 is not a period"),
        (True, "True is not a period"),
        (2.5, "2.5 is not a period"),
        (None, "None is not a period"),
    ],
)
def test_parse_period_refuses_with_what_was_expected(value, message):
    with pytest.raises(PeriodError) as info:
        parse_period(value)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("kind", "value"),
    [("quarter", (9999, 4)), ("month", (10000, 1)), ("date", dt.date(9999, 12, 31))],
)
def test_a_period_outside_the_years_cannot_be_made(kind, value):
    """A job payload carries a PeriodRef: one made by hand is held to the same years."""
    with pytest.raises(PeriodError, match="outside the years Townhall plans in"):
        PeriodRef(kind, value)


def test_spans_near_the_last_year_never_overflow():
    assert period_span(PeriodRef("quarter", (2999, 4)), today=TODAY)[1] == dt.date(2999, 12, 31)
    last_day = dt.date(9999, 12, 31)  # no such today, but nothing overflows into a crash
    for text in ("Q1", "next quarter", "next month"):
        with pytest.raises(PeriodError, match="outside the years Townhall plans in"):
            period_start(parse_period(text), today=last_day)
