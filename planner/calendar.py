"""Planning calendar: phase dates and labels, tollgates from a list or an RRULE.

`Calendar` lives here (and is re-exported by `planner.portfolio`) so that reading a
portfolio file can resolve periods such as `2027Q3` against its calendar
(`planner.periods` needs the phases) without an import cycle.

Everything here is bounded, whatever a file or the settings modal states:
`calendar_problem` refuses more than `planner.limits.MAX_PHASES` phases (the cap of
`plan phases=` too), a start outside the years of `planner.limits` and phases that run
past the year 9999; `rrule_problem` refuses RRULEs finer than a day and any that name
more than `MAX_TOLLGATE_OCCURRENCES` days in the horizon; `tollgate_phases` evaluates a
rule in bounded time (see `_occurrences`). The file format is docs/PLANNING_MODEL.md,
"Portfolio file" and "Tollgates and freezes".
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule, rrulestr

from planner.limits import MAX_PHASES, year_problem

#: RRULE frequencies a tollgate rule may use: tollgates are days, never times of day.
TOLLGATE_FREQS = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")
#: RRULE parts a tollgate rule may use (RFC 5545 without the time-of-day parts).
TOLLGATE_PARTS = (
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "WKST",
    "BYMONTH",
    "BYWEEKNO",
    "BYYEARDAY",
    "BYMONTHDAY",
    "BYDAY",
    "BYSETPOS",
)
#: Longest RRULE text accepted.
MAX_RRULE_LENGTH = 300
#: The most occurrences of a tollgate rule evaluated in a horizon.
MAX_TOLLGATE_OCCURRENCES = 10_000
#: The Gregorian calendar repeats exactly every 400 years (146,097 days, 20,871 weeks).
_CYCLE_YEARS = 400
#: The examples an RRULE error ends with.
RRULE_EXAMPLES = "FREQ=MONTHLY;INTERVAL=6 or FREQ=YEARLY;BYMONTH=1,7;BYMONTHDAY=1"
_STEPS = {
    "quarter": relativedelta(months=3),
    "month": relativedelta(months=1),
    "sprint": relativedelta(days=14),
}
_NAMES = {"quarter": "quarters", "month": "months", "sprint": "sprints"}
T = TypeVar("T")


@dataclass(frozen=True)
class Calendar:
    start: dt.date
    phases: int
    phase: str = "quarter"
    tollgates: tuple[int, ...] | str | None = None  # None: every phase; str: an RRULE
    freeze: tuple[int, ...] = ()
    fiscal_year_start: int = 1  # month the fiscal year starts in


@dataclass(frozen=True)
class Phase:
    index: int
    start: dt.date
    end: dt.date  # inclusive: the day before the next phase starts
    label: str


def phase_start(calendar: Calendar, index: int) -> dt.date:
    """The first day of phase `index` (raises ValueError or OverflowError past 9999)."""
    return calendar.start + _STEPS[calendar.phase] * index


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


def calendar_problem(calendar: Calendar) -> str | None:
    """Why a calendar cannot be planned (`calendar.phases: …`), or None when it can:
    more than MAX_PHASES phases, a start outside the years Townhall plans in, or phases
    that run past the year 9999."""
    if (problem := year_problem(calendar.start.year)) is not None:
        return f"calendar.start: {calendar.start.isoformat()}: {problem}"
    if calendar.phases > MAX_PHASES:
        return (
            f"calendar.phases: expected at most {MAX_PHASES} phases (the most a plan can "
            f"have), got {_count(calendar.phases)}"
        )
    try:
        phase_start(calendar, calendar.phases)
    except (ValueError, OverflowError):
        kind = _NAMES.get(calendar.phase, "phases")
        return (
            f"calendar.phases: {calendar.phases} {kind} from {calendar.start.isoformat()} run "
            "past the year 9999; choose fewer phases or an earlier start"
        )
    return None


def _cached(function: Callable[[Calendar], T]) -> Callable[[Calendar], T]:
    """Remember the last results for calendars that can be hashed (a Calendar built with
    a list instead of a tuple cannot, and is computed each time)."""
    cached = functools.lru_cache(maxsize=64)(function)

    @functools.wraps(function)
    def wrapper(calendar: Calendar) -> T:
        try:
            hash(calendar)
        except TypeError:
            return function(calendar)
        return cached(calendar)

    return wrapper


@_cached
def phases_of(calendar: Calendar) -> tuple[Phase, ...]:
    out = []
    starts = _phase_starts(calendar)
    for p in range(calendar.phases):
        start = starts[p]
        end = starts[p + 1] - dt.timedelta(days=1)
        out.append(Phase(index=p, start=start, end=end, label=phase_label(calendar, start, p)))
    return tuple(out)


def phase_of_date(calendar: Calendar, day: dt.date) -> int | None:
    """The phase that contains `day`, or None outside the horizon."""
    starts = _phase_starts(calendar)
    index = bisect.bisect_right(starts, day) - 1
    if index < 0 or index >= calendar.phases:
        return None
    return index


@_cached
def _phase_starts(calendar: Calendar) -> tuple[dt.date, ...]:
    """The first day of every phase and of the day after the horizon, in order."""
    return tuple(phase_start(calendar, p) for p in range(calendar.phases + 1))


def tollgate_phases(calendar: Calendar) -> frozenset[int]:
    """Phases in which a waterfall initiative may start.

    Raises ValueError naming the problem when the RRULE is one `rrule_problem` refuses.
    """
    gates = calendar.tollgates
    if gates is None:
        return frozenset(range(calendar.phases))
    if isinstance(gates, str):
        return _rrule_phases(calendar)
    return frozenset(gates)


def rrule_problem(text: str, calendar: Calendar | None = None) -> str | None:
    """Why `text` is not a tollgate RRULE (a sentence without the field's name), or None.

    Without a calendar only the rule itself is checked; with one, also that it names
    at most MAX_TOLLGATE_OCCURRENCES tollgates in its horizon. Bounded in time.
    """
    try:
        rule = _parse_rrule(text)
        if calendar is not None:
            for _ in _occurrences(rule, calendar):
                pass
    except ValueError as exc:
        return str(exc)
    return None


@_cached
def _rrule_phases(calendar: Calendar) -> frozenset[int]:
    assert isinstance(calendar.tollgates, str)
    rule = _parse_rrule(calendar.tollgates)
    return frozenset(
        index
        for day in _occurrences(rule, calendar)
        if (index := phase_of_date(calendar, day)) is not None
    )


_PART = re.compile(r"^([A-Z]+)=(.*)$")


def _parse_rrule(text: str) -> rrule:
    """One RRULE line, checked part by part; raises ValueError saying what is wrong."""
    if not isinstance(text, str):
        raise ValueError(f"expected an RRULE such as {RRULE_EXAMPLES}")
    rule_text = text.strip()
    if len(rule_text) > MAX_RRULE_LENGTH:
        raise ValueError(
            f"an RRULE of at most {MAX_RRULE_LENGTH} characters is expected, got {len(rule_text)}"
        )
    if rule_text.upper().startswith("RRULE:"):
        rule_text = rule_text[len("RRULE:") :]
    if not rule_text.isascii() or not rule_text.isprintable() or " " in rule_text:
        raise ValueError(f"expected one RRULE line such as {RRULE_EXAMPLES}")
    names = []
    for part in rule_text.upper().split(";"):
        m = _PART.match(part)
        if m is None:
            raise ValueError(f"'{part[:40]}' is not NAME=VALUE; expected e.g. {RRULE_EXAMPLES}")
        name, value = m[1], m[2]
        if name not in TOLLGATE_PARTS:
            raise ValueError(
                f"{name} is not allowed in a tollgate RRULE (tollgates are days; allowed: "
                f"{', '.join(TOLLGATE_PARTS)})"
            )
        if name in names:
            raise ValueError(f"{name} is given twice")
        names.append(name)
        if name == "FREQ" and value not in TOLLGATE_FREQS:
            raise ValueError(
                f"FREQ={value[:20]} is not a tollgate frequency: use "
                f"{', '.join(TOLLGATE_FREQS)} (tollgates are days, at most one per phase "
                "counts)"
            )
        if name != "UNTIL" and re.search(r"\d{7,}", value):
            raise ValueError(f"{name}={value[:20]}…: the number is too large")
    if "FREQ" not in names:
        raise ValueError(f"FREQ is missing; expected e.g. {RRULE_EXAMPLES}")
    if "COUNT" in names and "UNTIL" in names:
        raise ValueError("give COUNT or UNTIL, not both")
    try:
        rule = rrulestr(rule_text, dtstart=dt.datetime(2000, 1, 1), ignoretz=True)
    except (ValueError, TypeError, OverflowError, IndexError, KeyError) as exc:
        raise ValueError(f"cannot read this RRULE ({str(exc)[:120]})") from None
    if not isinstance(rule, rrule):  # pragma: no cover - one line is one rule
        raise ValueError(f"expected one RRULE line such as {RRULE_EXAMPLES}")
    return rule


def _occurrences(rule: rrule, calendar: Calendar) -> Iterator[dt.date]:
    """The days of `rule` from the calendar's start to the end of its horizon.

    dateutil looks for the next occurrence until the year 9999, however long that takes
    (a rule that never matches again, such as FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30, runs
    for seconds). So the rule is evaluated whole 400-year cycles later, where the
    Gregorian calendar repeats exactly (same weekdays, leap years and week numbers),
    as close to 9999 as the horizon allows: the search past the horizon is then shorter
    than one cycle. Raises ValueError when the rule names more than
    MAX_TOLLGATE_OCCURRENCES days in the horizon.
    """
    start = calendar.start
    try:
        end = phase_start(calendar, calendar.phases)  # the day after the horizon
    except (ValueError, OverflowError) as exc:
        raise ValueError("the calendar runs past the year 9999") from exc
    shift = (dt.MAXYEAR - end.year) // _CYCLE_YEARS * _CYCLE_YEARS
    first = dt.datetime.combine(_shifted(start, shift), dt.time())
    last = dt.datetime.combine(_shifted(end, shift), dt.time()) - dt.timedelta(seconds=1)
    until = rule._until  # a private attribute, but the only way to read UNTIL back
    if until is not None:
        if until < dt.datetime.combine(start, dt.time()):
            return
        if until < dt.datetime.combine(end, dt.time()):
            last = dt.datetime.combine(_shifted(until.date(), shift), until.time())
    try:
        bounded = rule.replace(dtstart=first, until=last, count=None)
        count = rule._count  # likewise: COUNT, applied here since UNTIL replaces it
        for n, occurrence in enumerate(bounded):
            if count is not None and n >= count:
                return
            if n >= MAX_TOLLGATE_OCCURRENCES:
                raise ValueError(
                    f"it names more than {MAX_TOLLGATE_OCCURRENCES} days in the horizon; "
                    f"one tollgate a phase is enough, e.g. {RRULE_EXAMPLES}"
                )
            yield _shifted(occurrence.date(), -shift)
    except (TypeError, OverflowError, IndexError, KeyError) as exc:
        raise ValueError(f"cannot evaluate this RRULE ({str(exc)[:120]})") from None


def _count(number: int) -> str:
    """A count as a message shows it: its digits, or how many (Python converts at most
    4,300 digits to text)."""
    if number < 10**30:
        return str(number)
    return f"a number of about {int(number.bit_length() * math.log10(2)) + 1:,} digits"


def _shifted(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (a multiple of 400: 29 February exists there too)."""
    return day.replace(year=day.year + years)
