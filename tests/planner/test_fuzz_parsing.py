"""Fuzzing what people type into the planner's readers: money, periods, what-ifs.

Properties (issue: no traceback reaches a user): each reader returns a value within the
bounds of `planner.limits` or raises its own PlannerError (ScenarioError for money and
what-ifs, PeriodError for periods) — never ValueError, OverflowError or the like; what
a reader returns reads back the same from its text (job payloads carry that text); and
a what-if that reads applies to the demo portfolio or fails with a PlannerError.
Bounded: the whole file runs in a few seconds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.calendar import phases_of
from planner.errors import PeriodError, PlannerError, ScenarioError
from planner.limits import MAX_MONEY, MAX_YEAR, MIN_YEAR
from planner.money import format_money, parse_money
from planner.periods import PeriodRef, parse_period, period_start, resolve_period
from planner.portfolio import load_portfolio
from planner.problem import build_problem
from planner.scenario import apply, changes, parse_whatif

DEMO = Path(__file__).resolve().parents[2] / "catalog" / "data" / "demo.yaml"
TODAY = dt.date(2027, 5, 17)

#: Digits people do not mean as 0–9 but `str.isdigit()` accepts (item 8), and others.
ODD_DIGITS = ["²", "³", "٣", "٢٠", "３", "߂", "𝟠", "½", "Ⅻ", "੩"]
SPACES = [" ", "  ", "\u00a0", "\t", "\u2009", ""]


def numbers() -> st.SearchStrategy[str]:
    """Digits as typed: short and long, grouped, decimal, huge, or not ASCII at all."""
    ascii_digits = st.text("0123456789", min_size=1, max_size=25)
    return st.one_of(
        ascii_digits,
        st.integers(min_value=0, max_value=10**25).map(str),
        st.integers(min_value=0, max_value=10**15).map(lambda n: f"{n:,}"),
        st.tuples(ascii_digits, ascii_digits).map(lambda p: f"{p[0]}.{p[1]}"),
        st.sampled_from(ODD_DIGITS),
        st.just("9" * 5000),
        st.sampled_from(["1e6", "nan", "inf", "0x10", "1_000", "4,00", ".5", "1..2", "-0"]),
    )


def money_texts() -> st.SearchStrategy[str]:
    parts = st.tuples(
        st.sampled_from(["", "+", "-", "−", "$", "€", "£ ", "¥"]),
        numbers(),
        st.sampled_from(SPACES),
        st.sampled_from(["", "k", "K", "m", "M", "mn", "bn", "billion", "thousand", "%", "x"]),
        st.sampled_from(["", " USD", "€", " eur", "$"]),
    )
    return st.one_of(parts.map("".join), st.text(max_size=30))


def period_texts() -> st.SearchStrategy[str]:
    year = st.one_of(
        st.integers(min_value=0, max_value=99999).map(lambda y: f"{y:04d}"),
        st.sampled_from(ODD_DIGITS),
    )
    small = st.one_of(
        st.integers(min_value=-2, max_value=500).map(str), st.sampled_from(ODD_DIGITS)
    )
    shaped = st.one_of(
        st.tuples(year, st.sampled_from(["Q", "q", "-Q", " Q", "/q"]), small).map("".join),
        st.tuples(st.sampled_from(["Q", "q"]), small, st.sampled_from(SPACES), year).map("".join),
        st.tuples(year, st.just("-"), small.map(lambda s: s.zfill(2))).map("".join),
        st.tuples(year, st.just("-"), small.map(lambda s: s.zfill(2)), st.just("-"), small).map(
            "".join
        ),
        st.tuples(st.sampled_from(["phase ", "sprint ", "Sprint #", "FY", "fy "]), small).map(
            "".join
        ),
        st.tuples(
            st.sampled_from(["this", "next", "last", "previous", "current", "after"]),
            st.sampled_from(SPACES),
            st.sampled_from(["quarter", "month", "year"]),
        ).map("".join),
        numbers(),
    )
    return st.one_of(shaped, st.text(max_size=25))


def whatif_texts() -> st.SearchStrategy[str]:
    part = st.one_of(
        st.tuples(
            st.sampled_from(["budget", "total", "total budget", "capacity integration", "phases"]),
            st.sampled_from(["", " "]),
            st.sampled_from(["-", "+", "=", "=+", "=-", "−", "+-"]),
            st.one_of(money_texts(), numbers().map(lambda n: n + "%")),
            st.sampled_from(["", " in 2027Q3", " in 3", " in ²", " in 9999Q4", " in 400"]),
        ).map("".join),
        st.tuples(
            st.sampled_from(["pin ", "unpin ", "with ", "without ", "pin SSO ", "pin BLOG "]),
            st.one_of(period_texts(), st.sampled_from(["SSO", "DLP", "HR-SAAS", "X-1", "so c"])),
        ).map("".join),
        st.text(max_size=20),
    )
    separator = st.sampled_from([", ", " and ", "; ", ","])
    return st.tuples(st.lists(part, min_size=0, max_size=4), separator).map(
        lambda p: p[1].join(p[0])
    )


@pytest.fixture(scope="module")
def demo_problem():
    return build_problem(load_portfolio(DEMO))


# --------------------------------------------------------------------------- money


@settings(max_examples=400, deadline=None)
@given(money_texts())
def test_parse_money_reads_an_amount_within_bounds_or_says_why_not(text: str) -> None:
    try:
        amount = parse_money(text)
    except ScenarioError as exc:
        assert str(exc)
        assert len(str(exc)) < 300  # a 5,000-digit text is not echoed whole
        return
    assert isinstance(amount, int)
    assert 0 <= amount <= MAX_MONEY


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.integers(min_value=-(10**40), max_value=10**40),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.none(),
    )
)
def test_parse_money_of_a_files_numbers_reads_or_says_why_not(value: object) -> None:
    try:
        amount = parse_money(value)  # type: ignore[arg-type]
    except ScenarioError:
        return
    assert 0 <= amount <= MAX_MONEY
    assert amount == value


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=MAX_MONEY))
def test_every_amount_shown_reads_back_unchanged(amount: int) -> None:
    assert parse_money(format_money(amount)) == amount


# --------------------------------------------------------------------------- periods


@settings(max_examples=400, deadline=None)
@given(period_texts())
def test_parse_period_reads_or_says_why_not_and_reads_back(text: str) -> None:
    try:
        ref = parse_period(text)
    except PeriodError as exc:
        assert str(exc)
        assert len(str(exc)) < 300
        return
    assert parse_period(str(ref)) == ref  # what a job payload carries
    if ref.kind == "date":
        assert MIN_YEAR <= ref.value.year <= MAX_YEAR  # type: ignore[union-attr]


@settings(max_examples=300, deadline=None)
@given(period_texts(), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_a_period_names_a_phase_or_a_day_or_says_why_not(text: str, today: dt.date) -> None:
    phases = phases_of(load_portfolio(DEMO).calendar)
    try:
        ref = parse_period(text)
    except PeriodError:
        return
    for use in (
        lambda: resolve_period(ref, phases=phases, today=today),
        lambda: period_start(ref, today=today, phases=phases),
        lambda: period_start(ref, today=today),
    ):
        with contextlib.suppress(PeriodError):
            use()


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        st.integers(min_value=-5, max_value=10**40),
        st.dates(),
        st.datetimes(),
        st.booleans(),
        st.none(),
        st.floats(),
    )
)
def test_parse_period_of_a_files_values_reads_or_says_why_not(value: object) -> None:
    try:
        ref = parse_period(value)  # type: ignore[arg-type]
    except PeriodError:
        return
    assert isinstance(ref, PeriodRef)
    assert parse_period(str(ref)) == ref


# --------------------------------------------------------------------------- what-ifs


@settings(max_examples=300, deadline=None)
@given(whatif_texts())
def test_parse_whatif_reads_or_says_which_part_is_wrong(text: str) -> None:
    try:
        parse_whatif(text)
    except ScenarioError as exc:
        assert str(exc)


@settings(max_examples=150, deadline=None)
@given(whatif_texts())
def test_a_whatif_that_reads_applies_or_says_why_not(demo_problem, text: str) -> None:
    try:
        transforms = parse_whatif(text)
    except ScenarioError:
        return
    try:
        problem = apply(demo_problem, transforms)
        lines = changes(demo_problem, transforms)
    except PlannerError as exc:
        assert str(exc)
        return
    assert len(lines) >= len(transforms) or not transforms
    assert all(b is None or 0 <= b <= MAX_MONEY for b in problem.budget)
    assert problem.total_budget is None or 0 <= problem.total_budget <= MAX_MONEY
