"""Readiness: can this process do its work right now (database answers, Redis answers,
stored OAuth tokens open with `TOWNHALL_ENCRYPTION_KEY`)?

`/healthz` only says the process is alive; `/readyz` asks the dependencies, each within
`CHECK_TIMEOUT` seconds, so a load balancer stops sending traffic to an instance whose
database went away instead of letting Slack's 3-second budget run out. With OAuth installs
it also tries the stored tokens with the configured keys (at most every
`KEY_CHECK_INTERVAL` seconds): with a wrong key every request from those workspaces would
fail, so the instance is not ready and the check names the variable.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any, NamedTuple

from bot.logs import Redactor
from bot.token_cipher import EncryptionKeyError, TokenCipher, check_stored_tokens
from catalog import services
from catalog.settings import Settings
from catalog.uow import UnitOfWork

if TYPE_CHECKING:  # annotations only: the queries are the catalog's (`services.ping`)
    from sqlalchemy.orm import Session, sessionmaker

#: Seconds each dependency has to answer.
CHECK_TIMEOUT = 1.0
#: Seconds a verdict on the stored tokens' keys is kept (the keys change only with a
#: restart; rows written by other processes are checked again after this).
KEY_CHECK_INTERVAL = 60.0
OK = "ok"
NOT_CONFIGURED = "not configured"

# A hung dependency keeps its thread until the driver gives up; a small pool bounds that.
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="townhall-readyz")


class Readiness(NamedTuple):
    ready: bool
    checks: dict[str, str]

    def as_json(self) -> dict[str, Any]:
        return {"status": "ready" if self.ready else "unavailable", "checks": self.checks}


class ReadinessProbe:
    """Runs `SELECT 1` on the catalog database and `PING` on Redis when configured."""

    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        redis_url: str | None = None,
        redact: Redactor | None = None,
        timeout: float = CHECK_TIMEOUT,
        token_keys: Callable[[], None] | None = None,
        extra: Mapping[str, Callable[[], None]] | None = None,
    ) -> None:
        self.session_factory = session_factory
        #: More checks by name, each raising when not ready (Socket Mode's `slack`).
        self.extra = dict(extra or {})
        self.redis_url = redis_url
        self.redact = redact or Redactor()
        self.timeout = timeout
        self.token_keys = token_keys

    def __call__(self) -> Readiness:
        checks = {"database": self._check(self._database)}
        checks["redis"] = self._check(self._redis) if self.redis_url else NOT_CONFIGURED
        if self.token_keys is not None:  # OAuth installs only
            checks["encryption_key"] = self._check(self.token_keys)
        for name, check in self.extra.items():
            checks[name] = self._check(check)
        return Readiness(all(v in (OK, NOT_CONFIGURED) for v in checks.values()), checks)

    def _check(self, probe: Callable[[], None]) -> str:
        future = _pool.submit(probe)
        try:
            future.result(timeout=self.timeout)
        except FutureTimeout:
            return f"TimeoutError: no answer within {self.timeout:g} s"
        except Exception as exc:
            first_line = (str(exc).strip().splitlines() or [""])[0][:400]
            return self.redact(f"{type(exc).__name__}: {first_line}".rstrip(": "))
        return OK

    def _database(self) -> None:
        with UnitOfWork(self.session_factory) as uow:
            services.ping(uow)

    def _redis(self) -> None:
        import redis

        client = redis.Redis.from_url(
            self.redis_url, socket_timeout=self.timeout, socket_connect_timeout=self.timeout
        )
        try:
            client.ping()
        finally:
            client.close()


def token_key_check(
    settings: Settings, session_factory: sessionmaker[Session] | None
) -> Callable[[], None] | None:
    """With OAuth installs, a check raising `EncryptionKeyError` when stored tokens do not
    open with `TOWNHALL_ENCRYPTION_KEY` (`bot.token_cipher.check_stored_tokens`), its
    verdict kept for `KEY_CHECK_INTERVAL` seconds; None otherwise (a single workspace's
    token is in the environment, not the database)."""
    if not settings.oauth_enabled or session_factory is None:
        return None
    bind = session_factory.kw.get("bind")
    if bind is None:
        return None
    try:
        cipher = TokenCipher.from_settings(settings)
    except EncryptionKeyError as exc:  # `check_settings` refuses to start with it anyway
        problem = exc

        def unusable() -> None:
            raise problem

        return unusable
    lock = threading.Lock()
    verdict: dict[str, Any] = {"at": None, "error": None}

    def check() -> None:
        with lock:
            now = time.monotonic()
            if verdict["at"] is None or now - verdict["at"] > KEY_CHECK_INTERVAL:
                try:
                    check_stored_tokens(bind, cipher)
                    verdict["error"] = None
                except EncryptionKeyError as exc:
                    verdict["error"] = exc
                verdict["at"] = now  # a database error is not kept: the next probe retries
            if verdict["error"] is not None:
                raise verdict["error"]

    return check
