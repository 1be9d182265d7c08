"""The calendar feed: each workspace's feed secret (hashed) and what the feed last
published of each event.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

`calendar_feeds` holds one row per workspace that has a feed: the SHA-256 of the secret
in its address (`/calendar/<secret>.ics`), never the secret, and who made it when.
`calendar_events` holds, per event UID, the dates and digest last published, its
SEQUENCE (how many times it moved) and LAST-MODIFIED, written when a roadmap is
published.

The downgrade drops both tables: the feeds' addresses stop working (a new one is made
with `townhall feed` after upgrading again) and the events' history starts over.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"],
        ["workspaces.id"],
        name=op.f(f"fk_{table}_workspace_id_workspaces"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        _timestamp("created_at"),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        _workspace_fk("calendar_feeds"),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_calendar_feeds_secret_hash")),
    )
    op.create_table(
        "calendar_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=100), nullable=False),
        sa.Column("dtstart", sa.Date(), nullable=False),
        sa.Column("dtend", sa.Date(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        _timestamp("last_modified"),
        _workspace_fk("calendar_events"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_events")),
        sa.UniqueConstraint("workspace_id", "uid", name="uq_calendar_events_workspace_uid"),
    )


def downgrade() -> None:
    op.drop_table("calendar_events")
    op.drop_table("calendar_feeds")
