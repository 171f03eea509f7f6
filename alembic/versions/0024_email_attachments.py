"""outbox_attachments: files sent with an outbox message (calendar invites for paid 1:1 sessions)

Revision ID: 0024_email_attachments
Revises: 0023_paypal
Create Date: 2026-12-07 20:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import creatorly.models.base
from alembic import op

revision: str = "0024_email_attachments"
down_revision: str | None = "0023_paypal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", creatorly.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["email_id"],
            ["outbox_emails.id"],
            name=op.f("fk_outbox_attachments_email_id_outbox_emails"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attachments")),
    )
    op.create_index(op.f("ix_outbox_attachments_email_id"), "outbox_attachments", ["email_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_attachments_email_id"), table_name="outbox_attachments")
    op.drop_table("outbox_attachments")
