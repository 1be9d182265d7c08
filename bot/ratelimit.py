"""Slack rate-limit backoff shared by every process of the app.

Slack limits each Web API method per workspace. When one process gets HTTP 429 with
`Retry-After: N`, every other process calling that method for that workspace would get
429 too for the next N seconds. So the first 429 is recorded in a shared store — Redis
(`REDIS_URL`) under `townhall:slack-backoff:{scope}`, expiring when the backoff ends —
and every client waits out an active backoff for its scope before sending.

The scope is a hash of the token plus the API method (`3f2a…:chat.postMessage`); the
token itself is never stored. Without Redis, or while Redis is unreachable, the backoff
is kept in process memory: each process then learns of a rate limit only from its own
429s, which is how slack-sdk behaves by itself. Redis trouble is logged once per outage
and never fails a call.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
from collections.abc import Callable
from functools import cache
from typing import Any, Protocol

import redis
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

log = logging.getLogger(__name__)

KEY_PREFIX = "townhall:slack-backoff:"
#: Slack's default when a 429 carries no Retry-After, in seconds.
DEFAULT_RETRY_AFTER = 1.0
#: The longest a call waits for a shared backoff before it is sent anyway, in seconds.
MAX_WAIT = 60.0
#: After a Redis error, how long the store uses process memory before trying Redis again.
REDIS_PAUSE = 5.0
#: Redis answers within this on loopback or a LAN; a slower one counts as unreachable.
REDIS_TIMEOUT = 0.25

#: Keep the longest backoff: set the key only if it would live longer than it does now.
_HOLD_SCRIPT = """
local current = redis.call('PTTL', KEYS[1])
if current < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[1])
  return 1
end
return 0
"""


class BackoffStore(Protocol):
    """Where backoffs are kept: `hold` one for a scope, ask how much of it `remains`."""

    def hold(self, scope: str, seconds: float) -> None: ...

    def remaining(self, scope: str) -> float: ...


def scope_of(token: str | None, method: str) -> str:
    """The backoff scope of calling `method` with `token`: a hash, never the token."""
    who = hashlib.sha256(token.encode()).hexdigest()[:16] if token else "no-token"
    return f"{who}:{method}"


class MemoryBackoff:
    """Backoffs of this process only (monotonic clock)."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def hold(self, scope: str, seconds: float) -> None:
        until = self._clock() + max(seconds, 0.0)
        with self._lock:
            if until > self._until.get(scope, 0.0):
                self._until[scope] = until
            now = self._clock()  # forget the ended ones so the dict stays small
            for ended in [s for s, u in self._until.items() if u <= now]:
                del self._until[ended]

    def remaining(self, scope: str) -> float:
        with self._lock:
            until = self._until.get(scope)
        return 0.0 if until is None else max(until - self._clock(), 0.0)


class RedisBackoff:
    """Backoffs in Redis, shared by every process using the same Redis database.

    The key's time to live is the backoff (so processes need not agree on the clock).
    Every backoff is also kept in `fallback` (process memory), which answers alone while
    Redis is unreachable.
    """

    def __init__(self, client: redis.Redis, *, fallback: BackoffStore | None = None) -> None:
        self._redis = client
        self._fallback = fallback or MemoryBackoff()
        self._paused_until = 0.0
        self._warned = False
        self._lock = threading.Lock()
        self._script = client.register_script(_HOLD_SCRIPT)

    def hold(self, scope: str, seconds: float) -> None:
        self._fallback.hold(scope, seconds)
        millis = max(int(seconds * 1000), 1)
        self._try(lambda: self._script(keys=[KEY_PREFIX + scope], args=[millis]))

    def remaining(self, scope: str) -> float:
        local = self._fallback.remaining(scope)
        millis = self._try(lambda: self._redis.pttl(KEY_PREFIX + scope))
        shared = int(millis) / 1000 if isinstance(millis, int) and millis > 0 else 0.0
        return max(local, shared)

    def _try(self, fn: Callable[[], Any]) -> Any:
        """`fn()` against Redis, or None while Redis is unreachable (warned once)."""
        if time.monotonic() < self._paused_until:
            return None
        try:
            result = fn()
        except redis.RedisError as exc:
            with self._lock:
                self._paused_until = time.monotonic() + REDIS_PAUSE
                warn, self._warned = not self._warned, True
            if warn:
                log.warning(
                    "Redis unreachable for the shared Slack backoff (%s); "
                    "keeping backoffs in this process until it is back",
                    type(exc).__name__,
                )
            return None
        if self._warned:
            with self._lock:
                self._warned = False
            log.info("Redis reachable again: Slack backoffs are shared again")
        return result


@cache
def backoff_store(redis_url: str | None) -> BackoffStore:
    """The process's backoff store: Redis at `redis_url`, or memory when there is none."""
    if not redis_url:
        return MemoryBackoff()
    try:
        client = redis.Redis.from_url(
            redis_url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
        )
    except ValueError as exc:  # a malformed URL: the message never holds the password
        raise ValueError(f"REDIS_URL: expected redis://host:port/db, {exc}") from None
    return RedisBackoff(client)


def wait_out(
    store: BackoffStore,
    scope: str,
    *,
    max_wait: float = MAX_WAIT,
    sleep: Callable[[float], None] = time.sleep,
) -> float:
    """Sleep until `scope` has no active backoff (at most `max_wait`); seconds slept."""
    slept = 0.0
    while slept < max_wait:
        left = store.remaining(scope)
        if left <= 0:
            break
        step = min(left, max_wait - slept)
        sleep(step)
        slept += step
    return slept


def _header(headers: dict[str, Any], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return str(value[0] if isinstance(value, list) and value else value)
    return None


def _retry_after(response: HttpResponse) -> float:
    value = _header(response.headers, "retry-after")
    try:
        return max(float(value), 0.0) if value is not None else DEFAULT_RETRY_AFTER
    except ValueError:
        return DEFAULT_RETRY_AFTER


def _request_scope(request: HttpRequest) -> str:
    method = request.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    auth = _header(request.headers, "authorization") or ""
    token = auth.removeprefix("Bearer ").strip() or None
    return scope_of(token, method)


class SharedRateLimitRetryHandler(RetryHandler):
    """Retries a 429 after its Retry-After, like slack-sdk's RateLimitErrorRetryHandler,
    and first records the backoff in the shared store so other clients wait it out too."""

    def __init__(self, store: BackoffStore, *, max_retry_count: int = 3) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.store = store

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code == 429

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error or RuntimeError("a rate-limit retry without a response")
        scope = _request_scope(request)
        self.store.hold(scope, _retry_after(response))
        log.info("Slack rate-limited %s; backing off", scope.split(":", 1)[-1])
        wait_out(self.store, scope)
        time.sleep(random.random() * 0.2)  # callers waiting together do not retry together
        state.next_attempt_requested = True
        state.increment_current_attempt()


class SharedBackoffClient(WebClient):
    """A WebClient that waits out any shared backoff of its token and method first."""

    def __init__(self, *, backoff: BackoffStore, **options: Any) -> None:
        super().__init__(**options)
        self.backoff = backoff

    def api_call(self, api_method: str, **kwargs: Any) -> Any:
        token = _token_in(kwargs) or self.token
        wait_out(self.backoff, scope_of(token, api_method))
        return super().api_call(api_method, **kwargs)

    def like(self, client: WebClient) -> SharedBackoffClient:
        """A client with `client`'s token and options sharing this client's backoff."""
        return SharedBackoffClient(
            backoff=self.backoff,
            token=client.token,
            base_url=client.base_url,
            timeout=client.timeout,
            ssl=client.ssl,
            proxy=client.proxy,
            headers=dict(client.headers),
            team_id=client.default_params.get("team_id"),
            logger=client.logger,
            retry_handlers=list(client.retry_handlers),
        )


def _token_in(kwargs: dict[str, Any]) -> str | None:
    """A token passed to one call (`client.chat_postMessage(token=…)`) instead of the
    client's: slack-sdk puts it in the call's params, JSON or form data."""
    for part in ("params", "json", "data"):
        fields = kwargs.get(part)
        if isinstance(fields, dict) and isinstance(fields.get("token"), str):
            return fields["token"]
    headers = kwargs.get("headers") or {}
    auth = _header(headers, "authorization") if isinstance(headers, dict) else None
    return auth.removeprefix("Bearer ").strip() if auth else None


def share_with_listeners(app: App) -> None:
    """Make the listeners' clients wait out shared backoffs too.

    Bolt gives each request a fresh plain WebClient (copying the app client's options and
    retry handlers), so the app client's `api_call` alone would not cover listeners. When
    the app's client is a SharedBackoffClient, a middleware swaps each request's client
    for one sharing its backoff; otherwise (tests passing their own client) nothing.
    """
    shared = app.client
    if not isinstance(shared, SharedBackoffClient):
        return

    def use_shared_backoff(context: Any, next: Callable[[], Any]) -> Any:
        current = context.get("client")
        if isinstance(current, WebClient) and not isinstance(current, SharedBackoffClient):
            try:
                context["client"] = shared.like(current)
            except Exception:  # the request is still served, with Bolt's own client
                log.exception("could not give the listener a client sharing the backoff")
        return next()

    app.use(use_shared_backoff)
