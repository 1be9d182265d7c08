"""Working time of the MSPDI export: the standard calendar, Monday to Friday, 08:00–12:00
and 13:00–17:00 (a working day is 8 hours), and how dates become working instants."""

from __future__ import annotations

import datetime as dt

HOURS_PER_DAY = 8
DAY_START = dt.time(8, 0)
DAY_FINISH = dt.time(17, 0)
# A Monday: working days are counted from here.
EPOCH = dt.date(2000, 1, 3)


def work_days_before(day: dt.date) -> int:
    """Working days (Mon–Fri) from the epoch up to, not including, `day`."""
    weeks, rest = divmod((day - EPOCH).days, 7)
    return weeks * 5 + min(rest, 5)


def work_hours(start: dt.datetime, finish: dt.datetime) -> int:
    """Working hours between two instants that each fall at 08:00 or 17:00 of a working day."""

    def offset(moment: dt.datetime) -> int:
        hours = work_days_before(moment.date()) * HOURS_PER_DAY
        return hours + (HOURS_PER_DAY if moment.time() >= DAY_FINISH else 0)

    return max(offset(finish) - offset(start), 0)


def first_work_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def last_work_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def span(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Start and finish instants of the working days from `first` to `last`, inclusive."""
    start_day, finish_day = first_work_day(first), last_work_day(last)
    if finish_day < start_day:  # no working day inside: keep one day at the start
        finish_day = start_day
    return dt.datetime.combine(start_day, DAY_START), dt.datetime.combine(finish_day, DAY_FINISH)


def duration(hours: int) -> str:
    return f"PT{hours}H0M0S"


def stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")
