"""reports and moderation: reports about public content, a case per target with its decision and appeal, and the
columns that take content down (products.taken_down_at, posts.hidden_at, post_comments.hidden_at)

Revision ID: 0018_reports
Revises: 0017_creator_suspension
Create Date: 2026-12-07 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0018_reports"
down_revision: str | None = "0017_creator_suspension"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TAKEDOWN_COLUMNS = {
    "products": ("taken_down_at", "takedown_reason"),
    "posts": ("hidden_at", "hidden_reason"),
    "post_comments": ("hidden_at", "hidden_reason"),
}


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _create_cases() -> None:
    op.create_table(
        "moderation_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_type", _text(20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("status", _text(20), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("decision", _text(20), nullable=False),
        sa.Column("reason", _text(500), nullable=False),
        sa.Column("decided_by_email", _text(320), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("appeal_text", sa.Text(), nullable=False),
        sa.Column("appealed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("appeal_decision", _text(20), nullable=False),
        sa.Column("appeal_reason", _text(500), nullable=False),
        sa.Column("appeal_decided_by_email", _text(320), nullable=False),
        sa.Column("appeal_decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_cases")),
    )
    op.create_index("ix_moderation_cases_target", "moderation_cases", ["target_type", "target_id"])
    op.create_index(
        "uq_moderation_cases_active",
        "moderation_cases",
        ["target_type", "target_id"],
        unique=True,
        sqlite_where=sa.text("status IN ('open', 'appealed')"),
        postgresql_where=sa.text("status IN ('open', 'appealed')"),
    )
    op.create_index("ix_moderation_cases_status_updated", "moderation_cases", ["status", "updated_at"])
    op.create_index("ix_moderation_cases_creator", "moderation_cases", ["creator_id", "decided_at"])


def _create_reports() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("target_type", _text(20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("category", _text(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reporter_user_id", sa.Integer(), nullable=True),
        sa.Column("reporter_email", _text(320), nullable=False),
        sa.Column("ip_hash", _text(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["moderation_cases.id"], name=op.f("fk_reports_case_id_moderation_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    op.create_index("ix_reports_case_created", "reports", ["case_id", "created_at"])


def upgrade() -> None:
    _create_cases()
    _create_reports()
    for table, (moment, reason) in _TAKEDOWN_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(moment, sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column(reason, _text(500), nullable=False, server_default=""))


def downgrade() -> None:
    for table, (moment, reason) in _TAKEDOWN_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(reason)
            batch_op.drop_column(moment)
    op.drop_index("ix_reports_case_created", table_name="reports")
    op.drop_table("reports")
    op.drop_index("ix_moderation_cases_creator", table_name="moderation_cases")
    op.drop_index("ix_moderation_cases_status_updated", table_name="moderation_cases")
    op.drop_index("uq_moderation_cases_active", table_name="moderation_cases")
    op.drop_index("ix_moderation_cases_target", table_name="moderation_cases")
    op.drop_table("moderation_cases")
