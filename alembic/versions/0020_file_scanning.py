"""file scanning: each product file's virus scan status, the signature found and when it was scanned

Files stored before scanning existed are marked clean (they were served as such until now).

Revision ID: 0020_file_scanning
Revises: 0019_reviews
Create Date: 2026-12-07 12:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0020_file_scanning"
down_revision: str | None = "0019_reviews"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("product_files", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scan_status", sa.String(length=20), nullable=False, server_default=sa.text("'clean'"))
        )
        batch_op.add_column(
            sa.Column(
                "scan_signature",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default=sa.text("''"),
            )
        )
        batch_op.add_column(sa.Column("scan_started_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_product_files_scan_status", ["scan_status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("product_files", schema=None) as batch_op:
        batch_op.drop_index("ix_product_files_scan_status")
        batch_op.drop_column("scanned_at")
        batch_op.drop_column("scan_started_at")
        batch_op.drop_column("scan_signature")
        batch_op.drop_column("scan_status")
