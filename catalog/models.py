"""SQLAlchemy models of the catalog. The schema itself changes only through Alembic."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from catalog.domain import ROLES, STATUSES
from planner.stability import DEFAULT_STABILITY

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored with its time zone and always read back as aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite keeps no zone: it was written as UTC
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _one_of(column: str, options: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(o) for o in options)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        Any: JSON(),
    }


class Workspace(Base):
    """A Slack workspace (team); every other row belongs to exactly one."""

    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RoleGrant(Base):
    __tablename__ = "role_grants"
    __table_args__ = (
        UniqueConstraint("workspace_id", "user_id", "role", name="uq_role_grants_user_role"),
        CheckConstraint(_one_of("role", ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))
    granted_by: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Initiative(Base):
    """One initiative: every field of `planner.portfolio.InitiativeSpec`, plus bookkeeping."""

    __tablename__ = "initiatives"
    __table_args__ = (
        UniqueConstraint("workspace_id", "key", name="uq_initiatives_workspace_key"),
        CheckConstraint(_one_of("status", STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)  # order within the portfolio
    key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20))
    proposer: Mapped[str | None] = mapped_column(String(64))
    owner: Mapped[str | None] = mapped_column(String(200))
    cadence: Mapped[str] = mapped_column(String(20))
    duration: Mapped[int] = mapped_column(Integer)
    capex: Mapped[int] = mapped_column(BigInteger, default=0)
    opex: Mapped[int] = mapped_column(BigInteger, default=0)
    value: Mapped[int] = mapped_column(BigInteger)
    hosting: Mapped[str] = mapped_column(String(20))
    data_class: Mapped[str] = mapped_column(String(20))
    personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    security_review: Mapped[bool | None] = mapped_column(Boolean)
    review: Mapped[str | None] = mapped_column(String(20))
    review_note: Mapped[str] = mapped_column(Text, default="")
    uses: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    teams: Mapped[int] = mapped_column(Integer, default=1)
    depends_on: Mapped[Any] = mapped_column(JSON, default=list)
    excludes: Mapped[Any] = mapped_column(JSON, default=list)
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False)
    earliest: Mapped[int] = mapped_column(Integer, default=0)
    deadline: Mapped[int | None] = mapped_column(Integer)
    pin: Mapped[int | None] = mapped_column(Integer)
    # driver key → impact 0..5; keys of retired drivers stay (hidden) until restored
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class PlanningSettings(Base):
    """A workspace's calendar, budget, capacities and security policy (one row each)."""

    __tablename__ = "planning_settings"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(200))
    calendar_start: Mapped[dt.date] = mapped_column(Date)
    phase_kind: Mapped[str] = mapped_column(String(20))
    phases: Mapped[int] = mapped_column(Integer)
    tollgates: Mapped[Any] = mapped_column(JSON, nullable=True)  # list, RRULE text or null
    freeze: Mapped[Any] = mapped_column(JSON, default=list)
    fiscal_year_start: Mapped[int] = mapped_column(Integer, default=1)
    budget_per_phase: Mapped[Any] = mapped_column(JSON, nullable=True)  # number, list or null
    budget_total: Mapped[int | None] = mapped_column(BigInteger)
    capacity: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    policy_review: Mapped[Any] = mapped_column(JSON, default=list)
    policy_forbid: Mapped[Any] = mapped_column(JSON, default=list)
    objective: Mapped[str] = mapped_column(String(20), default="value")
    blend: Mapped[float] = mapped_column(Float, default=1.0)
    stability: Mapped[str] = mapped_column(String(10), default=DEFAULT_STABILITY)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class Driver(Base):
    """A business driver of a workspace: a strategic goal initiatives are scored against.

    A driver is retired rather than deleted: its key keeps its meaning (the judgments and
    scores that name it stay, unused, until it is restored).
    """

    __tablename__ = "drivers"
    __table_args__ = (UniqueConstraint("workspace_id", "key", name="uq_drivers_workspace_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(Integer)  # order of the drivers in lists and forms
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))


class JudgmentRecord(Base):
    """One person's answer to one pairwise comparison: driver `a` is `ratio` times as
    important as driver `b` (ratio as text: "3", "1/3"). One row per person and pair; the
    pair is stored once, in key order (`a` < `b`)."""

    __tablename__ = "judgments"
    __table_args__ = (
        UniqueConstraint("workspace_id", "user_id", "a", "b", name="uq_judgments_user_pair"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(String(64))
    a: Mapped[str] = mapped_column(String(40))
    b: Mapped[str] = mapped_column(String(40))
    ratio: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuditEntry(Base):
    """One change: who, when, what, and the fields before and after."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(20))
    entity_key: Mapped[str | None] = mapped_column(String(64), index=True)
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class RoadmapRecord(Base):
    """A solved roadmap as `planner.roadmap.Roadmap.to_dict()` wrote it."""

    __tablename__ = "roadmaps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20))
    objective: Mapped[int | None] = mapped_column(BigInteger)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[dt.datetime | None] = mapped_column()
    published_by: Mapped[str | None] = mapped_column(String(64))
    document: Mapped[Any] = mapped_column(JSON)
    portfolio: Mapped[Any] = mapped_column(JSON, nullable=True)  # what was planned, v1 format


#: A background job's states: waiting in the queue, claimed by a worker, finished with a
#: result, or given up on. `delivered_at` says whether the result has reached Slack.
JOB_STATUSES = ("queued", "running", "done", "failed")


class JobRecord(Base):
    """A background job (solve, what-if, explanation, export) and where its answer goes.

    The row, not the queue, is the job's state: any process can show it, a worker claims
    it by a conditional update, and a job whose worker stopped renewing its lease is
    queued again.
    """

    __tablename__ = "jobs"
    __table_args__ = (CheckConstraint(_one_of("status", JOB_STATUSES), name="status"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    request: Mapped[Any] = mapped_column(JSON)  # what to run, as the command service reads it
    delivery: Mapped[Any] = mapped_column(JSON)  # channel, message ts, response URL
    requested_by: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    enqueued_at: Mapped[dt.datetime | None] = mapped_column()
    started_at: Mapped[dt.datetime | None] = mapped_column()
    finished_at: Mapped[dt.datetime | None] = mapped_column()
    lease_until: Mapped[dt.datetime | None] = mapped_column()
    worker: Mapped[str | None] = mapped_column(String(128))
    result_roadmap_id: Mapped[int | None] = mapped_column(
        ForeignKey("roadmaps.id", ondelete="SET NULL")
    )
    result: Mapped[Any] = mapped_column(JSON, nullable=True)  # the reply to deliver
    error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[dt.datetime | None] = mapped_column()


class IdempotencyKey(Base):
    """A request that took effect once: a slash command's trigger, a modal submission.

    Inserting the key is the claim; a second delivery of the same request finds it taken.
    """

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class CalendarFeed(Base):
    """A workspace's subscribed calendar feed (`GET /calendar/<secret>.ics`): the SHA-256
    of its secret, never the secret itself. Revoking replaces the row's hash, so the old
    address stops working at once."""

    __tablename__ = "calendar_feeds"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)  # hex SHA-256
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))


class CalendarEventRecord(Base):
    """What the feed last published of one event (by its stable UID): its dates (DTEND
    exclusive, as iCalendar's), a digest of everything it says, how many times it moved
    (SEQUENCE) and when it last changed (LAST-MODIFIED). Written when a roadmap is
    published, in the same transaction; kept when the event leaves the roadmap, so that
    its SEQUENCE never goes back if it returns."""

    __tablename__ = "calendar_events"
    __table_args__ = (
        UniqueConstraint("workspace_id", "uid", name="uq_calendar_events_workspace_uid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    uid: Mapped[str] = mapped_column(String(100))
    dtstart: Mapped[dt.date] = mapped_column(Date)
    dtend: Mapped[dt.date] = mapped_column(Date)
    digest: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    last_modified: Mapped[dt.datetime] = mapped_column(default=utcnow)
