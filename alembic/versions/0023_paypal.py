"""payout_accounts: a PayPal payout account holds the creator's PayPal email (paypal_email)

Revision ID: 0023_paypal
Revises: 0021_admin_console_indexes
Create Date: 2026-12-07 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0023_paypal"
down_revision: str | None = "0021_admin_console_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payout_accounts") as batch:
        batch.add_column(
            sa.Column("paypal_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("payout_accounts") as batch:
        batch.drop_column("paypal_email")
