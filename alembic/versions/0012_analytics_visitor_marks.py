"""analytics: visitor marks keyed by (creator, day, kind, dimension, visitor) instead of the rollup row's id

The rollup is now one upsert statement, so a mark no longer needs the rollup row's id first. The marks
table only holds the last two days, so its rows are read, the table rebuilt and the rows written back.

Revision ID: 0012_analytics_visitor_marks
Revises: 0011_members_free_products
Create Date: 2026-11-22 13:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0012_analytics_visitor_marks"
down_revision: str | None = "0011_members_free_products"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_MARKS = sa.text(
    "SELECT DISTINCT d.creator_id, m.day, d.kind, d.dimension, m.visitor_id "
    "FROM analytics_daily_visitors AS m JOIN analytics_daily AS d ON d.id = m.rollup_id"
).columns(day=sa.Date)
_NEW_MARKS = sa.text(
    "SELECT d.id AS rollup_id, m.visitor_id, m.day FROM analytics_daily_visitors AS m "
    "JOIN analytics_daily AS d ON d.creator_id = m.creator_id AND d.day = m.day "
    "AND d.kind = m.kind AND d.dimension = m.dimension"
).columns(day=sa.Date)


def upgrade() -> None:
    rows = [dict(row._mapping) for row in op.get_bind().execute(_OLD_MARKS)]
    with op.batch_alter_table("analytics_daily_visitors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_daily_visitors_day"))
    op.drop_table("analytics_daily_visitors")
    marks = op.create_table(
        "analytics_daily_visitors",
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("dimension", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("visitor_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["creators.id"],
            name=op.f("fk_analytics_daily_visitors_creator_id_creators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "creator_id", "day", "kind", "dimension", "visitor_id", name="pk_analytics_daily_visitors"
        ),
    )
    with op.batch_alter_table("analytics_daily_visitors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_analytics_daily_visitors_day"), ["day"], unique=False)
    if rows:
        op.bulk_insert(marks, rows)


def downgrade() -> None:
    rows = [dict(row._mapping) for row in op.get_bind().execute(_NEW_MARKS)]
    with op.batch_alter_table("analytics_daily_visitors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_daily_visitors_day"))
    op.drop_table("analytics_daily_visitors")
    marks = op.create_table(
        "analytics_daily_visitors",
        sa.Column("rollup_id", sa.Integer(), nullable=False),
        sa.Column("visitor_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rollup_id"],
            ["analytics_daily.id"],
            name=op.f("fk_analytics_daily_visitors_rollup_id_analytics_daily"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("rollup_id", "visitor_id", name="pk_analytics_daily_visitors"),
    )
    with op.batch_alter_table("analytics_daily_visitors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_analytics_daily_visitors_day"), ["day"], unique=False)
    if rows:
        op.bulk_insert(marks, rows)
