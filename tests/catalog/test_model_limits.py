"""The database columns hold everything the portfolio limits let through (item 4): a
value the reader accepts is never cut or refused by SQLite or PostgreSQL."""

from __future__ import annotations

from fractions import Fraction

import pytest
from sqlalchemy import BigInteger, Integer, String, Text

from catalog.models import Initiative, PlanningSettings
from planner.limits import MAX_CAPACITY, MAX_MONEY, MAX_PHASES
from planner.portfolio import MAX_NAME_LENGTH, OBJECTIVES, TEXT_LIMITS
from planner.stability import STABILITY_LEVELS

INT32 = 2**31 - 1
INT64 = 2**63 - 1


@pytest.mark.parametrize("field", sorted(TEXT_LIMITS))
def test_each_text_column_holds_its_limit(field: str) -> None:
    column_type = Initiative.__table__.c[field].type
    assert isinstance(column_type, String | Text)
    if column_type.length is not None:
        assert column_type.length >= TEXT_LIMITS[field]


def test_the_portfolio_name_fits_its_column() -> None:
    assert PlanningSettings.__table__.c["name"].type.length >= MAX_NAME_LENGTH


@pytest.mark.parametrize(
    ("field", "most"),
    [
        ("value", MAX_MONEY),
        ("capex", MAX_MONEY),
        ("opex", MAX_MONEY),
        ("duration", MAX_PHASES),
        ("earliest", MAX_PHASES),
        ("deadline", MAX_PHASES),
        ("pin", MAX_PHASES),
        ("teams", MAX_CAPACITY),
    ],
)
def test_each_number_column_holds_its_limit(field: str, most: int) -> None:
    column_type = Initiative.__table__.c[field].type
    top = INT64 if isinstance(column_type, BigInteger) else INT32
    assert isinstance(column_type, Integer) and most <= top


def test_settings_numbers_fit_too() -> None:
    assert isinstance(PlanningSettings.__table__.c["budget_total"].type, BigInteger)
    assert MAX_MONEY <= INT64 and MAX_PHASES <= INT32


def test_driver_and_judgment_columns_hold_the_driver_limits() -> None:
    from catalog.models import Driver, JudgmentRecord
    from planner.drivers import (
        MAX_DRIVER_DESCRIPTION_LENGTH,
        MAX_DRIVER_KEY_LENGTH,
        MAX_DRIVER_NAME_LENGTH,
        ratio_text,
    )
    from planner.portfolio import MAX_PROPOSER_LENGTH

    columns = Driver.__table__.c
    assert columns["key"].type.length >= MAX_DRIVER_KEY_LENGTH
    assert columns["name"].type.length >= MAX_DRIVER_NAME_LENGTH
    assert columns["description"].type.length >= MAX_DRIVER_DESCRIPTION_LENGTH
    judgments = JudgmentRecord.__table__.c
    assert judgments["user_id"].type.length >= MAX_PROPOSER_LENGTH  # a judgment's `by`
    assert judgments["a"].type.length >= MAX_DRIVER_KEY_LENGTH
    longest = max(len(ratio_text(Fraction(1, k))) for k in range(1, 10))
    assert judgments["ratio"].type.length >= longest
    settings = PlanningSettings.__table__.c
    assert settings["objective"].type.length >= max(map(len, OBJECTIVES))
    assert settings["stability"].type.length >= max(map(len, STABILITY_LEVELS))
