from fractions import Fraction

import pytest

from planner.errors import ScenarioError
from planner.money import format_change, format_money, parse_money


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
    assert format_money(1_200_000) == "1,200,000"
    assert format_money(Fraction(1, 3)) == "0"
    assert format_change(30_000) == "+30,000"
    assert format_change(-120_000) == "−120,000"
    assert format_change(0) == "±0"
