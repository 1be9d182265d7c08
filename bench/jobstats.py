"""What the load benchmark reads back: job rows, saved roadmaps and the results Slack got.

Straight queries on the catalog's tables (the bench is an observer, not a workspace
member, so it does not go through the services' authorization), and the fake Slack's
record of `chat.update` calls: a job's result is the update of its placeholder message
whose blocks hold a roadmap (a "Publish" button), as in `tests/bot/test_jobs.py`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from catalog.models import AuditEntry, JobRecord


@dataclass(frozen=True)
class JobRow:
    id: str
    kind: str
    status: str
    attempts: int
    delivered: bool
    ts: str | None
    roadmap_id: int | None

    @property
    def finished(self) -> bool:
        """Done and delivered: the user has the answer."""
        return self.status == "done" and self.delivered


def jobs(engine: Engine, *, kind: str = "plan") -> dict[str, JobRow]:
    """Every job of `kind`, by id."""
    query = select(
        JobRecord.id,
        JobRecord.kind,
        JobRecord.status,
        JobRecord.attempts,
        JobRecord.delivered_at,
        JobRecord.delivery,
        JobRecord.result_roadmap_id,
    ).where(JobRecord.kind == kind)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return {
        r.id: JobRow(
            id=r.id,
            kind=r.kind,
            status=r.status,
            attempts=r.attempts,
            delivered=r.delivered_at is not None,
            ts=(r.delivery or {}).get("ts"),
            roadmap_id=r.result_roadmap_id,
        )
        for r in rows
    }


def status_counts(engine: Engine) -> dict[str, int]:
    """Jobs by status (all kinds)."""
    query = select(JobRecord.status, func.count()).group_by(JobRecord.status)
    with engine.connect() as connection:
        return {status: int(n) for status, n in connection.execute(query).all()}


def roadmap_saves(engine: Engine) -> set[int]:
    """The audit rows of every roadmap saved (the roadmaps themselves are pruned to the
    newest few, their audit rows stay; a save rolled back by a fenced attempt has none)."""
    query = select(AuditEntry.id).where(AuditEntry.action == "roadmap.save")
    with engine.connect() as connection:
        return set(connection.execute(query).scalars())


def carries_roadmap(body: dict[str, Any]) -> bool:
    """Whether a chat.update's blocks hold a finished roadmap (its Publish button)."""
    from tests.bot.fakeslack import iter_blocks_text

    return any("Publish" in text for text in iter_blocks_text(body.get("blocks") or []))


def result_updates(calls: Iterable[Any]) -> Counter[str]:
    """How many chat.update calls carried a roadmap, per message ts."""
    counts: Counter[str] = Counter()
    for call in calls:
        body = call.body
        ts = body.get("ts")
        if ts and carries_roadmap(body):
            counts[str(ts)] += 1
    return counts
