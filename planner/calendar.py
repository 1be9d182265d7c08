"""Planning calendar: phase dates and labels, tollgates from a list or an RRULE."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr

from planner.portfolio import Calendar


@dataclass(frozen=True)
class Phase:
    index: int
    start: dt.date
    end: dt.date  # inclusive: the day before the next phase starts
    label: str


def phase_start(calendar: Calendar, index: int) -> dt.date:
    step = {
        "quarter": relativedelta(months=3),
        "month": relativedelta(months=1),
        "sprint": relativedelta(days=14),
    }[calendar.phase]
    return calendar.start + step * index


def phase_label(calendar: Calendar, start: dt.date, index: int) -> str:
    if calendar.phase == "sprint":
        return f"Sprint {index + 1}"
    if calendar.phase == "month":
        return start.strftime("%Y-%m")
    fy = calendar.fiscal_year_start
    quarter = ((start.month - fy) % 12) // 3 + 1
    if fy == 1:
        return f"{start.year}Q{quarter}"
    # A fiscal year is named after the calendar year it ends in.
    year = start.year + 1 if start.month >= fy else start.year
    return f"FY{year}Q{quarter}"


def phases_of(calendar: Calendar) -> tuple[Phase, ...]:
    out = []
    for p in range(calendar.phases):
        start = phase_start(calendar, p)
        end = phase_start(calendar, p + 1) - dt.timedelta(days=1)
        out.append(Phase(index=p, start=start, end=end, label=phase_label(calendar, start, p)))
    return tuple(out)


def phase_of_date(calendar: Calendar, day: dt.date) -> int | None:
    """The phase that contains `day`, or None outside the horizon."""
    for phase in phases_of(calendar):
        if phase.start <= day <= phase.end:
            return phase.index
    return None


def tollgate_phases(calendar: Calendar) -> frozenset[int]:
    """Phases in which a waterfall initiative may start."""
    gates = calendar.tollgates
    if gates is None:
        return frozenset(range(calendar.phases))
    if isinstance(gates, str):
        start = dt.datetime.combine(calendar.start, dt.time())
        end = dt.datetime.combine(phase_start(calendar, calendar.phases), dt.time())
        rule = rrulestr(gates, dtstart=start)
        found = set()
        for occurrence in rule.between(start, end, inc=True):
            index = phase_of_date(calendar, occurrence.date())
            if index is not None:
                found.add(index)
        return frozenset(found)
    return frozenset(gates)
