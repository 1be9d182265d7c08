"""Initial schema: workspaces, role grants, initiatives, planning settings, audit, roadmaps.

Revision ID: 0001
Revises:
Create Date: 2026-11-22

Written to stay as it is: it names its types and constraints itself rather than
importing the models, which will move on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = (
    "proposed",
    "changes_requested",
    "approved",
    "scheduled",
    "in_progress",
    "done",
    "rejected",
    "withdrawn",
)
ROLES = ("admin", "approver", "security", "pmo", "member")


def _one_of(column: str, options: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(o) for o in options)})"


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"],
        ["workspaces.id"],
        name=op.f(f"fk_{table}_workspace_id_workspaces"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspaces")),
        sa.UniqueConstraint("team_id", name=op.f("uq_workspaces_team_id")),
    )
    op.create_table(
        "role_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("granted_by", sa.String(length=64), nullable=False),
        _timestamp("granted_at"),
        sa.CheckConstraint(_one_of("role", ROLES), name=op.f("ck_role_grants_role")),
        _workspace_fk("role_grants"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_grants")),
        sa.UniqueConstraint("workspace_id", "user_id", "role", name="uq_role_grants_user_role"),
    )
    op.create_index(op.f("ix_role_grants_workspace_id"), "role_grants", ["workspace_id"])
    op.create_table(
        "initiatives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("proposer", sa.String(length=64), nullable=True),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("cadence", sa.String(length=20), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=False),
        sa.Column("capex", sa.BigInteger(), nullable=False),
        sa.Column("opex", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("hosting", sa.String(length=20), nullable=False),
        sa.Column("data_class", sa.String(length=20), nullable=False),
        sa.Column("personal_data", sa.Boolean(), nullable=False),
        sa.Column("security_review", sa.Boolean(), nullable=True),
        sa.Column("review", sa.String(length=20), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("uses", sa.JSON(), nullable=False),
        sa.Column("teams", sa.Integer(), nullable=False),
        sa.Column("depends_on", sa.JSON(), nullable=False),
        sa.Column("excludes", sa.JSON(), nullable=False),
        sa.Column("mandatory", sa.Boolean(), nullable=False),
        sa.Column("earliest", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.Integer(), nullable=True),
        sa.Column("pin", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint(_one_of("status", STATUSES), name=op.f("ck_initiatives_status")),
        _workspace_fk("initiatives"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiatives")),
        sa.UniqueConstraint("workspace_id", "key", name="uq_initiatives_workspace_key"),
    )
    op.create_index(op.f("ix_initiatives_workspace_id"), "initiatives", ["workspace_id"])
    op.create_table(
        "planning_settings",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("calendar_start", sa.Date(), nullable=False),
        sa.Column("phase_kind", sa.String(length=20), nullable=False),
        sa.Column("phases", sa.Integer(), nullable=False),
        sa.Column("tollgates", sa.JSON(), nullable=True),
        sa.Column("freeze", sa.JSON(), nullable=False),
        sa.Column("fiscal_year_start", sa.Integer(), nullable=False),
        sa.Column("budget_per_phase", sa.JSON(), nullable=True),
        sa.Column("budget_total", sa.BigInteger(), nullable=True),
        sa.Column("capacity", sa.JSON(), nullable=False),
        sa.Column("policy_review", sa.JSON(), nullable=False),
        sa.Column("policy_forbid", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _timestamp("updated_at"),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        _workspace_fk("planning_settings"),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_planning_settings")),
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        _timestamp("at"),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("entity_key", sa.String(length=64), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        _workspace_fk("audit_entries"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index(op.f("ix_audit_entries_workspace_id"), "audit_entries", ["workspace_id"])
    op.create_index(op.f("ix_audit_entries_entity_key"), "audit_entries", ["entity_key"])
    op.create_table(
        "roadmaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        _timestamp("created_at"),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("objective", sa.BigInteger(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        _timestamp("published_at", nullable=True),
        sa.Column("published_by", sa.String(length=64), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("portfolio", sa.JSON(), nullable=True),
        _workspace_fk("roadmaps"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmaps")),
    )
    op.create_index(op.f("ix_roadmaps_workspace_id"), "roadmaps", ["workspace_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_roadmaps_workspace_id"), table_name="roadmaps")
    op.drop_table("roadmaps")
    op.drop_index(op.f("ix_audit_entries_entity_key"), table_name="audit_entries")
    op.drop_index(op.f("ix_audit_entries_workspace_id"), table_name="audit_entries")
    op.drop_table("audit_entries")
    op.drop_table("planning_settings")
    op.drop_index(op.f("ix_initiatives_workspace_id"), table_name="initiatives")
    op.drop_table("initiatives")
    op.drop_index(op.f("ix_role_grants_workspace_id"), table_name="role_grants")
    op.drop_table("role_grants")
    op.drop_table("workspaces")
