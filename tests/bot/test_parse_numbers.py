"""Numbers and dates typed after `/roadmap`: only ASCII digits, always within bounds, and
every refusal a UsageError that says what was expected (never a ValueError that escapes
the handler, never an OR-Tools crash later)."""

from __future__ import annotations

import pytest

from bot.commands import parse_command
from bot.errors import UsageError
from catalog.usecases.commands import Pin, Plan, WhatIf
from planner.limits import MAX_CAPACITY, MAX_MONEY
from planner.periods import PeriodRef


def error(text: str) -> UsageError:
    with pytest.raises(UsageError) as info:
        parse_command(text)
    return info.value


# --------------------------------------------------------------------------- digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plan phases=²", "phases=²: expected a whole number of phases from 1 to 400"),
        ("plan phases=٣", "phases=٣: expected a whole number of phases from 1 to 400"),
        ("plan phases=３", "expected a whole number of phases"),
        ("whatif phases+²", "'²' is not a whole number (digits 0–9)"),
        ("whatif phases=٣", "'٣' is not a whole number (digits 0–9)"),
        ("whatif capacity integration=+²", "'²' is not a whole number (digits 0–9)"),
        ("whatif pin SSO ²", "'²' is not a phase: expected a phase number"),
        ("whatif budget-٢٠%", "'٢٠%' is not a percentage"),
        ("whatif budget=٣k", "'٣k' is neither a percentage nor an amount of money"),
        ("plan budget=٣٠٠k", "budget=٣٠٠k: not an amount of money"),
        ("plan from=٢٠٢٧Q3", "from=٢٠٢٧Q3: '٢٠٢٧Q3' is not a period"),
        ("pin SSO ²", "'²' is not a period"),
        ("pin SSO phase ³", "'phase ³' is not a period"),
        ("plan time=²s", "time=²s: expected seconds"),
    ],
)
def test_unicode_digits_are_refused_saying_what_was_expected(text: str, expected: str) -> None:
    """Item 8: `isdigit()` accepts "²" and `int()` refuses it; the ValueError escaped."""
    assert expected in error(text).message


def test_ascii_digits_still_read() -> None:
    assert parse_command("plan phases=12") == Plan(phases=12)
    assert parse_command("whatif pin SSO 3") == WhatIf("pin SSO 3")
    assert parse_command("pin SSO 3") == Pin("SSO", PeriodRef("index", 3))


# --------------------------------------------------------------------------- years


@pytest.mark.parametrize(
    "text",
    [
        "plan from=9999Q4",
        "plan from=Q4 9999",
        "plan from=9999-12",
        "plan from=9999-12-31",
        "plan from=0001-01-01",
        "plan from=1899Q1",
        "pin SSO 9999Q4",
        "pin SSO 3000-01",
        "pin SSO FY9999Q1",
    ],
)
def test_years_out_of_range_are_refused_by_the_parser(text: str) -> None:
    """Item 9: `plan from=9999Q4` said "ValueError: year 10000 is out of range"."""
    message = error(text).message
    assert "outside the years Townhall plans in (1900–2999)" in message


def test_years_in_range_read() -> None:
    assert parse_command("plan from=2999Q4") == Plan(start=PeriodRef("quarter", (2999, 4)))
    assert parse_command("pin SSO 1900-01-01").period.kind == "date"  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- sizes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "whatif capacity integration=+99999999999999999999",
            f"at most {MAX_CAPACITY:,}",
        ),
        ("whatif capacity integration=" + "9" * 5000, f"at most {MAX_CAPACITY:,}"),
        ("whatif budget=99999999999999999999", f"at most {MAX_MONEY:,}"),
        ("whatif budget+2000000M", f"at most {MAX_MONEY:,}"),
        ("whatif total=" + "9" * 5000, f"at most {MAX_MONEY:,}"),
        ("whatif budget+99999999999%", "at most +10000%"),
        ("whatif budget+" + "9" * 5000 + "%", "at most +10000%"),
        ("whatif phases+99999999999999999999", "at most 400"),
        ("whatif pin SSO " + "9" * 5000, "at most 400 phases"),
        ("plan budget=99999999999999999999", f"at most {MAX_MONEY:,}"),
        ("plan phases=99999999999999999999", "from 1 to 400"),
        ("plan from=phase " + "9" * 5000, "at most 400 phases"),
        ("pin SSO " + "9" * 5000, "at most 400 phases"),
        ("pin SSO sprint " + "9" * 5000, "at most 400 phases"),
        ("plan time=" + "9" * 5000, "at most 300 seconds"),
    ],
)
def test_huge_numbers_are_refused_with_the_bound(text: str, expected: str) -> None:
    """Item 9: `whatif capacity integration=+99999999999999999999` crashed in OR-Tools;
    5,000 digits exceed what `int()` reads at all."""
    assert expected in error(text).message
