"""Periods as people type them (`2027Q1`, `Q3`, `2027-03-01`, `next quarter`, `3`) and
the phase or date they stand for."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from dateutil.parser import isoparse
from dateutil.relativedelta import relativedelta

from planner.calendar import Phase
from planner.errors import PeriodError

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


def parse_period(text: str) -> PeriodRef:
    """Read a period: `2027Q1` (also `Q1 2027`), `Q3`, `2027-03`, `2027-03-01`,
    `this|next|last quarter|month`, `FY2028Q1`, `Sprint 4` or a phase number `3`.

    Raises PeriodError saying what was expected.
    """
    raw = " ".join(text.split())
    low = raw.lower()
    if m := re.fullmatch(r"(?:phase\s*)?(\d+)", low):
        return PeriodRef("index", int(m[1]))
    if m := re.fullmatch(r"(\d{4})\s*[-/ ]?\s*q([1-4])", low):
        return PeriodRef("quarter", (int(m[1]), int(m[2])))
    if m := re.fullmatch(r"q([1-4])\s*[-/ ]?\s*(\d{4})", low):
        return PeriodRef("quarter", (int(m[2]), int(m[1])))
    if m := re.fullmatch(r"q([1-4])", low):
        return PeriodRef("quarter", (None, int(m[1])))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", low):
        try:
            return PeriodRef("date", isoparse(low).date())
        except ValueError as exc:
            raise PeriodError(f"'{raw}' is not a date: {exc}.") from None
    if m := re.fullmatch(r"(\d{4})-(\d{2})", low):
        month = int(m[2])
        if not 1 <= month <= 12:
            raise PeriodError(f"'{raw}' is not a month: months run from 01 to 12.")
        return PeriodRef("month", (int(m[1]), month))
    if m := re.fullmatch(r"(this|current|next|last|previous)[\s_-]+(quarter|month)", low):
        return PeriodRef("relative", (m[2], _OFFSETS[m[1]]))
    if m := re.fullmatch(r"fy\s*(\d{4})\s*[-/ ]?\s*q([1-4])", low):
        return PeriodRef("label", f"FY{m[1]}Q{m[2]}")
    if m := re.fullmatch(r"sprint\s*[-#]?\s*(\d+)", low):
        return PeriodRef("label", f"Sprint {int(m[1])}")
    raise PeriodError(f"'{raw}' is not a period: expected {PERIOD_EXAMPLES}.")


def period_span(ref: PeriodRef, *, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of a calendar period (quarter with a year, month, date,
    relative period). Other kinds need a plan: see `resolve_period`."""
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
    when the phase is not in them.
    """
    if (quarter := _bare_quarter(ref)) is not None:
        year = today.year
        if _quarter_span(dt.date(year, 3 * quarter - 2, 1))[1] < today:
            year += 1
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
