"""tips: the tip jar's amounts follow the store's currency (settings saved in another currency start again)

The tip jar used to keep a currency of its own (`tip_settings.goal_currency`, chosen in its settings), so a
creator's tips could be asked in a currency their storefront does not sell in. The jar now always uses the
store's currency (`creators.default_currency`); `goal_currency` only records which currency the stored presets
and goal are in. Rows in another currency are reset to what the jar shows for them anyway: the store currency's
default presets and no goal (there is no exchange rate to carry amounts over with).

Revision ID: 0015_tip_jar_store_currency
Revises: 0014_subscription_event_kinds
Create Date: 2026-12-07 06:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015_tip_jar_store_currency"
down_revision: str | None = "0014_subscription_event_kinds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE tip_settings SET "
        "goal_currency = (SELECT upper(creators.default_currency) FROM creators "
        "WHERE creators.id = tip_settings.creator_id), "
        "presets = '[]', goal_title = '', goal_amount = NULL "
        "WHERE upper(goal_currency) <> (SELECT upper(creators.default_currency) FROM creators "
        "WHERE creators.id = tip_settings.creator_id)"
    )


def downgrade() -> None:
    pass  # the amounts set in another currency are gone; the rows stay valid for the old code
