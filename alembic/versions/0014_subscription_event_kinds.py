"""memberships: subscription events indexed by kind, subscription and detail (the Razorpay work sweeper)

Revision ID: 0014_subscription_event_kinds
Revises: 0013_analytics_covering_index
Create Date: 2026-11-29 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_subscription_event_kinds"
down_revision: str | None = "0013_analytics_covering_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_subscription_events_kind_subscription_detail",
        "subscription_events",
        ["kind", "subscription_id", "detail"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_subscription_events_kind_subscription_detail", table_name="subscription_events")
