"""Portfolio files that are too big, too deep, badly encoded, impossible or hostile are
refused with one clear, bounded message each (issue items 4, 16, 17, 18 and 20 of the
files' side): the limits of `planner.portfolio.records`, `planner.limits` and
`planner.calendar`, the file guards of `planner.portfolio.source`, and money and periods
read as chat reads them."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest

from planner.calendar import Calendar, calendar_problem, tollgate_phases
from planner.errors import PortfolioError
from planner.portfolio import (
    MAX_CATEGORY_LENGTH,
    MAX_INITIATIVES,
    MAX_OWNER_LENGTH,
    MAX_PHASES,
    MAX_SUMMARY_LENGTH,
    MAX_TITLE_LENGTH,
    load_portfolio,
    parse_portfolio,
    parse_portfolio_text,
)

HEAD = "version: 1\ncalendar: {start: 2027-01-01, phases: 8}\n"


def doc(*initiatives: dict[str, Any], **top: Any) -> dict[str, Any]:
    base = {"version": 1, "calendar": {"start": "2027-01-01", "phases": 8}}
    items = [
        {"key": f"K{i}", "title": "t", "duration": 1, "value": 1, **it}
        for i, it in enumerate(initiatives)
    ]
    return {**base, "initiatives": items, **top}


def problems(data: Any) -> list[str]:
    with pytest.raises(PortfolioError) as info:
        parse_portfolio(data)
    return info.value.problems


def text_problems(text: str, fmt: str = "yaml") -> list[str]:
    with pytest.raises(PortfolioError) as info:
        parse_portfolio_text(text, fmt=fmt)
    return info.value.problems


def one(found: list[str], *parts: str) -> str:
    """The only problem, which must hold every part."""
    assert len(found) == 1, found
    for part in parts:
        assert part in found[0], found[0]
    return found[0]


# --------------------------------------------------------------------------- item 4


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("title", MAX_TITLE_LENGTH),
        ("owner", MAX_OWNER_LENGTH),
        ("category", MAX_CATEGORY_LENGTH),
        ("summary", MAX_SUMMARY_LENGTH),
    ],
)
def test_texts_longer_than_the_modal_and_the_column_are_refused(field: str, limit: int) -> None:
    assert parse_portfolio(doc({field: "x" * limit})).initiatives[0]
    message = one(
        problems(doc({field: "x" * (limit + 1)})),
        f"initiative K0: field '{field}': expected at most {limit:,} characters",
        f"got {limit + 1:,}",
    )
    assert len(message) < 250


def test_a_key_longer_than_its_column_is_refused() -> None:
    one(problems(doc({"key": "K" * 41})), "field 'key': expected at most 40 characters")


def test_a_resource_name_is_bounded_and_may_not_end_in_a_line_break() -> None:
    one(problems(doc({"uses": {"a" * 41: 1}})), "at most 40 characters")
    one(problems(doc({"uses": {"integration\n": 1}})), "resource names in lower case")


def test_a_nul_character_which_postgresql_cannot_store_is_refused() -> None:
    one(problems(doc({"title": "a\x00b"})), "U+0000 at position 2")


# --------------------------------------------------------------------------- item 16


def test_more_phases_than_plan_phases_allows_are_refused_at_once() -> None:
    data = doc()
    data["calendar"]["phases"] = 30_000
    started = time.perf_counter()
    one(problems(data), f"calendar.phases: expected at most {MAX_PHASES} phases", "30000")
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize("phase", ["quarter", "month", "sprint"])
def test_a_horizon_past_the_year_9999_is_refused(phase: str) -> None:
    data = doc()
    data["calendar"] = {"start": "9990-01-01", "phases": 400, "phase": phase}
    one(problems(data), "calendar.start: 9990-01-01: the year 9990 is outside the years")
    # a Calendar built by hand (not read from a file) is checked for 9999 itself
    calendar = Calendar(start=dt.date(9990, 1, 1), phases=400, phase=phase)
    assert calendar_problem(calendar) is not None
    latest = Calendar(start=dt.date(2999, 12, 1), phases=MAX_PHASES, phase=phase)
    assert calendar_problem(latest) is None


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("FREQ=MINUTELY", "FREQ=MINUTELY is not a tollgate frequency"),
        ("FREQ=SECONDLY", "FREQ=SECONDLY is not a tollgate frequency"),
        ("FREQ=HOURLY", "FREQ=HOURLY is not a tollgate frequency"),
        ("FREQ=DAILY;BYHOUR=1,2,3", "BYHOUR is not allowed"),
        ("FREQ=DAILY;INTERVAL=99999999999999999999", "too large"),
        ("FREQ=MONTHLY;FREQ=YEARLY", "FREQ is given twice"),
        ("INTERVAL=2", "FREQ is missing"),
        ("FREQ=MONTHLY;" + "BYMONTHDAY=1;" * 100, "at most 300 characters"),
    ],
)
def test_tollgate_rrules_finer_than_a_day_or_malformed_are_refused(
    rule: str, expected: str
) -> None:
    data = doc()
    data["calendar"]["tollgates"] = rule
    message = one(problems(data), "calendar.tollgates:", expected)
    assert len(message) < 500


def test_a_rule_naming_too_many_days_in_the_horizon_is_refused() -> None:
    data = doc()
    data["calendar"] = {"start": "2027-01-01", "phases": 400, "tollgates": "FREQ=DAILY"}
    one(problems(data), "more than 10000 days in the horizon")


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;INTERVAL=1;BYSETPOS=5;BYDAY=MO",
        "FREQ=DAILY;BYYEARDAY=366;BYMONTH=1",
        "FREQ=WEEKLY;BYMONTH=2;BYMONTHDAY=31",
    ],
)
def test_a_rule_that_never_matches_is_evaluated_in_bounded_time(rule: str) -> None:
    started = time.perf_counter()
    calendar = parse_portfolio(
        doc(calendar={"start": "2027-01-01", "phases": 8, "tollgates": rule})
    )
    assert tollgate_phases(calendar.calendar) == frozenset()
    assert time.perf_counter() - started < 2  # dateutil alone searches to 9999: 5-9 s


@pytest.mark.parametrize(
    ("rule", "phases", "expected"),
    [
        ("FREQ=MONTHLY;INTERVAL=6", 8, {0, 2, 4, 6}),
        ("FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=1", 8, {2, 6}),
        ("FREQ=MONTHLY;INTERVAL=3;COUNT=2", 8, {0, 1}),
        ("FREQ=MONTHLY;INTERVAL=3;UNTIL=20270701", 8, {0, 1, 2}),
        ("RRULE:FREQ=WEEKLY;INTERVAL=26;BYDAY=FR", 4, {0, 2, 3}),  # Jan 1, Jul 2, Dec 31
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", 16, {4}),  # 2028 is a leap year
    ],
)
def test_tollgate_rules_still_mean_what_they_say(
    rule: str, phases: int, expected: set[int]
) -> None:
    data = doc(calendar={"start": "2027-01-01", "phases": phases, "tollgates": rule})
    assert tollgate_phases(parse_portfolio(data).calendar) == frozenset(expected)


# --------------------------------------------------------------------------- item 17

BOMB = (
    "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    + HEAD
    + "initiatives:\n- {key: A, title: *h, duration: 1, value: 1}\n"
)


def test_a_yaml_anchor_bomb_is_refused_at_once_with_a_short_message() -> None:
    assert len(BOMB.encode()) < 822
    started = time.perf_counter()
    message = one(text_problems(BOMB), "YAML aliases (*name) repeat more than 10,000 values")
    assert time.perf_counter() - started < 1 and len(message) < 200


def test_a_small_anchor_bomb_gives_a_short_message() -> None:
    text = "a: &a [x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b]\n"
    found = text_problems(
        text + HEAD + "initiatives:\n- {key: A, title: *c, duration: 1, value: 1}\n"
    )
    assert sum(len(p) for p in found) < 2000, found
    assert any("field 'title': expected non-empty text, got a list of 6 items" in p for p in found)


def test_an_alias_inside_its_own_value_is_a_loop() -> None:
    one(text_problems(HEAD + "initiatives: &x [*x]\n"), "the alias *x is inside the value it names")


def test_shared_values_through_a_few_aliases_are_fine() -> None:
    text = HEAD + (
        "initiatives:\n"
        "- {key: A, title: a, duration: 1, value: 1, uses: &shared {integration: 2}}\n"
        "- {key: B, title: b, duration: 1, value: 1, uses: *shared}\n"
    )
    assert parse_portfolio_text(text).initiative("B").uses == {"integration": 2}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10000000000000000000000000000000000000000000000000000000000000000", "65 digits"),
        ("1.0e+308", "1e+308 (float)"),
        ("9223372036854775808", "9223372036854775808 (int): too large"),
        (".inf", "infinity (float): too large"),
        (".nan", "nan (float): not a number"),
        ("'2000B'", "more than Townhall plans with"),
    ],
)
def test_huge_and_non_finite_numbers_are_too_large_or_not_numbers(
    value: str, expected: str
) -> None:
    text = HEAD + f"initiatives:\n- {{key: A, title: t, duration: 1, value: 1, capex: {value}}}\n"
    message = one(text_problems(text), "initiative A: field 'capex'", expected)
    assert len(message) < 200


@pytest.mark.parametrize("field", ["duration", "teams", "earliest"])
def test_huge_counts_are_refused_without_printing_every_digit(field: str) -> None:
    message = one(problems(doc({field: 10**5000})))
    assert "5,001 digits" in message or "about 5,001 digits" in message
    assert len(message) < 200


@pytest.mark.parametrize(
    ("section", "name"),
    [
        ("calendar", "phases"),
        ("calendar", "fiscal_year_start"),
        ("budget", "per_phase"),
        ("budget", "total"),
        ("capacity", "integration"),
    ],
)
def test_huge_settings_are_refused_without_printing_every_digit(section: str, name: str) -> None:
    data = doc()
    data.setdefault(section, {})[name] = 10**5000
    message = one(problems(data), f"{section}.{name}", "5,001 digits")
    assert len(message) < 200


def test_json_numbers_too_long_to_convert_are_too_large() -> None:
    text = (
        '{"version": 1, "calendar": {"start": "2027-01-01", "phases": 4}, "initiatives": '
        '[{"key": "A", "title": "t", "duration": 1, "value": ' + "9" * 5000 + "}]}"
    )
    one(text_problems(text, "json"), "a number of 5,000 digits: too large")
    inf = text.replace("9" * 5000, "Infinity")
    one(text_problems(inf, "json"), "infinity")


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_deep_nesting_is_a_clear_error_not_a_recursion_error(fmt: str) -> None:
    deep = "[" * 20_000 + "]" * 20_000
    if fmt == "yaml":
        text = HEAD + f"initiatives: {deep}\n"
    else:
        text = '{"version": 1, "initiatives": ' + deep + "}"
    one(text_problems(text, fmt), "nested more than 32 levels deep", "line ")


def test_deeply_nested_python_data_is_refused_without_recursing() -> None:
    nested: list[Any] = []
    for _ in range(20_000):
        nested = [nested]
    looped: list[Any] = []
    looped.append(looped)
    for data in (doc(title=nested), doc({"title": nested}), doc({"uses": {"a": looped}})):
        assert len(" ".join(problems(data))) < 500


def test_a_latin_1_file_is_not_utf_8_and_the_offset_is_named(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes((HEAD + "name: Café\ninitiatives: []\n").encode("latin-1"))
    with pytest.raises(PortfolioError) as info:
        load_portfolio(path)
    offset = len(HEAD) + len("name: Caf")
    one(info.value.problems, "is not UTF-8", "0xE9", f"offset {offset}", "line 3")


def test_a_file_too_large_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (3 * 1024 * 1024))
    with pytest.raises(PortfolioError, match="larger than a portfolio file may be"):
        load_portfolio(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HEAD + "version: 1\ninitiatives: []\n", "line 3: the key 'version' is repeated"),
        (
            HEAD + "initiatives:\n- key: A\n  title: t\n  duration: 1\n  value: 1\n  title: u\n",
            "line 8: the key 'title' is repeated in the same mapping (first on line 5)",
        ),
    ],
)
def test_repeated_yaml_keys_are_refused_naming_the_key_and_line(text: str, expected: str) -> None:
    one(text_problems(text), expected)


def test_repeated_json_keys_are_refused_naming_the_key_and_line() -> None:
    text = (
        '{"version": 1,\n "calendar": {"start": "2027-01-01", "phases": 4},\n'
        ' "initiatives": [\n  {"key": "A", "title": "t",\n   "duration": 1, "value": 1,'
        ' "value": 2}]}'
    )
    one(
        text_problems(text, "json"),
        "the key 'value' is repeated in the object that starts on line 4",
    )


def test_yaml_merge_keys_may_override_what_they_merge() -> None:
    text = HEAD + (
        "base: &base {title: t, duration: 1, value: 1}\n"
        "initiatives:\n- {<<: *base, key: A, value: 2}\n"
    )
    found = text_problems(text)  # `base` is not a portfolio field, but merging is fine
    assert found == [
        "portfolio: unknown field 'base' (known: version, name, calendar, budget, capacity, "
        "policy, drivers, judgments, objective, blend, initiatives)"
    ]


def test_a_hundred_thousand_character_title_is_refused() -> None:
    one(problems(doc({"title": "x" * 100_000})), "got 100,000", "shorten it")


def test_too_many_initiatives_are_refused_without_reading_each() -> None:
    data = doc(*({"key": f"K{i}"} for i in range(MAX_INITIATIVES + 1)))
    one(problems(data), f"at most {MAX_INITIATIVES:,} initiatives")


def test_many_problems_are_listed_up_to_a_bound() -> None:
    found = problems(doc(*({"capex": -1} for _ in range(500))))
    assert len(found) == 51 and found[-1] == "… and 450 more problems"


# --------------------------------------------------------------------------- item 18


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            HEAD
            + "initiatives:\n- {key: A, title: t, duration: 1, value: 1, deadline: 2027-13-01}\n",
            "initiative A: field 'deadline': '2027-13-01' is not a date",
        ),
        (
            "version: 1\ncalendar: {start: 2027-02-30, phases: 4}\ninitiatives: []\n",
            "calendar.start: expected a date like 2027-01-01, got '2027-02-30': day is out",
        ),
    ],
)
def test_impossible_dates_are_field_errors(text: str, expected: str) -> None:
    one(text_problems(text), expected)


def test_date_errors_never_print_a_python_repr() -> None:
    item = "{key: A, title: 2027-06-30, duration: 1, value: 1, capex: 2027-06-30}"
    text = HEAD + f"name: 2027-06-30\ninitiatives:\n- {item}\n"
    found = text_problems(text)
    joined = "\n".join(found)
    assert "datetime" not in joined and "2027-06-30 (a date)" in joined, joined


def test_a_date_outside_the_horizon_says_where_the_plan_runs() -> None:
    text = (
        HEAD + "initiatives:\n- {key: A, title: t, duration: 1, value: 1, deadline: 2031-06-30}\n"
    )
    one(text_problems(text), "field 'deadline': 2031-06-30 is outside the plan", "2027Q1 to 2028Q4")


# --------------------------------------------------------------------------- item 20


def test_money_reads_as_chat_writes_it() -> None:
    data = doc(
        {"value": "25k", "capex": "$40,000", "opex": "1.5k"},
        budget={"per_phase": "250k", "total": "1.2M"},
    )
    portfolio = parse_portfolio(data)
    spec = portfolio.initiatives[0]
    assert (spec.value, spec.capex, spec.opex) == (25_000, 40_000, 1_500)
    assert (portfolio.budget.per_phase, portfolio.budget.total) == (250_000, 1_200_000)
    listed = parse_portfolio(doc(budget={"per_phase": ["100k"] * 8}))
    assert listed.budget.per_phase == (100_000,) * 8


def test_money_that_chat_refuses_is_refused_with_its_field() -> None:
    one(problems(doc({"capex": "lots"})), "field 'capex'", "got 'lots'", "250k")
    one(problems(doc({"capex": "$10.50"})), "field 'capex'", "whole amount")
    one(problems(doc({"capex": "٣٠٠"})), "field 'capex'", "digits 0–9")


@pytest.mark.parametrize(
    ("field", "value", "phase"),
    [
        ("earliest", "2027Q3", 2),
        ("deadline", "2028Q1", 4),
        ("pin", "2027-Q2", 1),
        ("earliest", "2027-06-30", 1),
        ("deadline", "2028-03", 4),
        ("earliest", "3", 3),
        ("earliest", "phase 5", 5),
    ],
)
def test_phases_may_be_periods_of_the_files_calendar(field: str, value: str, phase: int) -> None:
    spec = parse_portfolio(doc({field: value})).initiatives[0]
    assert getattr(spec, field) == phase


def test_a_yaml_date_is_the_phase_that_contains_it() -> None:
    text = (
        HEAD + "initiatives:\n- {key: A, title: t, duration: 1, value: 1, deadline: 2027-06-30}\n"
    )
    assert parse_portfolio_text(text).initiative("A").deadline == 1


def test_periods_in_tollgates_and_freeze_and_a_fiscal_calendar() -> None:
    data = doc()
    data["calendar"] = {
        "start": "2027-01-01",
        "phases": 8,
        "fiscal_year_start": 7,
        "tollgates": ["FY2027Q3", "FY2028Q1", 6],
        "freeze": ["2027Q4"],
    }
    calendar = parse_portfolio(data).calendar
    assert calendar.tollgates == (0, 2, 6) and calendar.freeze == (3,)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2030Q1", "2030Q1 is outside the plan"),
        ("next quarter", "depends on the day the file is read"),
        ("soon", "'soon' is not a period"),
        ("²", "digits 0–9"),
        ("x" * 1000, "1,000 characters"),
    ],
)
def test_periods_that_name_no_phase_are_refused(value: str, expected: str) -> None:
    message = one(problems(doc({"earliest": value})), "initiative K0: field 'earliest'", expected)
    assert len(message) < 300
