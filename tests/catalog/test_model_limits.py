"""The database columns hold everything the portfolio limits let through (item 4): a
value the reader accepts is never cut or refused by SQLite or PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import BigInteger, Integer, String, Text

from catalog.models import Initiative, PlanningSettings
from planner.limits import MAX_CAPACITY, MAX_MONEY, MAX_PHASES
from planner.portfolio import MAX_NAME_LENGTH, TEXT_LIMITS

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
