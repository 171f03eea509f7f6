"""analytics: the rollups' range index covers every column the dashboard reads (index-only scans)

Revision ID: 0013_analytics_covering_index
Revises: 0012_analytics_visitor_marks
Create Date: 2026-11-22 14:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013_analytics_covering_index"
down_revision: str | None = "0012_analytics_visitor_marks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    "creator_id",
    "dimension_type",
    "day",
    "dimension",
    "kind",
    "currency",
    "events",
    "visitors",
    "amount",
    "net_amount",
]


def upgrade() -> None:
    op.create_index("ix_analytics_daily_creator_type_day_covering", "analytics_daily", COLUMNS, unique=False)
    op.drop_index("ix_analytics_daily_creator_type_day", table_name="analytics_daily")


def downgrade() -> None:
    op.create_index(
        "ix_analytics_daily_creator_type_day", "analytics_daily", ["creator_id", "dimension_type", "day"], unique=False
    )
    op.drop_index("ix_analytics_daily_creator_type_day_covering", table_name="analytics_daily")
