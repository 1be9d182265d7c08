"""Business drivers: the drivers themselves, each person's pairwise judgments, the scores
of each initiative, the leader role and the planning objective.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

New tables `drivers` (a workspace's strategic goals; retired rather than deleted) and
`judgments` (one row per person and pair of drivers: "a is `ratio` times as important
as b"). `initiatives.scores` holds each initiative's impact 0..5 per driver;
`planning_settings` gains the objective (`value`, `strategic`, `blend`), the weight of
the strategic term in a blend and how firmly a plan keeps to the published roadmap
(`stability`). The role `leader` joins the roles a grant may name.

The downgrade gives the older code what it can read: drivers, judgments, scores and the
new settings go, and so do grants of the `leader` role, which it does not know.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ROLES = ("admin", "approver", "security", "pmo", "member")
NEW_ROLES = ("admin", "approver", "security", "pmo", "leader", "member")


def _one_of(column: str, options: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(o) for o in options)})"


def _timestamp(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"],
        ["workspaces.id"],
        name=op.f(f"fk_{table}_workspace_id_workspaces"),
        ondelete="CASCADE",
    )


#: Columns added to existing tables: (table, column, type, the value existing rows get).
_ADDED: tuple[tuple[str, str, sa.types.TypeEngine, str | sa.TextClause], ...] = (
    ("initiatives", "scores", sa.JSON(), sa.text("'{}'")),
    ("planning_settings", "objective", sa.String(length=20), "value"),
    ("planning_settings", "blend", sa.Float(), sa.text("1.0")),
    ("planning_settings", "stability", sa.String(length=10), "normal"),
)


def _role_check(roles: tuple[str, ...]) -> None:
    with op.batch_alter_table("role_grants") as batch:
        batch.drop_constraint(op.f("ck_role_grants_role"), type_="check")
        batch.create_check_constraint(op.f("ck_role_grants_role"), _one_of("role", roles))


def upgrade() -> None:
    op.create_table(
        "drivers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        _workspace_fk("drivers"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drivers")),
        sa.UniqueConstraint("workspace_id", "key", name="uq_drivers_workspace_key"),
    )
    op.create_index(op.f("ix_drivers_workspace_id"), "drivers", ["workspace_id"])
    op.create_table(
        "judgments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("a", sa.String(length=40), nullable=False),
        sa.Column("b", sa.String(length=40), nullable=False),
        sa.Column("ratio", sa.String(length=10), nullable=False),
        _timestamp("updated_at"),
        _workspace_fk("judgments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judgments")),
        sa.UniqueConstraint("workspace_id", "user_id", "a", "b", name="uq_judgments_user_pair"),
    )
    op.create_index(op.f("ix_judgments_workspace_id"), "judgments", ["workspace_id"])
    # existing rows get the default through a server default, which then goes: the
    # application writes every value itself, as for the other columns
    for table, name, type_, default in _ADDED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(name, type_, nullable=False, server_default=default))
        with op.batch_alter_table(table) as batch:
            batch.alter_column(name, existing_type=type_, server_default=None)
    _role_check(NEW_ROLES)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM role_grants WHERE role = 'leader'"))
    _role_check(OLD_ROLES)
    for table, name, _type, _default in reversed(_ADDED):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(name)
    op.drop_index(op.f("ix_judgments_workspace_id"), table_name="judgments")
    op.drop_table("judgments")
    op.drop_index(op.f("ix_drivers_workspace_id"), table_name="drivers")
    op.drop_table("drivers")
