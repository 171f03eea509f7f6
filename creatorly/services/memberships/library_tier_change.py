"""Changing a membership's tier from the library: what happened for a toast, or the page where the upgrade is paid."""

from __future__ import annotations

from dataclasses import dataclass

from creatorly.errors import InvalidInput
from creatorly.kit.clock import as_utc
from creatorly.kit.money import format_money
from creatorly.services.memberships import lifecycle
from creatorly.services.memberships.library import library_email
from creatorly.services.memberships.razorpay_upgrades import TierChangeToPay


@dataclass(frozen=True, slots=True)
class LibraryTierChange:
    """`message` for a toast; `payment_url` (a Razorpay membership's upgrade) where to send the browser instead."""

    message: str
    payment_url: str = ""


async def change_library_tier(
    *, session_token: str, library_key: str, subscription_public_id: str, tier_public_id: str
) -> LibraryTierChange:
    """Move one of the library's memberships to another tier (the library's member only)."""
    if not tier_public_id:
        raise InvalidInput("Choose a tier.", field="tier")
    email = await library_email(session_token=session_token, library_key=library_key)
    change = await lifecycle.change_tier(
        subscription_public_id=subscription_public_id, member_email=email, tier_public_id=tier_public_id
    )
    amount = format_money(change.charged_amount, change.currency)
    if isinstance(change, TierChangeToPay):
        return LibraryTierChange(f"Pay {amount} for the rest of this period to upgrade now.", change.payment_url)
    if not change.is_upgrade:
        return LibraryTierChange(
            f"Your new tier starts at your next renewal on {as_utc(change.effective_at):%d %b %Y}."
        )
    if change.charged_amount == 0:
        return LibraryTierChange("Upgraded. Nothing was charged now.")
    return LibraryTierChange(f"Upgraded. We charged {amount} for the rest of this period.")
