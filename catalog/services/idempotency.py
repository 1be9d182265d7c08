"""Idempotency keys: a request that may arrive twice takes effect once, in any process.

Slack may deliver the same slash command, click or modal submission twice (a retry
after a slow answer, a double click), possibly to two different web processes. The
first delivery claims a key naming the request (`claim` inserts it and commits); the
second finds the key taken. On PostgreSQL two simultaneous claims of one key are
serialized by the primary key's unique index: the second insert waits for the first
transaction and then fails, so exactly one claim succeeds.

Keys are plain text scoped by workspace, e.g. `T0ACME:view:V123` or
`T0ACME:command:<trigger_id>`, so one workspace's requests never collide with
another's. Old keys are forgotten by `forget_before`, which `claim` runs now and then
(one claim in `SWEEP_ODDS`), so no separate housekeeping process is needed.
"""

from __future__ import annotations

import datetime as dt
import logging
import random

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from catalog.models import IdempotencyKey
from catalog.uow import UnitOfWork

log = logging.getLogger(__name__)

#: How long a key is remembered. Slack retries within minutes; a day is ample.
KEEP = dt.timedelta(days=1)
#: One claim in this many also deletes the keys older than KEEP.
SWEEP_ODDS = 200
#: The longest key the `idempotency_keys.key` column holds.
MAX_KEY_LENGTH = 200

_random = random.Random()


def check_key(key: str) -> str:
    """`key` if it is a usable workspace-scoped key, else ValueError saying why."""
    if not isinstance(key, str) or not key.strip():
        raise ValueError(f"idempotency key: expected non-empty text, got {key!r}")
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError(
            f"idempotency key: expected at most {MAX_KEY_LENGTH} characters, got {len(key)}"
        )
    scope, sep, rest = key.partition(":")
    if not sep or not scope or not rest:
        raise ValueError(
            f"idempotency key: expected '<team_id>:<kind>:<id>' (workspace first), got {key!r}"
        )
    return key


def claim(uow: UnitOfWork, key: str, *, now: dt.datetime | None = None) -> bool:
    """Claim `key` in a transaction of its own: True for the first claim, False when it
    was claimed already (by this process or another).

    Anything pending in `uow` is committed with the key, so pass a fresh unit of work.
    """
    check_key(key)
    moment = now or dt.datetime.now(dt.UTC)
    uow.session.add(IdempotencyKey(key=key, created_at=moment))
    try:
        uow.commit()
    except IntegrityError:
        uow.rollback()
        return False
    if _random.randrange(SWEEP_ODDS) == 0:
        _sweep(uow, moment - KEEP)
    return True


def release(uow: UnitOfWork, key: str) -> None:
    """Give a claim back: the request did not take effect, so a later delivery may."""
    check_key(key)
    uow.session.execute(delete(IdempotencyKey).where(IdempotencyKey.key == key))
    uow.commit()


def forget_before(uow: UnitOfWork, moment: dt.datetime) -> int:
    """Delete the keys claimed before `moment` (timezone-aware); how many were deleted."""
    if moment.tzinfo is None:
        raise ValueError(f"forget_before: expected a timezone-aware moment, got {moment!r}")
    result = uow.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < moment))
    uow.commit()
    return int(result.rowcount or 0)


def _sweep(uow: UnitOfWork, moment: dt.datetime) -> None:
    """Housekeeping after a claim; a failure is logged, never the claim's problem."""
    try:
        forgotten = forget_before(uow, moment)
    except SQLAlchemyError:
        uow.rollback()
        log.warning("forgetting old idempotency keys failed", exc_info=True)
        return
    if forgotten:
        log.info("forgot %d idempotency keys claimed before %s", forgotten, moment.isoformat())
