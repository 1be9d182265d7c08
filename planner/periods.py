"""Periods as people type them (`2027Q1`, `Q3`, `2027-03-01`, `next quarter`, `3`) and
the phase or date they stand for.

`parse_period` is the one grammar of periods in chat (`plan from=…`, `pin KEY …`) and
in portfolio files; years are held to `planner.limits` (1900–2999), so that no date a
period names, nor a plan of up to 400 phases from it, runs past the year 9999 that
Python's dates end at.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from dateutil.relativedelta import relativedelta

from planner.calendar import Phase
from planner.errors import PeriodError
from planner.limits import MAX_PHASES, MAX_YEAR, MIN_YEAR, year_problem

#: What a PeriodRef can be, and the type of its value.
PERIOD_KINDS = (
    "index",  # int: a phase number of the plan
    "quarter",  # (year | None, quarter 1–4): a calendar quarter
    "month",  # (year, month 1–12): a calendar month
    "date",  # datetime.date: the phase that contains the day
    "relative",  # (unit "quarter" | "month", offset): this (0), next (1), last (−1)
    "label",  # str: a phase label such as FY2028Q1 or Sprint 4
)
PERIOD_EXAMPLES = "2027Q1, Q3, 2027-03, 2027-03-01, next quarter or a phase number such as 3"

_OFFSETS = {"this": 0, "current": 0, "next": 1, "last": -1, "previous": -1}
_OFFSET_WORDS = {0: "this", 1: "next", -1: "last"}

PeriodValue = int | str | dt.date | tuple[int | None, int] | tuple[int, int] | tuple[str, int]


@dataclass(frozen=True)
class PeriodRef:
    """A period named in a command, not yet tied to a plan's calendar."""

    kind: str
    value: PeriodValue

    def __post_init__(self) -> None:
        if self.kind not in PERIOD_KINDS:
            raise ValueError(f"unknown period kind {self.kind!r}")
        year = _year_of(self)
        if year is not None and (problem := year_problem(year)) is not None:
            raise _YearError(problem)

    def __str__(self) -> str:
        if self.kind == "index":
            return f"phase {self.value}"
        if self.kind == "quarter":
            year, quarter = _pair(self)
            return f"Q{quarter}" if year is None else f"{year}Q{quarter}"
        if self.kind == "month":
            year, month = _pair(self)
            return f"{year}-{month:02d}"
        if self.kind == "date":
            return _day(self).isoformat()
        if self.kind == "relative":
            unit, offset = _pair(self)
            return f"{_OFFSET_WORDS[offset]} {unit}"
        return str(self.value)


def parse_period(value: str | int | dt.date) -> PeriodRef:
    """Read a period: the one grammar of chat and portfolio files.

    A text, in any case and with any spaces (a no-break space too), is one of:

    - `3` or `phase 3`: a phase number of the plan, 0 to 399 (`planner.limits.MAX_PHASES`);
    - `2027Q1`, `2027-Q1`, `2027 Q1`, `Q1 2027`: a calendar quarter; `Q3`: the next Q3;
    - `2027-03`: a calendar month; `2027-03-01`: the phase that contains that day;
    - `this|current|next|last|previous quarter|month`: relative to today;
    - `FY2028Q1`, `Sprint 4`: a phase label of a fiscal or sprint calendar.

    Digits are ASCII 0–9 (`²` and `٣` are refused, not read), years run from 1900 to
    2999 (`planner.limits`). A portfolio file may also give a phase number as an int,
    or a day as the date YAML reads from `2027-03-01`.

    Raises PeriodError saying what was expected.
    """
    try:
        return _parse(value)
    except _YearError as exc:
        shown = (
            value.isoformat() if isinstance(value, dt.date) else _clip(" ".join(str(value).split()))
        )
        raise PeriodError(f"'{shown}': {exc.problem}.") from None


class _YearError(PeriodError):
    """A period in a year outside `planner.limits` (its message is a full sentence)."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(f"{_capital(problem)}.")


def _parse(value: str | int | dt.date) -> PeriodRef:
    if isinstance(value, bool) or not isinstance(value, str | int | dt.date):
        raise PeriodError(f"{value!r} is not a period: expected {PERIOD_EXAMPLES}.")
    if isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        return PeriodRef("date", day)
    if isinstance(value, int):
        if value < 0:
            raise PeriodError(f"{value} is not a period: expected {PERIOD_EXAMPLES}.")
        return _index(value, str(value))
    raw = " ".join(value.split())
    if any(ch.isnumeric() and not ch.isascii() for ch in raw):
        raise PeriodError(
            f"'{_clip(raw)}' is not a period: write digits 0–9 (expected {PERIOD_EXAMPLES})."
        )
    low = raw.lower()
    if m := re.fullmatch(r"(?:phase\s*)?([0-9]+)", low):
        return _index(_whole(m[1]), raw)
    if m := re.fullmatch(r"([0-9]{4})\s*[-/ ]?\s*q([1-4])", low):
        return PeriodRef("quarter", (int(m[1]), int(m[2])))
    if m := re.fullmatch(r"q([1-4])\s*[-/ ]?\s*([0-9]{4})", low):
        return PeriodRef("quarter", (int(m[2]), int(m[1])))
    if m := re.fullmatch(r"q([1-4])", low):
        return PeriodRef("quarter", (None, int(m[1])))
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", low):
        try:
            day = dt.date.fromisoformat(low)
        except ValueError as exc:
            raise PeriodError(f"'{raw}' is not a date: {exc}.") from None
        return PeriodRef("date", day)
    if m := re.fullmatch(r"([0-9]{4})-([0-9]{2})", low):
        month = int(m[2])
        if not 1 <= month <= 12:
            raise PeriodError(f"'{raw}' is not a month: months run from 01 to 12.")
        return PeriodRef("month", (int(m[1]), month))
    if m := re.fullmatch(r"(this|current|next|last|previous)[\s_-]+(quarter|month)", low):
        return PeriodRef("relative", (m[2], _OFFSETS[m[1]]))
    if m := re.fullmatch(r"fy\s*([0-9]{4})\s*[-/ ]?\s*q([1-4])", low):
        if (problem := year_problem(int(m[1]))) is not None:
            raise _YearError(problem)
        return PeriodRef("label", f"FY{m[1]}Q{m[2]}")
    if m := re.fullmatch(r"sprint\s*[-#]?\s*([0-9]+)", low):
        number = _whole(m[1])
        if number > MAX_PHASES:
            raise PeriodError(
                f"'{_clip(raw)}': there is no sprint {_clip(m[1])}: a plan has at most "
                f"{MAX_PHASES} phases (Sprint 1–{MAX_PHASES})."
            )
        return PeriodRef("label", f"Sprint {number}")
    raise PeriodError(f"'{_clip(raw)}' is not a period: expected {PERIOD_EXAMPLES}.")


def _index(number: int, raw: str) -> PeriodRef:
    if number >= MAX_PHASES:
        shown = _clip(raw)
        raise PeriodError(
            f"'{shown}': there is no phase {_clip(str(number)) if number < 10**30 else shown}: "
            f"a plan has at most {MAX_PHASES} phases (0–{MAX_PHASES - 1})."
        )
    return PeriodRef("index", number)


def _whole(digits: str) -> int:
    """ASCII digits as a number; thousands of them are merely more than any bound."""
    return int(digits) if len(digits) <= 30 else 10**30


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


def _year_of(ref: PeriodRef) -> int | None:
    """The year a quarter, month or date names (None for other kinds, or a bare quarter)."""
    if ref.kind == "date" and isinstance(ref.value, dt.date):
        return ref.value.year
    if ref.kind in ("quarter", "month") and isinstance(ref.value, tuple) and ref.value:
        year = ref.value[0]
        return year if isinstance(year, int) else None
    return None


def period_span(ref: PeriodRef, *, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of a calendar period (quarter with a year, month, date,
    relative period). Other kinds need a plan: see `resolve_period`.

    Raises PeriodError when the period runs out of the years dates can hold.
    """
    try:
        return _span(ref, today=today)
    except (ValueError, OverflowError) as exc:
        if str(exc).endswith("is not a calendar period"):
            raise
        raise PeriodError(f"{_capital(str(ref))} is {_outside()}.") from None


def _outside() -> str:
    return f"outside the years Townhall plans in ({MIN_YEAR}–{MAX_YEAR})"


def _span(ref: PeriodRef, *, today: dt.date) -> tuple[dt.date, dt.date]:
    if ref.kind == "quarter" and _bare_quarter(ref) is None:
        year, quarter = _pair(ref)
        return _quarter_span(dt.date(year, 3 * quarter - 2, 1))
    if ref.kind == "month":
        year, month = _pair(ref)
        return _month_span(dt.date(year, month, 1))
    if ref.kind == "date":
        return _day(ref), _day(ref)
    if ref.kind == "relative":
        unit, offset = _pair(ref)
        if unit == "quarter":
            return _quarter_span(_quarter_start(today) + relativedelta(months=3 * offset))
        return _month_span(today.replace(day=1) + relativedelta(months=offset))
    raise ValueError(f"{ref} is not a calendar period")


def resolve_period(ref: PeriodRef, *, phases: Sequence[Phase], today: dt.date) -> int:
    """The index of the plan phase a period names.

    A calendar period names the phase its first day falls in (or the first phase, when
    it began before the plan and runs into it); `Q3` without a year is the first phase
    labelled Q3, else the first Q3 in the horizon. Raises PeriodError when the period is
    outside the horizon or names no phase.
    """
    if not phases:
        raise PeriodError("The plan has no phases.")
    if ref.kind == "index":
        index = cast(int, ref.value)
        if 0 <= index < len(phases):
            return index
        raise PeriodError(f"There is no phase {index}: {_horizon(phases)}.")
    if ref.kind in ("label", "quarter"):
        found = _by_label(ref, phases)
        if found is not None:
            return found
        if ref.kind == "label":
            raise PeriodError(f"No phase is labelled {ref}: {_horizon(phases)}.")
    if (quarter := _bare_quarter(ref)) is not None:
        for year in range(phases[0].start.year - 1, phases[-1].end.year + 1):
            found = _by_span(_quarter_span(dt.date(year, 3 * quarter - 2, 1)), phases)
            if found is not None:
                return found
        raise PeriodError(f"No Q{quarter} falls in the plan: {_horizon(phases)}.")
    span = period_span(ref, today=today)
    found = _by_span(span, phases)
    if found is None:
        named = str(ref)
        if ref.kind == "relative":
            named = f"{ref} (from {span[0].isoformat()})"
        raise PeriodError(f"{_capital(named)} is outside the plan: {_horizon(phases)}.")
    return found


def period_start(
    ref: PeriodRef, *, today: dt.date, phases: Sequence[Phase] | None = None
) -> dt.date:
    """The day a period starts on, e.g. for a plan that starts there (`plan from=…`).

    `Q3` without a year is the Q3 that has not ended yet. A phase number or label is
    read in `phases`, the current plan; without them it raises PeriodError, as it does
    when the phase is not in them, or when the day is not in the years dates hold.
    """
    if (quarter := _bare_quarter(ref)) is not None:
        year = today.year
        try:
            if _quarter_span(dt.date(year, 3 * quarter - 2, 1))[1] < today:
                year += 1
        except (ValueError, OverflowError):
            year += 1
        if year_problem(year) is not None:
            raise PeriodError(f"The next {ref} is {_outside()}.")
        return dt.date(year, 3 * quarter - 2, 1)
    if ref.kind in ("index", "label"):
        if phases is None:
            raise PeriodError(
                f"{_capital(str(ref))} names a phase of the current plan; give a quarter, "
                "a month or a date instead, e.g. 2027Q1 or 2027-03-01."
            )
        return phases[resolve_period(ref, phases=phases, today=today)].start
    return period_span(ref, today=today)[0]


def _pair(ref: PeriodRef) -> tuple[Any, Any]:
    return cast(tuple[Any, Any], ref.value)


def _day(ref: PeriodRef) -> dt.date:
    return cast(dt.date, ref.value)


def _bare_quarter(ref: PeriodRef) -> int | None:
    """The quarter of `Q3` written without a year; None for anything else."""
    if ref.kind != "quarter":
        return None
    year, quarter = _pair(ref)
    return quarter if year is None else None


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _quarter_span(start: dt.date) -> tuple[dt.date, dt.date]:
    return start, start + relativedelta(months=3, days=-1)


def _month_span(start: dt.date) -> tuple[dt.date, dt.date]:
    return start, start + relativedelta(months=1, days=-1)


def _by_label(ref: PeriodRef, phases: Sequence[Phase]) -> int | None:
    """A phase whose label is the period (`2027Q3`, `FY2028Q1`), or ends with it (`Q3`)."""
    wanted = str(ref).replace(" ", "").lower()
    bare = _bare_quarter(ref) is not None
    for phase in phases:
        label = phase.label.replace(" ", "").lower()
        if label == wanted or (bare and label.endswith(wanted)):
            return phase.index
    return None


def _by_span(span: tuple[dt.date, dt.date], phases: Sequence[Phase]) -> int | None:
    first, last = span
    for phase in phases:
        if phase.start <= first <= phase.end:
            return phase.index
    if first < phases[0].start <= last:
        return phases[0].index
    return None


def _horizon(phases: Sequence[Phase]) -> str:
    first, last = phases[0], phases[-1]
    return (
        f"it runs from {first.label} to {last.label} "
        f"({first.start.isoformat()} to {last.end.isoformat()}, phases 0–{len(phases) - 1})"
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
