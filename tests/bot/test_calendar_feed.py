"""The calendar feed over HTTP: the address asked for with `/roadmap feed` from Slack,
fetched from the production WSGI layer (`bot.server.SlackWsgi`) on loopback and read
with icalendar, before and after a re-plan; 304 for an unchanged ETag; 404 for a
revoked or wrong secret; the secret neither logged nor stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import io
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from sqlalchemy import text

from bot.commands import handle_text, run_job
from bot.console import run_command
from bot.logs import Redactor, make_handler
from catalog import services
from catalog.domain import Actor
from catalog.services import roadmaps as roadmap_service
from catalog.settings import Settings
from catalog.usecases.context import Context
from planner.problem import build_problem
from planner.validate import check_starts
from tests.bot.conftest import OPERATOR
from tests.bot.fakeslack import RESPONSE_URL, FakeSlack, iter_blocks_text
from tests.bot.wsgi_served import Townhall, serve_townhall

TEAM = "T0ACME"
PMO = "U0BOB"  # pmo and approver: asks for the feed, plans and publishes
URL = re.compile(r"https?://[^\s`>]+/calendar/[A-Za-z0-9_-]+\.ics")


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


def fetch(url: str, *, method: str = "GET", etag: str | None = None) -> Answer:
    split = urlsplit(url)
    assert split.hostname == "127.0.0.1", url
    connection = http.client.HTTPConnection(split.hostname, split.port, timeout=10)
    try:
        headers = {"If-None-Match": etag} if etag else {}
        connection.request(method, split.path, headers=headers)
        response = connection.getresponse()
        return Answer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        connection.close()


def calendar(answer: Answer) -> dict[str, object]:
    assert answer.status == 200, answer
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(answer.body)
    for component in cal.walk():
        assert component.errors == [], (component.name, component.errors)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


@pytest.fixture
def clock(monkeypatch) -> Iterator[None]:
    """Each publish a day after the one before (LAST-MODIFIED has whole seconds)."""
    moments = (dt.datetime(2027, 1, 4, 9, tzinfo=dt.UTC) + dt.timedelta(days=d) for d in range(99))
    monkeypatch.setattr(roadmap_service, "utcnow", lambda: next(moments))
    yield


@pytest.fixture
def townhall(session_factory, monkeypatch, clock) -> Iterator[Townhall]:
    with FakeSlack() as fake, serve_townhall(fake, session_factory) as served:
        monkeypatch.setenv("TOWNHALL_PUBLIC_URL", served.root)
        with served.uow() as uow:
            services.load_demo(uow, actor=OPERATOR, team_id=TEAM)
        for role in ("pmo", "approver"):
            with served.uow() as uow:
                services.grant_role(uow, actor=OPERATOR, team_id=TEAM, user_id=PMO, role=role)
        yield served


def ask(townhall: Townhall, words: str, *, user: str = PMO) -> dict:
    """`/roadmap WORDS` from `user`; the answer sent to the response URL."""
    answered = len(townhall.fake.calls(RESPONSE_URL))
    reply = townhall.slack.as_user(user).command(words).send(townhall.events_url)
    assert reply.status == 200
    call = townhall.fake.wait_for(RESPONSE_URL, count=answered + 1)[answered]
    return dict(call.body)


def feed_url(townhall: Townhall, words: str = "feed") -> str:
    body = ask(townhall, words)
    assert body["response_type"] == "ephemeral", "the address is for the asker alone"
    shown = "\n".join(iter_blocks_text(body["blocks"]))
    [url] = URL.findall(shown)
    assert url.startswith(townhall.root + "/calendar/")
    assert url not in body.get("text", ""), "the notification text does not carry it"
    return url


def core(townhall: Townhall, *texts: str) -> None:
    """Run commands through the core as the PMO (a slow one's job in place)."""
    ctx = Context(
        actor=Actor.user(team_id=TEAM, user_id=PMO), team_id=TEAM, uow_factory=townhall.uow
    )
    for words in texts:
        reply = handle_text(words, ctx, escaped=False)
        if reply.job is not None:
            reply = run_job(reply.job.payload, ctx)
        assert not reply.error, f"`{words}` failed: {reply.text}"


def go_lives(townhall: Townhall) -> dict[str, dt.date]:
    with townhall.uow() as uow:
        view = services.published_roadmap(uow, team_id=TEAM)
    return {s.key: s.end for s in view.roadmap.scheduled}


def movable(townhall: Townhall) -> tuple[str, int]:
    """An initiative of the published roadmap that could start a phase later, all else
    kept, and that phase."""
    with townhall.uow() as uow:
        view = services.published_roadmap(uow, team_id=TEAM)
        problem = build_problem(services.workspace_portfolio(uow, team_id=TEAM))
    starts = {s.key: s.start_phase for s in view.roadmap.scheduled}
    for item in sorted(view.roadmap.scheduled, key=lambda s: (-s.end_phase, s.key)):
        later = {**starts, item.key: item.start_phase + 1}
        if check_starts(problem, later) == []:
            return item.key, item.start_phase + 1
    raise AssertionError("nothing in the published roadmap can start a phase later")


def test_the_feed_follows_a_replan(townhall: Townhall, caplog) -> None:
    caplog.set_level(logging.INFO)
    url = feed_url(townhall)
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")

    empty = fetch(url)
    assert calendar(empty) == {}, "nothing published yet: an empty calendar"

    core(townhall, "plan time=2s", "publish")
    first = fetch(url)
    before = calendar(first)
    planned = go_lives(townhall)
    summaries = [str(e["summary"]) for e in before.values()]
    assert sum(s.startswith("Go-live: ") for s in summaries) == len(planned)
    assert any(s.startswith("Tollgate: ") for s in summaries)
    assert any(s.startswith("Change freeze: ") for s in summaries)
    assert {int(e["sequence"]) for e in before.values()} == {0}
    for event in before.values():
        assert event.decoded("dtstamp") == event.decoded("last-modified")
    etag = first.headers["etag"]

    unchanged = fetch(url, etag=etag)
    assert (unchanged.status, unchanged.body) == (304, b"")
    assert unchanged.headers["etag"] == etag
    assert fetch(url, etag=f'W/{etag}, "other"').status == 304
    assert fetch(url, etag='"other"').body == first.body
    head = fetch(url, method="HEAD")
    assert (head.status, head.body, head.headers["etag"]) == (200, b"", etag)

    # a re-plan that must move an initiative: pinned a phase later than it starts (one
    # that can move alone), and everything planned again against the baseline
    key, phase = movable(townhall)
    core(townhall, f"pin {key} {phase}", "plan time=2s", "publish")
    replanned = go_lives(townhall)
    moved = {k for k in planned.keys() & replanned.keys() if planned[k] != replanned[k]}
    assert key in moved

    second = fetch(url)
    assert second.headers["etag"] != etag
    assert fetch(url, etag=etag).status == 200, "a changed feed is sent again"
    after = calendar(second)
    by_key = {
        str(e["summary"]).split(" ")[1]: e for e in after.values() if "Go-live" in str(e["summary"])
    }
    for key, event in by_key.items():
        old = before.get(str(event["uid"]))
        if key in moved:
            assert int(event["sequence"]) == 1, key
            assert event.decoded("dtstart") == replanned[key]
            assert event.decoded("last-modified") > old.decoded("last-modified"), key
        elif old is not None and old.to_ical() == event.to_ical():
            continue  # the very same event: SEQUENCE and LAST-MODIFIED kept
        elif old is not None:
            assert int(event["sequence"]) == 0, key  # said something else, did not move
            assert old.decoded("dtstart") == event.decoded("dtstart"), key
    kept = [u for u in before.keys() & after.keys() if before[u].to_ical() == after[u].to_ical()]
    assert kept, "events that did not change are served as they were"
    for uid in before.keys() & after.keys():
        if before[uid].decoded("dtstart") == after[uid].decoded("dtstart"):
            assert int(after[uid]["sequence"]) == 0

    # revoked: the old address is a 404 like any wrong one, the new one works
    new_url = feed_url(townhall, "feed revoke")
    assert new_url != url
    gone = fetch(url)
    wrong = fetch(url.replace(secret, secret[::-1]))
    nonsense = fetch(f"{townhall.root}/calendar/..%2F.ics")
    assert (gone.status, gone.body) == (404, b"not found")
    assert (wrong.status, wrong.body) == (gone.status, gone.body)
    assert (nonsense.status, nonsense.body) == (gone.status, gone.body)
    assert gone.headers["content-type"] == wrong.headers["content-type"] == "text/plain"
    assert fetch(url, etag=etag).status == 404
    assert calendar(fetch(new_url)).keys() == after.keys()

    # the secrets are nowhere in the logs, and only hashed in the database
    new_secret = new_url.rsplit("/", 1)[1].removesuffix(".ics")
    logged = [
        " ".join([r.getMessage(), *(str(v) for v in vars(r).values())]) for r in caplog.records
    ]
    requests = [r for r in caplog.records if r.name == "townhall.requests"]
    assert any(getattr(r, "path", "") == "/calendar/[redacted].ics" for r in requests)
    for s in (secret, new_secret):
        assert not any(s in line for line in logged)
    with townhall.uow() as uow:
        rows = [
            repr(tuple(r))
            for table in ("calendar_feeds", "audit_entries", "calendar_events", "jobs")
            for r in uow.session.execute(text(f"SELECT * FROM {table}"))
        ]
        stored = uow.session.execute(text("SELECT secret_hash FROM calendar_feeds")).scalar()
    assert stored == hashlib.sha256(new_secret.encode()).hexdigest()
    for s in (secret, new_secret):
        assert not any(s in row for row in rows)


def test_a_stakeholder_is_refused_and_learns_no_address(townhall: Townhall) -> None:
    body = ask(townhall, "feed", user="U0ALICE")
    assert body["response_type"] == "ephemeral"
    shown = "\n".join(iter_blocks_text(body["blocks"]))
    assert "pmo or admin" in shown and not URL.search(shown)
    body = ask(townhall, "feed revoke", user="U0ALICE")
    assert "pmo or admin" in "\n".join(iter_blocks_text(body["blocks"]))
    with townhall.uow() as uow:
        assert uow.session.execute(text("SELECT count(*) FROM calendar_feeds")).scalar() == 0


def test_later_asks_say_since_when_and_how_to_get_a_new_address(townhall: Townhall) -> None:
    feed_url(townhall)
    body = ask(townhall, "feed")
    shown = "\n".join(iter_blocks_text(body["blocks"]))
    assert not URL.search(shown)
    assert "since 2" in shown and "/roadmap feed revoke" in shown


def test_the_console_gives_the_address_as_slack_does(townhall: Townhall) -> None:
    lines: list[str] = []
    reply = run_command(
        "feed",
        actor=Actor.user(team_id=TEAM, user_id=PMO),
        team_id=TEAM,
        uow_factory=townhall.uow,
        write=lines.append,
        read=lambda prompt: "",
    )
    assert not reply.error
    [url] = URL.findall("\n".join(lines))
    assert calendar(fetch(url)) == {}


def test_other_methods_and_paths_under_calendar(townhall: Townhall) -> None:
    url = feed_url(townhall)
    split = urlsplit(url)
    connection = http.client.HTTPConnection(split.hostname, split.port, timeout=10)
    try:
        connection.request("POST", split.path, body=b"x")
        response = connection.getresponse()
        assert (response.status, response.getheader("Allow")) == (405, "GET, HEAD")
        response.read()
    finally:
        connection.close()
    for path in ("/calendar/", "/calendar/x", url.removesuffix(".ics"), split.path + "/x.ics"):
        answer = fetch(townhall.root + path if path.startswith("/") else path)
        assert (answer.status, answer.body) == (404, b"not found"), path


def test_any_log_line_naming_a_feed_address_is_redacted() -> None:
    """Beyond the request log: whatever writes a feed's address (gunicorn's error for a
    request it could not handle, an exception) goes out without the secret."""
    secret = "Qm9ndXMtc2VjcmV0LWZvci10aGUtdGVzdC1vbmx5LTEyMzQ"
    stream = io.StringIO()
    handler = make_handler(Settings(log_format="json"), stream=stream)
    log = logging.getLogger("tests.calendar_feed")
    log.addHandler(handler)
    try:
        log.error("Error handling request /calendar/%s.ics?x=1", secret)
        log.warning("boom", extra={"url": f"https://h.example/calendar/{secret}.ics"})
    finally:
        log.removeHandler(handler)
    written = stream.getvalue()
    assert secret not in written
    assert written.count("/calendar/[redacted].ics") == 2
    assert Redactor()(f"GET /calendar/{secret}.ics 200") == "GET /calendar/[redacted].ics 200"
