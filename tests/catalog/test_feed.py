"""The calendar feed in the catalog: the secret made on first use, replaced on revoke,
stored only as its hash and audited; who may see it; and the events' SEQUENCE and
LAST-MODIFIED kept by publishing."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading

import pytest
from icalendar import Calendar
from sqlalchemy import select, text

from catalog import services
from catalog.errors import NotFound, PermissionDenied
from catalog.models import AuditEntry, CalendarEventRecord, CalendarFeed, RoadmapRecord
from catalog.services import feed as feed_service
from catalog.services import roadmaps as roadmap_service
from catalog.usecases import commands as c
from catalog.usecases.context import Context
from catalog.usecases.feed import FeedNotConfigured, calendar_document, feed
from planner.problem import build_problem
from planner.roadmap import assemble
from planner.validate import check_starts
from tests.catalog.conftest import count_rows, make_team, small

PUBLIC = "https://townhall.example.com"
#: Six quarters, tollgates in the first and third, a freeze in the last: BLOG (agile,
#: after SSO) can go live in phase 2 or 3.
CALENDAR = {"start": "2027-01-01", "phases": 6, "tollgates": [0, 2], "freeze": [5]}


@pytest.fixture(autouse=True)
def public_url(monkeypatch):
    monkeypatch.setenv("TOWNHALL_PUBLIC_URL", PUBLIC + "/")


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Each publish an hour after the one before (LAST-MODIFIED has whole seconds)."""
    moments = (dt.datetime(2027, 1, 4, 9, tzinfo=dt.UTC) + dt.timedelta(hours=h) for h in range(99))
    monkeypatch.setattr(roadmap_service, "utcnow", lambda: next(moments))


@pytest.fixture
def team(uow):
    team = make_team(uow, "T-FEED")
    with uow() as u:
        services.import_portfolio(
            u,
            actor=team.operator,
            team_id=team.id,
            portfolio=small(
                calendar=CALENDAR,
                budget={"per_phase": 100000},
                capacity={"integration": 4, "security_reviews": 2},
            ),
        )
    return team


def ctx(uow, actor, team_id="T-FEED") -> Context:
    return Context(actor=actor, team_id=team_id, uow_factory=uow)


def secret_of(url: str) -> str:
    assert url.startswith(f"{PUBLIC}/calendar/") and url.endswith(".ics"), url
    return url.removeprefix(f"{PUBLIC}/calendar/").removesuffix(".ics")


def publish(uow, team, starts) -> int:
    with uow() as u:
        portfolio = services.workspace_portfolio(u, team_id=team.id)
    problem = build_problem(portfolio)
    assert check_starts(problem, starts) == []
    roadmap = assemble(problem, starts, status="optimal", solver="test", seconds=0.1)
    with uow() as u:
        saved = services.save_roadmap(
            u, actor=team.approver, team_id=team.id, roadmap=roadmap, portfolio=portfolio
        )
    with uow() as u:
        services.publish_roadmap(u, actor=team.approver, team_id=team.id, roadmap_id=saved.id)
    return saved.id


def events_by_summary(data: bytes) -> dict[str, object]:
    cal = Calendar.from_ical(data)
    for component in cal.walk():
        assert component.errors == [], (component.name, component.errors)
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


def test_the_first_use_makes_the_secret_and_stores_only_its_hash(uow, team) -> None:
    answer = feed(c.Feed(), ctx(uow, team.pmo))
    assert answer.created and not answer.revoked and answer.created_by == "U-PMO"
    secret = secret_of(answer.url)
    assert len(secret) == 43
    with uow() as u:
        row = u.session.scalar(select(CalendarFeed))
        assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        dumped = [
            repr(tuple(r))
            for table in ("calendar_feeds", "audit_entries", "calendar_events")
            for r in u.session.execute(text(f"SELECT * FROM {table}"))
        ]
    assert not any(secret in line for line in dumped), "the secret is stored nowhere"
    again = feed(c.Feed(), ctx(uow, team.admin))
    assert again.url is None and not again.created and not again.revoked
    assert (again.created_at, again.created_by) == (answer.created_at, "U-PMO")
    assert count_rows(uow, AuditEntry, action="calendar_feed.create") == 1


def test_revoking_replaces_the_secret_and_the_old_one_opens_nothing(uow, team) -> None:
    first = secret_of(feed(c.Feed(), ctx(uow, team.pmo)).url)
    assert calendar_document(first, uow) is not None
    answer = feed(c.Feed(revoke=True), ctx(uow, team.admin))
    assert answer.revoked and not answer.created and answer.created_by == "U-ADMIN"
    second = secret_of(answer.url)
    assert second != first
    assert calendar_document(first, uow) is None
    assert calendar_document(second, uow) is not None
    assert count_rows(uow, CalendarFeed) == 1
    with uow() as u:
        actions = [
            (e.action, e.actor)
            for e in u.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
            if e.entity == "calendar_feed"
        ]
    assert actions == [("calendar_feed.create", "U-PMO"), ("calendar_feed.revoke", "U-ADMIN")]


def test_revoking_without_a_feed_makes_the_first(uow, team) -> None:
    answer = feed(c.Feed(revoke=True), ctx(uow, team.operator))
    assert answer.created and not answer.revoked
    assert calendar_document(secret_of(answer.url), uow) is not None


@pytest.mark.parametrize("who", ["member", "approver", "security", "other"])
def test_only_the_pmo_and_admins_see_or_make_the_feed(uow, team, who) -> None:
    with pytest.raises(PermissionDenied, match="pmo or admin"):
        feed(c.Feed(), ctx(uow, getattr(team, who)))
    feed(c.Feed(), ctx(uow, team.pmo))
    for revoke in (False, True):
        with pytest.raises(PermissionDenied, match="pmo or admin"):
            feed(c.Feed(revoke=revoke), ctx(uow, getattr(team, who)))
    assert count_rows(uow, AuditEntry, action="calendar_feed.revoke") == 0


def test_a_user_of_another_workspace_is_refused(uow, team) -> None:
    make_team(uow, "T-OTHER")
    stranger = make_team(uow, "T-OTHER").pmo
    with pytest.raises(PermissionDenied):
        feed(c.Feed(), ctx(uow, stranger))
    with pytest.raises(NotFound):
        feed(c.Feed(), ctx(uow, team.operator, team_id="T-NONE"))


@pytest.mark.parametrize("value", ["", "townhall.example.com", "ftp://x", "https://x/?a=1"])
def test_without_a_public_url_nothing_is_made(uow, team, monkeypatch, value) -> None:
    monkeypatch.setenv("TOWNHALL_PUBLIC_URL", value)
    with pytest.raises(FeedNotConfigured, match="TOWNHALL_PUBLIC_URL"):
        feed(c.Feed(), ctx(uow, team.pmo))
    with pytest.raises(FeedNotConfigured, match="nothing was made or revoked"):
        feed(c.Feed(revoke=True), ctx(uow, team.pmo))
    assert count_rows(uow, CalendarFeed) == 0
    assert count_rows(uow, AuditEntry, entity="calendar_feed") == 0


def test_a_public_url_with_a_path_keeps_it(uow, team, monkeypatch) -> None:
    monkeypatch.setenv("TOWNHALL_PUBLIC_URL", "http://intranet.example/townhall")
    url = feed(c.Feed(), ctx(uow, team.pmo)).url
    assert url.startswith("http://intranet.example/townhall/calendar/")


def test_secrets_of_another_shape_are_not_looked_up(uow, team) -> None:
    secret = secret_of(feed(c.Feed(), ctx(uow, team.pmo)).url)
    for wrong in ("", secret[:-1], secret + "x", secret.upper(), "../" + secret[3:], "a" * 43):
        assert calendar_document(wrong, uow) is None, wrong


def test_nothing_published_is_an_empty_calendar_named_for_the_portfolio(uow, team) -> None:
    secret = secret_of(feed(c.Feed(), ctx(uow, team.pmo)).url)
    cal = Calendar.from_ical(calendar_document(secret, uow))
    assert cal.walk("VEVENT") == []
    assert str(cal["x-wr-calname"]) == "Small portfolio roadmap"


def test_publishing_keeps_each_event_s_sequence_and_last_modified(uow, team) -> None:
    secret = secret_of(feed(c.Feed(), ctx(uow, team.pmo)).url)
    publish(uow, team, {"SSO": 0, "BLOG": 2})
    before = events_by_summary(calendar_document(secret, uow))
    assert set(before) == {
        "Go-live: SSO Single sign-on",
        "Go-live: BLOG Internal blogs",
        "Tollgate: 2027Q1",
        "Tollgate: 2027Q3",
        "Change freeze: 2028Q2",
    }
    assert {int(e["sequence"]) for e in before.values()} == {0}
    published = {e.decoded("last-modified") for e in before.values()}
    assert len(published) == 1
    for e in before.values():
        assert e.decoded("dtstamp") == e.decoded("last-modified")
    assert calendar_document(secret, uow) == calendar_document(secret, uow), "stable bytes"

    publish(uow, team, {"SSO": 0, "BLOG": 3})  # BLOG goes live a quarter later
    after = events_by_summary(calendar_document(secret, uow))
    blog = after["Go-live: BLOG Internal blogs"]
    assert int(blog["sequence"]) == 1
    assert blog.decoded("dtstart") == dt.date(2027, 12, 31)
    assert blog.decoded("last-modified") == dt.datetime(2027, 1, 4, 10, tzinfo=dt.UTC)
    assert before["Go-live: BLOG Internal blogs"].decoded("last-modified") == dt.datetime(
        2027, 1, 4, 9, tzinfo=dt.UTC
    )
    for summary in set(after) - {"Go-live: BLOG Internal blogs"}:
        assert int(after[summary]["sequence"]) == 0, summary
        assert after[summary].decoded("last-modified") == before[summary].decoded(
            "last-modified"
        ), summary
        assert str(after[summary]["uid"]) == str(before[summary]["uid"])
    assert str(blog["uid"]) == str(before["Go-live: BLOG Internal blogs"]["uid"])

    publish(uow, team, {"SSO": 0})  # BLOG left out: its event goes, its row stays
    gone = events_by_summary(calendar_document(secret, uow))
    assert "Go-live: BLOG Internal blogs" not in gone
    publish(uow, team, {"SSO": 0, "BLOG": 2})  # and back where it first was: moved again
    back = events_by_summary(calendar_document(secret, uow))
    assert int(back["Go-live: BLOG Internal blogs"]["sequence"]) == 2
    assert count_rows(uow, CalendarEventRecord) == 5


def test_a_workspace_that_published_before_the_feed_counts_from_its_last_roadmap(uow, team) -> None:
    first = publish(uow, team, {"SSO": 0, "BLOG": 2})
    with uow() as u:  # as if published before migration 0006: no event rows
        for row in u.session.scalars(select(CalendarEventRecord)):
            u.session.delete(row)
        u.session.commit()
    publish(uow, team, {"SSO": 0, "BLOG": 3})
    secret = secret_of(feed(c.Feed(), ctx(uow, team.pmo)).url)
    found = events_by_summary(calendar_document(secret, uow))
    assert int(found["Go-live: BLOG Internal blogs"]["sequence"]) == 1
    with uow() as u:
        first_published = u.session.get(RoadmapRecord, first).published_at
    assert found["Go-live: SSO Single sign-on"].decoded("last-modified") == first_published
    assert found["Go-live: BLOG Internal blogs"].decoded("last-modified") > first_published


def test_publishing_in_one_workspace_leaves_another_s_events(uow, team) -> None:
    publish(uow, team, {"SSO": 0, "BLOG": 2})
    other = make_team(uow, "T-TWO")
    with uow() as u:
        portfolio = services.workspace_portfolio(u, team_id=other.id)
    problem = build_problem(portfolio)
    roadmap = assemble(problem, {"SSO": 0}, status="optimal", solver="test", seconds=0.1)
    with uow() as u:
        saved = services.save_roadmap(u, actor=other.approver, team_id=other.id, roadmap=roadmap)
    with uow() as u:
        services.publish_roadmap(u, actor=other.approver, team_id=other.id, roadmap_id=saved.id)
    with uow() as u:
        ws_ids = {r.workspace_id for r in u.session.scalars(select(CalendarEventRecord))}
    assert len(ws_ids) == 2
    assert count_rows(uow, CalendarEventRecord) == 5 + 4  # T-TWO: SSO, 2 tollgates, 1 freeze


def _at_once(uow, *writers):
    """Run each writer in its own thread and unit of work, released together."""
    barrier = threading.Barrier(len(writers))
    results: list[object] = []
    lock = threading.Lock()

    def run(write) -> None:
        with uow() as u:
            barrier.wait()
            try:
                result = write(u)
            except BaseException as exc:
                result = exc
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run, args=(w,)) for w in writers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_first_uses_at_once_make_one_feed(uow, team) -> None:
    for _ in range(4):
        with uow() as u:
            u.session.execute(text("DELETE FROM calendar_feeds"))
            u.session.commit()
        results = _at_once(
            uow,
            *(
                lambda u, a=a: feed_service.open_feed(u, actor=a, team_id=team.id)
                for a in (team.pmo, team.admin)
            ),
        )
        assert not [r for r in results if isinstance(r, BaseException)], results
        made = [r for r in results if r.secret is not None]
        assert len(made) == 1, results
        assert calendar_document(made[0].secret, uow) is not None
        assert count_rows(uow, CalendarFeed) == 1


def test_two_publishes_at_once_count_each_move_once(uow, team) -> None:
    publish(uow, team, {"SSO": 0, "BLOG": 2})
    with uow() as u:
        portfolio = services.workspace_portfolio(u, team_id=team.id)
    problem = build_problem(portfolio)
    ids = []
    for starts in ({"SSO": 0, "BLOG": 3}, {"SSO": 0, "BLOG": 4}):
        roadmap = assemble(problem, starts, status="optimal", solver="test", seconds=0.1)
        with uow() as u:
            ids.append(
                services.save_roadmap(
                    u, actor=team.approver, team_id=team.id, roadmap=roadmap, portfolio=portfolio
                ).id
            )
    results = _at_once(
        uow,
        *(
            lambda u, i=i: services.publish_roadmap(
                u, actor=team.approver, team_id=team.id, roadmap_id=i
            )
            for i in ids
        ),
    )
    assert not [r for r in results if isinstance(r, BaseException)], results
    with uow() as u:
        sequences = sorted(u.session.scalars(select(CalendarEventRecord.sequence)))
    assert sequences == [0, 0, 0, 0, 2]  # BLOG moved twice: each publish, one after the other
