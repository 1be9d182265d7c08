"""Money as people type and read it: `250k`, `1.2M`, `$40,000` in, `1.2M`, `1,234,567` out.

Money is whole currency units everywhere in Townhall (docs/PLANNING_MODEL.md).
`format_money` is the one way figures are shown (Slack, CLI, explanations, exports): the
shortest form that is still exact, so `1.2M` and `250k` but never a rounded `1.23M` for
1,234,567, and what it writes reads back through `parse_money` unchanged (modals are
prefilled with it). `format_money_exact` writes every digit, for messages that compare
figures digit by digit (the validator's).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from planner.errors import ScenarioError
from planner.limits import MAX_MONEY

_MONEY_RE = re.compile(
    r"""^
    (?P<sign>[+])?\s?
    (?P<cur>[$€£¥])?\s?
    (?P<num>[0-9][0-9,_]*(?:\.[0-9]+)?|\.[0-9]+)\s?
    (?P<unit>k|thousand|m|mm|mn|million|b|bn|billion)?\s?
    (?P<cur2>[$€£¥]|usd|eur|gbp)?
    $""",
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


class AmountTooLarge(ScenarioError):
    """An amount of money more than `planner.limits.MAX_MONEY`; the message says so."""


#: Digits read before the point: more can only be too large (and `int()` refuses
#: more than 4,300 of them at all).
_MOST_DIGITS = 30
#: Characters of a refused text quoted back in its message.
_MOST_SHOWN = 40


def parse_money(value: str | int | float) -> int:
    """Read an amount of money as whole currency units: the one grammar of chat, what-ifs,
    forms and portfolio files (docs/PLANNING_MODEL.md: money is whole currency units).

    A text is, with spaces allowed between the parts (any Unicode space, so a pasted
    no-break space reads):

        [+] [currency] number [unit] [currency]

    - number: ASCII digits 0–9, optionally grouped by three with `,` or `_`
      (`40,000`, `1_200_000`), with an optional decimal part (`1.5`, `.5`);
    - unit: `k`/`thousand`, `m`/`mm`/`mn`/`million`, `b`/`bn`/`billion`, any case;
    - currency: `$ € £ ¥` before or after, or `USD EUR GBP` after; it is not kept.

    So `25k`, `1.5k`, `1.2M`, `$40,000`, `40,000 USD`, `+250k` and `40000` read, and a
    number (an int, or a float that is whole, as YAML and JSON give them) is taken as it
    is. The result is at most `planner.limits.MAX_MONEY`.

    Raises ScenarioError naming the value and what was expected when it is not an amount
    (other digits such as `٣` or `²`, a sign other than `+`, an exponent, NaN, `True`),
    is negative, has fractions of a unit (`$10.50`) or is more than MAX_MONEY.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ScenarioError(f"{value!r} is not an amount of money (expected e.g. {MONEY_EXAMPLES})")
    if isinstance(value, int | float):
        return _number(value)
    raw = " ".join(value.split())
    shown = _clip(raw)
    if any(ch.isnumeric() and not ch.isascii() for ch in raw):
        raise ScenarioError(
            f"'{shown}' is not an amount of money: write digits 0–9 (e.g. {MONEY_EXAMPLES})"
        )
    if raw[:1] in ("-", "\u2212"):
        raise ScenarioError(
            f"'{shown}' is not an amount of money: amounts are 0 or more (e.g. {MONEY_EXAMPLES})"
        )
    m = _MONEY_RE.match(raw)
    if m is None or not _well_grouped(m["num"]):
        raise ScenarioError(f"'{shown}' is not an amount of money (expected e.g. {MONEY_EXAMPLES})")
    digits = m["num"].replace(",", "").replace("_", "")
    whole = digits.partition(".")[0]
    if len(whole.lstrip("0")) > _MOST_DIGITS:
        raise _too_much(shown)
    try:
        number = Fraction(Decimal(digits))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise ScenarioError(f"'{shown}' is not an amount of money") from exc
    amount = number * _UNITS.get((m["unit"] or "").lower(), 1)
    if amount.denominator != 1:
        raise ScenarioError(
            f"'{shown}' is not a whole amount: money is counted in whole currency units"
        )
    if amount > MAX_MONEY:
        raise _too_much(f"{int(amount):,}")
    return int(amount)


def _number(value: int | float) -> int:
    """An amount given as a number (a portfolio file's)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ScenarioError(f"{value} is not an amount of money (expected e.g. {MONEY_EXAMPLES})")
    if isinstance(value, float) and not value.is_integer():
        raise ScenarioError(
            f"{value} is not a whole amount: money is counted in whole currency units"
        )
    amount = int(value)
    if amount < 0:
        raise ScenarioError(
            f"{value} is not an amount of money: amounts are 0 or more (e.g. {MONEY_EXAMPLES})"
        )
    if amount > MAX_MONEY:
        big = amount >= 10**_MOST_DIGITS
        raise ScenarioError(
            _too_much(f"a number of more than {_MOST_DIGITS} digits" if big else f"{amount:,}")
        )
    return amount


def _too_much(shown: str) -> AmountTooLarge:
    return AmountTooLarge(
        f"{shown} is more than Townhall plans with: at most {MAX_MONEY:,} whole currency units"
    )


def _clip(text: str) -> str:
    return text if len(text) <= _MOST_SHOWN else text[: _MOST_SHOWN - 1] + "…"


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
