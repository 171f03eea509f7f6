"""creators: an admin can suspend a storefront (suspended_at, and the reason shown to the creator)

While `suspended_at` is set the storefront and its pages answer as not found, new checkouts are refused and
payouts are held; existing buyers keep their downloads. Restoring clears both columns.

Revision ID: 0017_creator_suspension
Revises: 0016_audit_log
Create Date: 2026-12-07 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0017_creator_suspension"
down_revision: str | None = "0016_audit_log"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("creators") as batch:
        batch.add_column(sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column(
                "suspension_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=""
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("creators") as batch:
        batch.drop_column("suspension_reason")
        batch.drop_column("suspended_at")
