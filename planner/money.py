"""Money as people type and read it: `250k`, `1.2M`, `$40,000` in, `1.2M`, `1,234,567` out.

Money is whole currency units everywhere in Townhall (docs/PLANNING_MODEL.md).
`format_money` is the one way figures are shown (Slack, CLI, explanations, exports): the
shortest form that is still exact, so `1.2M` and `250k` but never a rounded `1.23M` for
1,234,567, and what it writes reads back through `parse_money` unchanged (modals are
prefilled with it). `format_money_exact` writes every digit, for messages that compare
figures digit by digit (the validator's).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from planner.errors import ScenarioError

_MONEY_RE = re.compile(
    r"""^\s*
    (?P<cur>[$€£¥])?\s*
    (?P<num>\d[\d,_]*(?:\.\d+)?|\.\d+)\s*
    (?P<unit>k|thousand|m|mm|mn|million|b|bn|billion)?\s*
    (?P<cur2>[$€£¥]|usd|eur|gbp)?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_UNITS = {
    "k": 1_000,
    "thousand": 1_000,
    "m": 1_000_000,
    "mm": 1_000_000,
    "mn": 1_000_000,
    "million": 1_000_000,
    "b": 1_000_000_000,
    "bn": 1_000_000_000,
    "billion": 1_000_000_000,
}
MONEY_EXAMPLES = "250k, 1.2M or $40,000"


def parse_money(text: str) -> int:
    """Read an amount such as `250k`, `1.2M`, `$40,000` or `40000` as whole currency units.

    Raises ScenarioError naming the text when it is not an amount, is negative or has
    fractions of a unit (e.g. `$10.50`).
    """
    if not isinstance(text, str):
        raise ScenarioError(f"{text!r} is not an amount of money (expected e.g. {MONEY_EXAMPLES})")
    m = _MONEY_RE.match(text)
    if m is None or not _well_grouped(m["num"]):
        raise ScenarioError(
            f"'{text.strip()}' is not an amount of money (expected e.g. {MONEY_EXAMPLES})"
        )
    digits = m["num"].replace(",", "").replace("_", "")
    try:
        number = Fraction(Decimal(digits))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise ScenarioError(f"'{text.strip()}' is not an amount of money") from exc
    amount = number * _UNITS.get((m["unit"] or "").lower(), 1)
    if amount.denominator != 1:
        raise ScenarioError(
            f"'{text.strip()}' is not a whole amount: money is counted in whole currency units"
        )
    return int(amount)


def _well_grouped(number: str) -> bool:
    """Thousands separators, when present, must group digits by three (`40,000`, not `4,00`)."""
    whole = number.split(".")[0]
    groups = re.split(r"[,_]", whole)
    if len(groups) == 1:
        return True
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


_UNIT_SUFFIXES = ((1_000_000, "M"), (1_000, "k"))
#: Most decimals of a compact amount (`1.234M`); an amount needing more is written out.
_MOST_DECIMALS = 3


def format_money(amount: int | Fraction | float) -> str:
    """An amount in whole currency units, as short as it can be without rounding.

    `1,200,000` → `1.2M`, `250,000` → `250k`, `1,500` → `1.5k`, `-40,000` → `-40k`;
    an amount a unit cannot write exactly in fewer characters keeps every digit:
    `1,234,567`, `12,345`, `999`. Fractions of a unit are rounded to the nearest unit.
    """
    n = round(amount)
    plain = format_money_exact(n)
    for unit, suffix in _UNIT_SUFFIXES:
        if abs(n) >= unit:
            mantissa = (Decimal(n) / unit).normalize()
            if len(f"{mantissa:f}".partition(".")[2]) > _MOST_DECIMALS:
                return plain
            short = f"{mantissa:,f}{suffix}"
            return short if len(short) < len(plain) else plain
    return plain


def format_money_exact(amount: int | Fraction | float) -> str:
    """Every digit, with thousands separators: `1,200,000`, `-40,000`; an amount that is
    not whole (capex spread over its phases) keeps two decimals, `100,000.33`, so that
    going over a budget by less than a unit still shows."""
    if amount == round(amount):
        return f"{round(amount):,}"
    return f"{float(amount):,.2f}"


def format_change(amount: int | Fraction | float) -> str:
    """A signed change, in the form of `format_money`: `+30k`, `−1.2M` (a true minus
    sign), `+1,234`, `±0`."""
    n = round(amount)
    if n == 0:
        return "±0"
    return f"+{format_money(n)}" if n > 0 else f"−{format_money(-n)}"
