"""Running a unit of work again when the database connection was lost under it.

Engines ping a pooled connection before lending it out (`pool_pre_ping`), so a
PostgreSQL restart is noticed at checkout. A connection can still die while a
transaction is under way (a restart, a failover, an administrator terminating
backends): the transaction is then rolled back by the server, and running the whole
unit of work once more is safe. `retry_on_disconnect(fn)` does that, once.

Only disconnects are retried: a constraint violation, a stale version or a bug fails
the same way twice and is raised at once. A commit whose connection dies after the
server committed cannot be told apart from one that never arrived; units of work
retried here are written so a second run finds the first one's effect (a claimed key,
an already-decided proposal) rather than doubling it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Runs after a disconnect: one retry, since a second disconnect in a row means the
#: database is down, not that one connection went stale.
RETRIES = 1


def is_disconnect(exc: BaseException) -> bool:
    """Whether `exc` (or what it was raised from) is a lost database connection.

    SQLAlchemy marks a DBAPI error as `connection_invalidated` when the dialect
    recognizes a disconnect (PostgreSQL's "terminating connection", "server closed the
    connection unexpectedly", a broken socket; SQLite never disconnects).
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__ or current.__context__
    return False


def retry_on_disconnect(fn: Callable[[], T], *, what: str = "a unit of work") -> T:
    """`fn()`, run once more if it failed because the database connection was lost.

    `fn` must be a whole unit of work (it opens and commits its own transactions), so a
    second run starts from a fresh connection. `what` names it in the warning logged.
    """
    for attempt in range(RETRIES + 1):
        try:
            return fn()
        except Exception as exc:
            if attempt >= RETRIES or not is_disconnect(exc):
                raise
            log.warning(
                "database connection lost during %s (%s); running it once more",
                what,
                type(exc).__name__,
            )
    raise AssertionError("unreachable: the last attempt returns or raises")
