"""What a paid tip delivers: the creator's "New tip" email and the fan's receipt.

Importing this module registers the fulfiller with checkout (the web app's webhook route and the worker both
import it, next to the payment event handlers). The tip itself counts from the moment its order is paid: the
wall and the goal read the order's status, so there is nothing else to switch on.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.config import settings
from creatorly.kit.money import format_money
from creatorly.models import Order
from creatorly.models.enums import OrderKind
from creatorly.services.checkout.service import register_fulfiller
from creatorly.services.delivery.service import order_page_url
from creatorly.services.email import service as email
from creatorly.services.tips import repository
from creatorly.services.tips.service import ANONYMOUS

DASHBOARD_TIPS_PATH = "/dashboard/tips"


async def deliver_tip(session: AsyncSession, order: Order, paid_at: datetime) -> None:
    """Email the creator about the tip (with its message) and the fan their receipt, in the payment's transaction."""
    assert order.id is not None
    tip = await repository.tip_of_order(session, order.id)
    found = await repository.creator_with_email(session, order.creator_id)
    assert tip is not None and found is not None, f"tip order {order.public_id} has no tip or creator"
    creator, creator_email = found
    amount = format_money(order.amount, order.currency)
    supporter = tip.display_name or ANONYMOUS
    message = f"Their message:\n\n{tip.message}\n\n" if tip.message else "They didn't leave a message.\n\n"
    visibility = "public (it shows on your supporter wall)" if tip.is_public else "private (only you can see it)"
    await email.queue_email(
        session,
        to_address=creator_email,
        subject=f"New tip from {supporter}: {amount}",
        text_body=(
            f"{supporter} sent you a tip of {amount}.\n\n{message}"
            f"This tip is {visibility}.\n\n"
            f"All your tips: {settings.resolved_public_url}{DASHBOARD_TIPS_PATH}\n"
        ),
    )
    await email.queue_email(
        session,
        to_address=order.buyer_email,
        subject=f"Your tip to {creator.display_name}",
        text_body=(
            f"Thank you for supporting {creator.display_name}!\n\n"
            f"Amount paid: {amount}\n"
            f"Order: {order.public_id}\n"
            f"Paid on: {paid_at:%d %b %Y, %H:%M} UTC\n\n"
            f"Your receipt: {order_page_url(order.public_id)}\n"
        ),
    )


register_fulfiller(OrderKind.TIP, deliver_tip)
