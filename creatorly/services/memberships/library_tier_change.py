"""Changing a membership's tier from the library: what happened for a toast, or the page where the upgrade is paid."""

from __future__ import annotations

from creatorly.errors import InvalidInput
from creatorly.kit.clock import as_utc
from creatorly.kit.money import format_money
from creatorly.services.memberships import lifecycle
from creatorly.services.memberships.library import LibraryOutcome, library_email
from creatorly.services.memberships.razorpay_upgrades import TierChangeToPay


async def change_library_tier(
    *, session_token: str, library_key: str, subscription_public_id: str, tier_public_id: str
) -> LibraryOutcome:
    """Move one of the library's memberships to another tier (the library's member only)."""
    if not tier_public_id:
        raise InvalidInput("Choose a tier.", field="tier")
    email = await library_email(session_token=session_token, library_key=library_key)
    change = await lifecycle.change_tier(
        subscription_public_id=subscription_public_id, member_email=email, tier_public_id=tier_public_id
    )
    amount = format_money(change.charged_amount, change.currency)
    if isinstance(change, TierChangeToPay):
        return LibraryOutcome(f"Pay {amount} for the rest of this period to upgrade now.", change.payment_url)
    if not change.is_upgrade:
        return LibraryOutcome(f"Your new tier starts at your next renewal on {as_utc(change.effective_at):%d %b %Y}.")
    if change.charged_amount == 0:
        return LibraryOutcome("Upgraded. Nothing was charged now.")
    return LibraryOutcome(f"Upgraded. We charged {amount} for the rest of this period.")
