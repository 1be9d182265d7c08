"""Shared Slack rate-limit backoff: a 429 one client got makes the others wait it out —
in one process through memory, across processes through Redis — and Redis trouble
never breaks a call."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
import redis
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from sqlalchemy.orm import Session, sessionmaker

from bot import ratelimit
from bot.app import build_app, web_client
from bot.ratelimit import (
    KEY_PREFIX,
    BackoffStore,
    MemoryBackoff,
    RedisBackoff,
    SharedBackoffClient,
    SharedRateLimitRetryHandler,
    scope_of,
    wait_out,
)
from catalog.settings import Settings
from tests.bot.conftest import SECRET
from tests.bot.fakeslack import FakeSlack
from tests.bot.loopback import serve_wsgi
from tests.bot.signed import SlackRequests

#: The Redis database these tests use (and flush); never db 0.
REDIS_DB = 14


def _client(fake: FakeSlack, store: BackoffStore) -> SharedBackoffClient:
    """A client as `web_client` builds it, on the fake, with its own backoff store."""
    return SharedBackoffClient(
        backoff=store,
        token=fake.workspace.bot_token,
        base_url=fake.url,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            SharedRateLimitRetryHandler(store, max_retry_count=3),
        ],
    )


def _post(client: SharedBackoffClient, text: str) -> float:
    """Post a message; how long the call took, in seconds."""
    start = time.monotonic()
    client.chat_postMessage(channel="C0GENERAL", text=text)
    return time.monotonic() - start


def _a_hits_429_then_b_posts(
    fake: FakeSlack, a: SharedBackoffClient, b: SharedBackoffClient
) -> tuple[float, float]:
    """A's post is answered 429 (Retry-After 1); B posts as soon as A has recorded that
    (as B's store sees it). Returns how long B's call and A's call took."""
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    took: dict[str, float] = {}
    thread = threading.Thread(target=lambda: took.setdefault("a", _post(a, "from A")))
    thread.start()
    fake.wait_for("chat.postMessage", where=lambda c: c.status == 429)
    scope = scope_of(fake.workspace.bot_token, "chat.postMessage")
    deadline = time.monotonic() + 5
    while b.backoff.remaining(scope) <= 0:  # A has read the 429 and recorded its backoff
        assert time.monotonic() < deadline, "A never recorded the 429's backoff"
        time.sleep(0.005)
    took["b"] = _post(b, "from B")
    thread.join(timeout=10)
    return took["b"], took["a"]


# --------------------------------------------------------------------- the pieces


def test_the_scope_names_the_method_and_hides_the_token() -> None:
    scope = scope_of("xoxb-1234-secret", "chat.postMessage")
    assert scope.endswith(":chat.postMessage") and "secret" not in scope and "xoxb" not in scope
    assert scope != scope_of("xoxb-5678-other", "chat.postMessage")
    assert scope_of(None, "auth.test") == "no-token:auth.test"


def test_memory_backoff_keeps_the_longest_and_ends() -> None:
    now = [100.0]
    store = MemoryBackoff(clock=lambda: now[0])
    store.hold("s", 2.0)
    store.hold("s", 1.0)  # a shorter one does not shorten it
    assert store.remaining("s") == 2.0
    assert store.remaining("other") == 0.0
    now[0] = 101.5
    assert store.remaining("s") == pytest.approx(0.5)
    now[0] = 103
    assert store.remaining("s") == 0.0


def test_wait_out_sleeps_the_remaining_backoff_up_to_a_limit() -> None:
    store = MemoryBackoff()
    slept: list[float] = []
    assert wait_out(store, "s", sleep=slept.append) == 0.0 and slept == []
    store.hold("s", 30.0)
    assert wait_out(store, "s", max_wait=2.0, sleep=slept.append) == pytest.approx(2.0)


# --------------------------------------------------------------------- in one process


def test_a_429_makes_another_client_in_the_process_wait(fake: FakeSlack) -> None:
    store = MemoryBackoff()
    b_took, a_took = _a_hits_429_then_b_posts(fake, _client(fake, store), _client(fake, store))
    assert 0.7 <= b_took <= 2.5, b_took
    assert a_took >= 1.0
    calls = fake.calls("chat.postMessage")
    assert [c.status for c in calls].count(429) == 1  # B never reached the limit itself
    assert sum(c.ok for c in calls) == 2


def test_other_methods_and_workspaces_are_not_held_up(fake: FakeSlack) -> None:
    store = MemoryBackoff()
    client = _client(fake, store)
    store.hold(scope_of(fake.workspace.bot_token, "chat.postMessage"), 5.0)
    store.hold(scope_of("xoxb-another-workspace", "auth.test"), 5.0)
    start = time.monotonic()
    client.auth_test()
    assert time.monotonic() - start < 0.5


def test_web_client_builds_the_shared_client(fake: FakeSlack) -> None:
    settings = replace(Settings(), slack_api_url=fake.url)
    client = web_client(settings, token=fake.workspace.bot_token)
    assert isinstance(client, SharedBackoffClient)
    handlers = [h for h in client.retry_handlers if isinstance(h, SharedRateLimitRetryHandler)]
    assert [h.store for h in handlers] == [client.backoff]
    assert client.auth_test()["ok"]


def test_listeners_clients_wait_out_the_shared_backoff(
    fake: FakeSlack, session_factory: sessionmaker[Session]
) -> None:
    """Bolt gives each request its own WebClient; the app's middleware makes it one that
    waits too: a held backoff on views.open delays the modal `/roadmap propose` opens."""
    settings = replace(
        Settings(),
        slack_signing_secret=SECRET,
        slack_bot_token=fake.workspace.bot_token,
        slack_api_url=fake.url,
    )
    app = build_app(settings=settings, session_factory=session_factory)
    assert isinstance(app.client, SharedBackoffClient)
    requests = SlackRequests.for_workspace(
        fake.workspace, signing_secret=SECRET, response_urls=fake.response_url
    )
    with serve_wsgi(SlackRequestHandler(app)) as root:
        app.client.backoff.hold(scope_of(fake.workspace.bot_token, "views.open"), 1.0)
        start = time.monotonic()
        assert requests.command("propose").send(f"{root}/slack/events").status == 200
        fake.wait_for("views.open", timeout=5)
        took = time.monotonic() - start
    assert took >= 0.8, took


# --------------------------------------------------------------------- across processes


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database of its own (db 14 on REDIS_URL's server), flushed around the test."""
    base = os.environ.get("REDIS_URL", "")
    if not base.startswith("redis"):
        pytest.skip("needs Redis: set REDIS_URL=redis://127.0.0.1:6379")
    server = redis.Redis.from_url(base, db=REDIS_DB, socket_connect_timeout=1)
    try:
        server.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at REDIS_URL is unreachable: {type(exc).__name__}")
    kwargs = server.connection_pool.connection_kwargs
    url = f"redis://{kwargs.get('host', '127.0.0.1')}:{kwargs.get('port', 6379)}/{REDIS_DB}"
    server.flushdb()
    yield url
    server.flushdb()
    server.close()


def _process_store(url: str) -> RedisBackoff:
    """The store a separate process would have: its own connection, its own memory."""
    return RedisBackoff(redis.Redis.from_url(url, socket_connect_timeout=0.25))


def test_a_429_in_one_process_makes_another_process_wait(fake: FakeSlack, redis_url: str) -> None:
    a = _client(fake, _process_store(redis_url))
    b = _client(fake, _process_store(redis_url))
    b_took, _ = _a_hits_429_then_b_posts(fake, a, b)
    assert 0.7 <= b_took <= 2.5, b_took
    assert [c.status for c in fake.calls("chat.postMessage")].count(429) == 1


def test_the_backoff_key_expires_with_the_backoff_and_holds_no_token(
    fake: FakeSlack, redis_url: str
) -> None:
    store = _process_store(redis_url)
    store.hold(scope_of(fake.workspace.bot_token, "chat.postMessage"), 1.0)
    store.hold(scope_of(fake.workspace.bot_token, "chat.postMessage"), 0.2)  # kept longest
    server = redis.Redis.from_url(redis_url)
    [key] = server.keys(f"{KEY_PREFIX}*")
    assert fake.workspace.bot_token.encode() not in key
    assert 800 <= server.pttl(key) <= 1000
    assert 0.7 <= _process_store(redis_url).remaining(key.decode()[len(KEY_PREFIX) :]) <= 1.0
    server.close()


def test_with_redis_down_clients_still_work_and_it_is_logged_once(
    fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    down = RedisBackoff(redis.Redis(host="127.0.0.1", port=9, socket_connect_timeout=0.25))
    client = _client(fake, down)
    with caplog.at_level(logging.WARNING, logger="bot.ratelimit"):
        fake.fail_next("chat.postMessage", status=429, retry_after=1)
        took = _post(client, "through a 429 without Redis")
        _post(client, "and again")
    assert took >= 1.0  # the 429 was still waited out, in memory
    assert sum(c.ok for c in fake.calls("chat.postMessage")) == 2
    warnings = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert len(warnings) == 1
    assert "9" not in warnings[0].getMessage().split("(")[0]  # no address or URL logged


def test_the_store_is_memory_without_redis_url() -> None:
    assert isinstance(ratelimit.backoff_store(None), MemoryBackoff)
    with pytest.raises(ValueError, match="REDIS_URL"):
        ratelimit.backoff_store.__wrapped__("not-a-url://x")
