"""iCalendar export read back with icalendar.Calendar.from_ical, event by event."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from icalendar import Calendar

from planner.calendar import tollgate_phases
from planner.exports import ExportSource, export
from planner.exports.ics import PRODID, render
from tests.planner.exports.export_sources import (
    TRICKY_NAME,
    TRICKY_TITLES,
    all_sources,
    demo_source,
    tricky_source,
)

STAMP = dt.datetime(2027, 5, 4, 3, 2, 1, tzinfo=dt.UTC)


def lf(text: str) -> str:
    """iCalendar text holds one kind of line break."""
    return text.replace("\r\n", "\n")


def parse(data: bytes) -> Calendar:
    cal = Calendar.from_ical(data)
    for component in cal.walk():
        assert component.errors == [], (component.name, component.errors)
    return cal


def events(cal: Calendar) -> dict[str, list]:
    out: dict[str, list] = {"Go-live": [], "Tollgate": [], "Change freeze": []}
    for event in cal.walk("VEVENT"):
        kind = str(event["categories"].cats[0])
        out[kind].append(event)
    return out


def day(event, name: str) -> dt.date:
    value = event.decoded(name)
    assert type(value) is dt.date, f"{name} of an all-day event is a date"
    return value


@pytest.mark.parametrize("name", ["demo", "large", "tricky", "infeasible"])
def test_events_match_the_roadmap(name: str) -> None:
    source: ExportSource = all_sources()[name]
    cal = parse(render(source, stamp=STAMP))
    assert str(cal["prodid"]) == PRODID
    assert str(cal["version"]) == "2.0"
    found = events(cal)
    roadmap = source.roadmap
    phases = {p.index: p for p in roadmap.phases}

    go_lives = {str(e["summary"]).split(" ", 2)[1]: e for e in found["Go-live"]}
    assert sorted(go_lives) == sorted(s.key for s in roadmap.scheduled)
    for s in roadmap.scheduled:
        event = go_lives[s.key]
        assert str(event["summary"]) == lf(f"Go-live: {s.key} {s.title}")
        assert day(event, "dtstart") == s.end == phases[s.end_phase].end
        assert day(event, "dtend") == s.end + dt.timedelta(days=1)
        assert event.decoded("dtstamp") == STAMP
        assert lf(s.title) in str(event["description"])
        assert s.cadence in [str(c) for c in event["categories"].cats]

    gates = (
        sorted(tollgate_phases(source.portfolio.calendar))
        if source.portfolio.calendar.tollgates is not None
        else []
    )
    assert sorted(day(e, "dtstart") for e in found["Tollgate"]) == [phases[g].start for g in gates]
    freezes = sorted((day(e, "dtstart"), day(e, "dtend")) for e in found["Change freeze"])
    assert freezes == [
        (phases[f].start, phases[f].end + dt.timedelta(days=1))
        for f in sorted(source.portfolio.calendar.freeze)
    ]
    uids = [str(e["uid"]) for e in cal.walk("VEVENT")]
    assert len(uids) == len(set(uids)), "UIDs are unique"


def test_uids_are_stable_across_exports_and_only_dtstamp_changes() -> None:
    source = demo_source()
    first = render(source, stamp=STAMP)
    later = render(source, stamp=STAMP + dt.timedelta(days=3))
    assert render(source, stamp=STAMP) == first
    uids = [str(e["uid"]) for e in parse(first).walk("VEVENT")]
    assert uids == [str(e["uid"]) for e in parse(later).walk("VEVENT")]
    lines = lambda data: [ln for ln in data.splitlines() if not ln.startswith(b"DTSTAMP")]  # noqa: E731
    assert lines(first) == lines(later) and first != later


def test_uids_depend_on_the_portfolio_name_not_on_the_plan() -> None:
    source = demo_source()
    moved = replace(
        source.roadmap,
        scheduled=tuple(
            replace(s, end=s.end + dt.timedelta(days=90)) for s in source.roadmap.scheduled
        ),
    )
    same = {str(e["uid"]) for e in parse(render(source)).walk("VEVENT")}
    assert same == {
        str(e["uid"])
        for e in parse(render(ExportSource(roadmap=moved, portfolio=source.portfolio))).walk(
            "VEVENT"
        )
    }
    other = ExportSource(
        roadmap=replace(source.roadmap, name="Another portfolio"), portfolio=source.portfolio
    )
    assert same.isdisjoint(str(e["uid"]) for e in parse(render(other)).walk("VEVENT"))


def test_dtstamp_defaults_to_now_in_utc() -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    cal = parse(export("ics", demo_source()))
    after = dt.datetime.now(dt.UTC)
    for event in cal.walk("VEVENT"):
        assert before <= event.decoded("dtstamp") <= after


def test_names_with_quotes_ampersands_commas_newlines_and_non_ascii_survive() -> None:
    cal = parse(render(tricky_source(), stamp=STAMP))
    assert str(cal["x-wr-calname"]) == f"{TRICKY_NAME} roadmap"
    summaries = {str(e["summary"]) for e in cal.walk("VEVENT")}
    for key in ("QUOTE", "AMP", "LINES", "FORMULA"):
        assert lf(f"Go-live: {key} {TRICKY_TITLES[key]}") in summaries
    descriptions = "\n".join(str(e["description"]) for e in cal.walk("VEVENT"))
    assert 'Owner: Ève "the boss" Dupont' in descriptions
    assert "Owner: R&D <ops>, Müller" in descriptions
    categories = {str(c) for e in cal.walk("VEVENT") for c in e["categories"].cats}
    assert "Communauté, «externe» & <co>" in categories


def test_a_calendar_without_tollgates_has_no_tollgate_events() -> None:
    source = demo_source()
    portfolio = replace(
        source.portfolio, calendar=replace(source.portfolio.calendar, tollgates=None, freeze=())
    )
    found = events(parse(render(ExportSource(roadmap=source.roadmap, portfolio=portfolio))))
    assert found["Tollgate"] == [] and found["Change freeze"] == []
    assert len(found["Go-live"]) == len(source.roadmap.scheduled)
