"""The subscribed feed's iCalendar (`render_feed`): the export's events with SEQUENCE,
LAST-MODIFIED and DTSTAMP from the revisions passed in, stable bytes, an empty calendar
when nothing is published; and `events`, the same events as plain data with digests."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from icalendar import Calendar

from planner.exports import ExportSource
from planner.exports.ics import Revision, events, render, render_feed
from tests.planner.exports.export_sources import demo_source, tricky_source

PUBLISHED = dt.datetime(2027, 2, 1, 8, 30, 15, 999, tzinfo=dt.UTC)
LATER = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def parse(data: bytes) -> Calendar:
    cal = Calendar.from_ical(data)
    for component in cal.walk():
        assert component.errors == [], (component.name, component.errors)
    return cal


def test_the_feed_has_the_export_s_events_and_their_revisions() -> None:
    source = demo_source()
    found = events(source)
    moved = found[0].uid
    revisions = {moved: Revision(3, LATER)}
    cal = parse(render_feed(source, name="ignored", revisions=revisions, modified=PUBLISHED))
    exported = parse(render(source, stamp=PUBLISHED))
    assert [str(e["uid"]) for e in cal.walk("VEVENT")] == [
        str(e["uid"]) for e in exported.walk("VEVENT")
    ]
    assert [str(e["uid"]) for e in cal.walk("VEVENT")] == [e.uid for e in found]
    for event in cal.walk("VEVENT"):
        uid = str(event["uid"])
        if uid == moved:
            assert int(event["sequence"]) == 3
            assert event.decoded("last-modified") == LATER.astimezone(dt.UTC)
        else:
            assert int(event["sequence"]) == 0
            assert event.decoded("last-modified") == PUBLISHED.replace(microsecond=0)
        assert event.decoded("dtstamp") == event.decoded("last-modified")
    assert str(cal["refresh-interval"].to_ical().decode()) == "PT1H"
    assert "X-PUBLISHED-TTL:PT1H" in cal.to_ical().decode()
    assert str(cal["x-wr-calname"]) == str(exported["x-wr-calname"])


def test_the_same_inputs_give_the_same_bytes() -> None:
    source = demo_source()
    first = render_feed(source, name="x", revisions={}, modified=PUBLISHED)
    assert render_feed(source, name="x", revisions={}, modified=PUBLISHED) == first
    assert render_feed(source, name="x", revisions={}, modified=LATER) != first


def test_nothing_published_is_an_empty_calendar_with_the_name_given() -> None:
    cal = parse(render_feed(None, name="Acme & co", revisions={}, modified=PUBLISHED))
    assert cal.walk("VEVENT") == []
    assert str(cal["x-wr-calname"]) == "Acme & co roadmap"
    assert str(cal["method"]) == "PUBLISH"


def test_digests_change_with_what_an_event_says_and_nothing_else() -> None:
    source = demo_source()
    before = {e.uid: e for e in events(source)}
    assert {e.uid: e.digest for e in events(source)} == {u: e.digest for u, e in before.items()}
    first = source.roadmap.scheduled[0]
    moved = replace(first, end=first.end + dt.timedelta(days=91))
    roadmap = replace(source.roadmap, scheduled=(moved, *source.roadmap.scheduled[1:]))
    after = {e.uid: e for e in events(ExportSource(roadmap=roadmap, portfolio=source.portfolio))}
    assert after.keys() == before.keys()
    changed = {u for u in after if after[u].digest != before[u].digest}
    assert any(after[u].kind == "go-live" for u in changed)
    for uid in changed:
        assert after[uid].kind == "go-live" and after[uid].first != before[uid].first


def test_tricky_names_survive_in_the_feed() -> None:
    source = tricky_source()
    cal = parse(render_feed(source, name="x", revisions={}, modified=PUBLISHED))
    summaries = {str(e["summary"]) for e in cal.walk("VEVENT")}
    assert summaries == {e.summary for e in events(source)}
