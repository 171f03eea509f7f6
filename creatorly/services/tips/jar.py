"""The tip jar's currency is the store's: the creator's `default_currency`, which products and tiers sell in.

The jar has no currency of its own. Its preset amounts and goal are minor units of the currency they were set in
(`TipSettings.goal_currency`); when the creator changes the store's currency they no longer mean anything, so
`follow_store_currency` (called by the profile update, in its transaction) resets them to the new currency's
defaults, and `in_currency` ignores any left behind.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.kit.clock import utc_now
from creatorly.models import Creator, TipSettings
from creatorly.services.tips import repository


def store_currency(creator: Creator) -> str:
    """The currency fans tip this creator in."""
    return creator.default_currency.strip().upper()


def in_currency(stored: TipSettings | None, currency: str) -> TipSettings | None:
    """The stored settings when their amounts are in `currency`, else None (the jar's defaults apply)."""
    if stored is None or stored.goal_currency.strip().upper() != currency:
        return None
    return stored


async def follow_store_currency(session: AsyncSession, creator_id: int, currency: str) -> None:
    """The store's currency became `currency`: amounts set in another currency give way to its defaults.

    There is no exchange rate to carry them over with, and "5" in one currency is not "5" in another, so the
    presets return to the new currency's defaults and the goal (its amount and title) is removed.
    """
    stored = await repository.settings_of(session, creator_id, for_update=True)
    if stored is None or stored.goal_currency.strip().upper() == currency.upper():
        return
    stored.goal_currency, stored.presets = currency.upper(), "[]"
    stored.goal_title, stored.goal_amount, stored.updated_at = "", None, utc_now()
    await repository.save_settings(session, stored)
