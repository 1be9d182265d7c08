"""Money as people type and read it: `250k`, `1.2M`, `$40,000` in, `1,200,000` out.

Money is whole currency units everywhere in Townhall (DESIGN §5).
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


def format_money(amount: int | Fraction | float) -> str:
    """Whole currency units with thousands separators: `1,200,000`, `-40,000`."""
    return f"{round(amount):,}"


def format_change(amount: int | Fraction | float) -> str:
    """A signed change for reports: `+30,000`, `−120,000` (a true minus sign), `±0`."""
    n = round(amount)
    if n == 0:
        return "±0"
    return f"+{n:,}" if n > 0 else f"−{-n:,}"
