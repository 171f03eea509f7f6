"""admin console indexes: the platform overview's date ranges and the webhook events' search

The overview reads paid orders by `paid_at` and earning ledger transactions by (kind, created_at) across every
creator; the events list searches by an exact event id or the start of an event type (and counts disputes).

Revision ID: 0021_admin_console_indexes
Revises: 0020_file_scanning
Create Date: 2026-12-07 13:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021_admin_console_indexes"
down_revision: str | None = "0020_file_scanning"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_orders_paid_at", "orders", ["paid_at"]),
    ("ix_ledger_transactions_kind_created", "ledger_transactions", ["kind", "created_at"]),
    ("ix_external_events_event_id", "external_events", ["event_id"]),
    ("ix_external_events_type_received", "external_events", ["event_type", "received_at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
