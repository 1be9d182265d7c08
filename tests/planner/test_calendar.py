"""Phase dates and labels, fiscal years, tollgates from lists and RRULEs."""

from __future__ import annotations

import datetime as dt

from planner.calendar import phase_of_date, phases_of, tollgate_phases
from planner.portfolio import Calendar


def test_quarters_have_dates_and_labels():
    phases = phases_of(Calendar(start=dt.date(2027, 1, 1), phases=5))
    assert [p.label for p in phases] == ["2027Q1", "2027Q2", "2027Q3", "2027Q4", "2028Q1"]
    assert phases[0].end == dt.date(2027, 3, 31) and phases[4].start == dt.date(2028, 1, 1)


def test_fiscal_year_labels_follow_the_year_they_end_in():
    phases = phases_of(Calendar(start=dt.date(2027, 7, 1), phases=3, fiscal_year_start=7))
    assert [p.label for p in phases] == ["FY2028Q1", "FY2028Q2", "FY2028Q3"]


def test_months_and_sprints():
    months = phases_of(Calendar(start=dt.date(2027, 1, 31), phases=2, phase="month"))
    assert [p.label for p in months] == ["2027-01", "2027-02"]
    assert months[0].end == dt.date(2027, 2, 27)  # the day before Feb 28, the next start
    sprints = phases_of(Calendar(start=dt.date(2027, 1, 4), phases=3, phase="sprint"))
    assert sprints[1].start == dt.date(2027, 1, 18) and sprints[2].label == "Sprint 3"


def test_tollgates_default_list_and_rrule():
    cal = Calendar(start=dt.date(2027, 1, 1), phases=8)
    assert tollgate_phases(cal) == frozenset(range(8))
    listed = Calendar(start=dt.date(2027, 1, 1), phases=8, tollgates=(0, 4))
    assert tollgate_phases(listed) == {0, 4}
    half_yearly = Calendar(start=dt.date(2027, 1, 1), phases=8, tollgates="FREQ=MONTHLY;INTERVAL=6")
    assert tollgate_phases(half_yearly) == {0, 2, 4, 6}
    assert (
        phase_of_date(cal, dt.date(2027, 5, 5)) == 1
        and phase_of_date(cal, dt.date(2030, 1, 1)) is None
    )
