"""Readiness: can this process do its work right now (database answers, Redis answers)?

`/healthz` only says the process is alive; `/readyz` asks the dependencies, each within
`CHECK_TIMEOUT` seconds, so a load balancer stops sending traffic to an instance whose
database went away instead of letting Slack's 3-second budget run out.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any, NamedTuple

from bot.logs import Redactor
from catalog import services
from catalog.uow import UnitOfWork

if TYPE_CHECKING:  # annotations only: the query is the catalog's (`services.ping`)
    from sqlalchemy.orm import Session, sessionmaker

#: Seconds each dependency has to answer.
CHECK_TIMEOUT = 1.0
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
    ) -> None:
        self.session_factory = session_factory
        self.redis_url = redis_url
        self.redact = redact or Redactor()
        self.timeout = timeout

    def __call__(self) -> Readiness:
        checks = {"database": self._check(self._database)}
        checks["redis"] = self._check(self._redis) if self.redis_url else NOT_CONFIGURED
        return Readiness(all(v in (OK, NOT_CONFIGURED) for v in checks.values()), checks)

    def _check(self, probe: Callable[[], None]) -> str:
        future = _pool.submit(probe)
        try:
            future.result(timeout=self.timeout)
        except FutureTimeout:
            return f"TimeoutError: no answer within {self.timeout:g} s"
        except Exception as exc:
            first_line = (str(exc).strip().splitlines() or [""])[0][:200]
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
