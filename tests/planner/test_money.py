from fractions import Fraction

import pytest

from planner.errors import ScenarioError
from planner.money import format_change, format_money, format_money_exact, parse_money


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("250k", 250_000),
        ("250K", 250_000),
        ("250 k", 250_000),
        ("1.2M", 1_200_000),
        ("$1.2m", 1_200_000),
        ("$40,000", 40_000),
        ("40000", 40_000),
        ("1,234,567", 1_234_567),
        ("0.5k", 500),
        ("2bn", 2_000_000_000),
        ("1.5 million", 1_500_000),
        ("€300k", 300_000),
        ("0", 0),
    ],
)
def test_parse_money_reads_what_people_type(text: str, amount: int) -> None:
    assert parse_money(text) == amount


@pytest.mark.parametrize("text", ["", "abc", "k", "4,00", "1.2.3", "-5", "12%", "$"])
def test_parse_money_refuses_what_is_not_money_and_names_it(text: str) -> None:
    with pytest.raises(ScenarioError, match="is not an amount of money") as err:
        parse_money(text)
    assert repr(text.strip())[1:-1] in str(err.value)
    assert "250k" in str(err.value)


def test_parse_money_refuses_fractions_of_a_unit() -> None:
    with pytest.raises(ScenarioError, match="whole currency units"):
        parse_money("$10.50")


def test_format_money_and_changes() -> None:
    assert format_money(1_200_000) == "1.2M"
    assert format_money(Fraction(1, 3)) == "0"
    assert format_change(30_000) == "+30k"
    assert format_change(-120_000) == "−120k"
    assert format_change(-1_234) == "−1,234"
    assert format_change(0) == "±0"


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (0, "0"),
        (999, "999"),
        (1_000, "1k"),
        (1_500, "1.5k"),
        (1_050, "1,050"),  # "1.05k" is no shorter
        (12_345, "12,345"),
        (250_000, "250k"),
        (999_900, "999.9k"),
        (1_200_000, "1.2M"),
        (1_234_000, "1.234M"),
        (1_234_500, "1,234,500"),  # four decimals of M: written out
        (1_234_567, "1,234,567"),  # never rounded to "1.23M"
        (15_000_000, "15M"),
        (1_500_000_000, "1,500M"),
        (-40_000, "-40k"),
    ],
)
def test_format_money_is_the_shortest_exact_form(amount: int, shown: str) -> None:
    assert format_money(amount) == shown
    if amount >= 0:
        assert parse_money(shown) == amount  # what is shown reads back unchanged


def test_format_money_exact_writes_every_digit() -> None:
    assert format_money_exact(1_200_000) == "1,200,000"
    assert format_money_exact(Fraction(300_001, 3)) == "100,000.33"
    assert format_money_exact(-40_000) == "-40,000"


# --------------------------------------------------------------------------- one grammar


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        ("25k", 25_000),
        ("1.5k", 1_500),
        ("$40,000", 40_000),
        ("40,000 USD", 40_000),
        ("40_000", 40_000),
        ("$\u00a040,000", 40_000),  # a no-break space, as pasted from a spreadsheet
        ("\t 1.2 M \n", 1_200_000),
        ("+250k", 250_000),
        ("1000B", 10**12),
        (25_000, 25_000),  # what a portfolio file holds as a number
        (25_000.0, 25_000),
        (0, 0),
    ],
)
def test_parse_money_is_the_one_grammar_of_chat_and_files(value: object, amount: int) -> None:
    assert parse_money(value) == amount  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("٣k", "'٣k' is not an amount of money: write digits 0–9"),
        ("²", "'²' is not an amount of money: write digits 0–9"),
        ("２５k", "'２５k' is not an amount of money: write digits 0–9"),
        ("-5", "'-5' is not an amount of money: amounts are 0 or more"),
        ("−5k", "'−5k' is not an amount of money: amounts are 0 or more"),
        ("1e6", "'1e6' is not an amount of money"),
        ("nan", "'nan' is not an amount of money"),
        ("1001B", "1,001,000,000,000 is more than Townhall plans with: at most 1,000,000,000,000"),
        ("9" * 5000, "is more than Townhall plans with: at most 1,000,000,000,000"),
        ("1." + "0" * 5000 + "1", "is not a whole amount"),
        (10**13, "10,000,000,000,000 is more than Townhall plans with"),
        (1e308, "is more than Townhall plans with"),
        (float("inf"), "inf is not an amount of money"),
        (float("nan"), "nan is not an amount of money"),
        (2.5, "2.5 is not a whole amount"),
        (-1, "-1 is not an amount of money: amounts are 0 or more"),
        (True, "True is not an amount of money"),
        (None, "None is not an amount of money"),
    ],
)
def test_parse_money_refuses_with_what_was_expected(value: object, message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        parse_money(value)  # type: ignore[arg-type]
    assert message in str(err.value)
