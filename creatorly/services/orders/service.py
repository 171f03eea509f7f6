"""Order use cases shared with other domains (more arrive with checkout)."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.kit.money import format_money
from creatorly.services.orders import repository


async def export_buyer_orders(session: AsyncSession, *, user_id: int, email: str) -> list[dict[str, Any]]:
    """The person's purchases, for their data export."""
    return [
        {
            "order": order.public_id,
            "amount": format_money(order.amount, order.currency),
            "amount_minor_units": order.amount,
            "currency": order.currency,
            "status": order.status,
            "created_at": order.created_at.isoformat(),
        }
        for order in await repository.list_of_buyer(session, user_id, email)
    ]


async def anonymize_buyer(session: AsyncSession, *, user_id: int, email: str, replacement_email: str) -> None:
    """Keep the financial record of each purchase but remove who made it."""
    await repository.anonymize_buyer(session, user_id, email, replacement_email=replacement_email)
