"""Reading single values of a portfolio file: each reader records a defect and returns None.

`ValueReader` collects every defect (`where: expected …, got …`) so that
`planner.portfolio.reader` can report them all at once. Every message is bounded: a bad
value is shown by `show` (at most `SHOWN_CHARS` characters of a text, the length of a
list, the digits of a huge number, a date as 2027-06-30), and at most `MAX_PROBLEMS`
problems are listed.

Money is whole currency units written as a number or as chat writes it (`25k`,
`$40,000`, `1.5k`: `planner.money.parse_money`); a phase is a 0-based index or a period
(`2027Q3`, `2027-06-30`, `FY2028Q1`, `Sprint 4`: `planner.periods.parse_period`) read
against the file's calendar.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from planner.calendar import Calendar, Phase, phases_of
from planner.errors import PeriodError, ScenarioError
from planner.limits import MAX_CAPACITY, MAX_MONEY, MAX_PHASES
from planner.money import MONEY_EXAMPLES, AmountTooLarge, parse_money
from planner.periods import PERIOD_EXAMPLES, parse_period, resolve_period

#: Most characters of a bad text quoted in a message.
SHOWN_CHARS = 80
#: Most problems listed; the rest are counted ("… and 12 more problems").
MAX_PROBLEMS = 50
#: Longest text read as an amount of money or a period.
_MOST_TYPED = 40
#: Characters no text may hold: NUL (PostgreSQL refuses it in text) and lone surrogates
#: (no database encodes them).
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class HugeNumber:
    """A number written with more digits than any field accepts (`10**100` written
    out): kept as its length, since Python refuses to convert more than 4,300 digits."""

    digits: int
    negative: bool = False


@dataclass(frozen=True)
class Horizon:
    """The calendar that phase indices and periods are read against."""

    calendar: Calendar

    @property
    def count(self) -> int:
        return self.calendar.phases

    def phases(self) -> Sequence[Phase]:
        return phases_of(self.calendar)


class ValueReader:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.hidden = 0  # problems found beyond MAX_PROBLEMS

    @property
    def defects(self) -> int:
        """How many problems were found, listed or not."""
        return len(self.problems) + self.hidden

    def add(self, problem: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.hidden += 1

    def report(self) -> list[str]:
        """The problems to raise PortfolioError with."""
        if not self.hidden:
            return list(self.problems)
        more = f"… and {self.hidden} more problem{'s' if self.hidden > 1 else ''}"
        return [*self.problems, more]

    def fail(self, where: str, expected: str, got: Any) -> None:
        self.add(f"{where}: expected {expected}, got {show(got)}")

    def integer(
        self,
        where: str,
        value: Any,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
        what: str = "a whole number",
    ) -> int | None:
        expected = what if minimum is None else f"{what} ≥ {minimum}"
        if isinstance(value, HugeNumber) or (isinstance(value, float) and not math.isfinite(value)):
            self.fail(where, expected, value)
            return None
        given = value
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                self.fail(where, expected, value)
                return None
        if minimum is not None and value < minimum:
            self.fail(where, expected, value)
            return None
        if maximum is not None and value > maximum:
            self.add(f"{where}: expected {what} ≤ {maximum:,}, got {show(given)}: too large")
            return None
        return value

    def money(self, where: str, value: Any) -> int | None:
        """Whole currency units: a number, or an amount as chat writes it (`25k`)."""
        if isinstance(value, str):
            if len(value.strip()) > _MOST_TYPED:
                self.fail(where, f"an amount of money such as {MONEY_EXAMPLES}", value)
                return None
            try:
                value = parse_money(value)
            except AmountTooLarge as exc:
                self.add(f"{where}: {_unstop(str(exc))}")
                return None
            except ScenarioError as exc:
                reason = str(exc)
                why = "" if "(expected e.g." in reason else f" ({_unstop(reason)})"
                self.add(
                    f"{where}: expected whole currency units ≥ 0 or an amount such as "
                    f"{MONEY_EXAMPLES}, got {show(value)}{why}"
                )
                return None
        return self.integer(where, value, minimum=0, maximum=MAX_MONEY, what="whole currency units")

    def amount(self, where: str, value: Any, *, what: str = "a whole amount") -> int | None:
        """A capacity, a use of a resource or a number of teams."""
        return self.integer(where, value, minimum=0, maximum=MAX_CAPACITY, what=what)

    def boolean(self, where: str, value: Any) -> bool | None:
        if not isinstance(value, bool):
            self.fail(where, "true or false", value)
            return None
        return value

    def text(
        self, where: str, value: Any, *, allow_empty: bool = True, max_length: int | None = None
    ) -> str | None:
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            self.fail(where, "text" if allow_empty else "non-empty text", value)
            return None
        out = value.strip() if not allow_empty else value
        if max_length is not None and len(out) > max_length:
            self.add(
                f"{where}: expected at most {max_length:,} characters, got {len(out):,} "
                f"({quote(out, counted=False)}); shorten it"
            )
            return None
        bad = _BAD_CHARS.search(out)
        if bad is not None:
            self.add(
                f"{where}: the character U+{ord(bad[0]):04X} at position "
                f"{bad.start() + 1} cannot be stored; remove it"
            )
            return None
        return out

    def choice(self, where: str, value: Any, options: tuple[str, ...]) -> str | None:
        if not isinstance(value, str) or value not in options:
            self.fail(where, "one of " + ", ".join(options), value)
            return None
        return value

    def mapping(self, where: str, value: Any, allowed: tuple[str, ...] | None) -> dict | None:
        if not isinstance(value, dict):
            self.fail(where, "a mapping", value)
            return None
        if allowed is not None:
            for name in value:
                if name not in allowed:
                    self.add(
                        f"{where}: unknown field {name_of(name)} (known: {', '.join(allowed)})"
                    )
        return value

    def str_list(self, where: str, value: Any, *, most: int) -> tuple[str, ...] | None:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(where, "a list of keys", value)
            return None
        if len(value) > most:
            self.add(f"{where}: expected at most {most:,} keys, got {len(value):,}")
            return None
        return tuple(v.strip().upper() for v in value)

    def phase(self, where: str, value: Any, horizon: Horizon | None) -> int | None:
        """A 0-based phase index, or a period read against the calendar (`2027Q3`)."""
        if isinstance(value, str | dt.date):
            return self._period(where, value, horizon)
        index = self.integer(where, value, minimum=0, what="a phase index")
        if index is None:
            return None
        count = horizon.count if horizon is not None else MAX_PHASES
        if index >= count:
            self.fail(where, f"a phase index below {count} (phases are 0-based)", index)
            return None
        return index

    def _period(self, where: str, value: str | dt.date, horizon: Horizon | None) -> int | None:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, str) and len(value.strip()) > _MOST_TYPED:
            self.fail(where, f"a phase index or a period such as {PERIOD_EXAMPLES}", value)
            return None
        try:
            ref = parse_period(value.isoformat() if isinstance(value, dt.date) else value)
        except PeriodError as exc:
            self.add(f"{where}: {_unstop(str(exc))}")
            return None
        if ref.kind == "relative":
            self.add(
                f"{where}: '{ref}' depends on the day the file is read; name the period "
                "instead, e.g. 2027Q3"
            )
            return None
        if horizon is None:  # the calendar's own problems are reported already
            return None
        try:
            return resolve_period(ref, phases=horizon.phases(), today=horizon.calendar.start)
        except PeriodError as exc:
            self.add(f"{where}: {_unstop(str(exc))}")
            return None

    def phase_list(self, where: str, value: Any, horizon: Horizon | None) -> tuple[int, ...] | None:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail(where, "a list of phase indices or periods", value)
            return None
        count = horizon.count if horizon is not None else MAX_PHASES
        if len(value) > count:
            self.add(f"{where}: expected at most {count} phases, got a list of {len(value):,}")
            return None
        before = self.defects
        out = [self.phase(f"{where}[{i}]", v, horizon) for i, v in enumerate(value)]
        if self.defects > before:
            return None
        return tuple(sorted({n for n in out if n is not None}))

    def per_phase(
        self, where: str, value: Any, phases: int | None, *, money: bool
    ) -> int | tuple[int, ...] | None:
        def read(w: str, v: Any) -> int | None:
            return self.money(w, v) if money else self.amount(w, v)

        if isinstance(value, list):
            count = phases if phases is not None else MAX_PHASES
            if len(value) != count and (phases is not None or len(value) > count):
                self.add(
                    f"{where}: expected one number or a list of {count} numbers "
                    f"(one per phase), got a list of {len(value):,}"
                )
                return None
            items = [read(f"{where}[{i}]", v) for i, v in enumerate(value)]
            if any(v is None for v in items):
                return None
            return tuple(int(v) for v in items if v is not None)
        return read(where, value)


def quote(text: str, limit: int = SHOWN_CHARS, *, counted: bool = True) -> str:
    """A text in quotes, cut after `limit` characters (`'Lorem ipsum…' (191 characters)`;
    without `counted`, the length is left out)."""
    if len(text) <= limit:
        return repr(text)
    cut = repr(text[:limit])
    cut = f"{cut[:-1]}…{cut[-1]}"
    return f"{cut} ({len(text):,} characters)" if counted else cut


def name_of(value: Any) -> str:
    """A mapping's key in quotes (`'colour'`), bounded like `show`."""
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, int) and _digits(value) > 30:
        return show(value)
    if isinstance(value, bool | int | float | dt.date) or value is None:
        return quote(str(value))
    return show(value)


def show(value: Any) -> str:
    """A value as a message shows it: bounded, never a Python repr of a structure."""
    if isinstance(value, str):
        return quote(value)
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{value} (bool)"
    if isinstance(value, int):
        digits = _digits(value)
        if digits > 30:
            return f"a number of about {digits:,} digits"
        return f"{value} (int)"
    if isinstance(value, HugeNumber):
        return f"a number of {value.digits:,} digits: too large"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan (float): not a number"
        if math.isinf(value):
            return f"{'-' if value < 0 else ''}infinity (float): too large"
        return f"{value!r} (float)"
    if isinstance(value, dt.datetime):
        return f"{value.isoformat()} (a date and time)"
    if isinstance(value, dt.date):
        return f"{value.isoformat()} (a date)"
    if isinstance(value, list | tuple):
        return f"a list of {len(value):,} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, dict):
        return f"a mapping of {len(value):,} field{'' if len(value) == 1 else 's'}"
    if isinstance(value, set | frozenset):
        return f"a set of {len(value):,} items"
    if isinstance(value, bytes | bytearray):
        return f"binary data of {len(value):,} bytes"
    return f"a value of type {type(value).__name__[:40]}"


def _digits(value: int) -> int:
    """The number of decimal digits, without converting (Python refuses to convert
    integers of more than 4,300 digits to text)."""
    bits = abs(value).bit_length()
    if bits < 64:
        return len(str(abs(value)))
    return int(bits * math.log10(2)) + 1


def _unstop(text: str) -> str:
    """A sentence without its final full stop, to go inside a problem."""
    return text[:-1] if text.endswith(".") else text
