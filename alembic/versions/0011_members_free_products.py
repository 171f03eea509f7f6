"""products free for members: a product may name the lowest tier whose members get it free

Revision ID: 0011_members_free_products
Revises: 0010_analytics
Create Date: 2026-11-22 08:02:56.841618
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0011_members_free_products"
down_revision: str | None = "0010_analytics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("members_free_tier_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_products_members_free_tier_id_tiers"),
            "tiers",
            ["members_free_tier_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_products_members_free_tier_id_tiers"), type_="foreignkey")
        batch_op.drop_column("members_free_tier_id")
