"""Admin actions on creators and orders: change a creator's terms, refund an order, send a receipt again.

Each admin entry point resolves the admin (two-factor on) before anything is opened, requires a reason, and
goes through the same use case the rest of the app uses, audited with the admin as actor. The command line
calls the same use cases with `audit.command_line_actor()`. Suspension lives in suspension.py.
"""

from __future__ import annotations

from decimal import Decimal

from creatorly import db
from creatorly.errors import CreatorlyError
from creatorly.models import Creator, Order, Product
from creatorly.models.enums import OrderKind
from creatorly.services.admin import catalog_repository as repository
from creatorly.services.admin.access import admin_actor, required_reason
from creatorly.services.admin.catalog_reads import RECEIPT_STATUSES, AdminTargetNotFound
from creatorly.services.audit import service as audit
from creatorly.services.audit.schemas import Actor
from creatorly.services.checkout import service as checkout
from creatorly.services.creators import service as creators
from creatorly.services.refunds import service as refunds

RECEIPT_RESENT_ACTION = "order.receipt_resent"


class ReceiptUnavailable(CreatorlyError):
    code = "receipt_unavailable"
    status = 409
    default_message = "Only a paid product order has a receipt to send."


async def change_creator_terms(
    *, actor: Actor, handle: str, platform_fee_percent: Decimal | None, hold_period_days: int | None, reason: str
) -> None:
    """Give a creator their own fee and hold (None: the platform default); the command line calls this too."""
    await creators.set_creator_terms(
        handle=handle,
        platform_fee_percent=platform_fee_percent,
        hold_period_days=hold_period_days,
        actor=actor,
        reason=reason,
    )


async def admin_set_creator_terms(
    *,
    session_token: str,
    creator_id: int,
    platform_fee_percent: Decimal | None,
    hold_period_days: int | None,
    reason: str,
) -> None:
    """Admin (with two-factor): change the fee and hold of the creator with this id, with a reason."""
    actor = await admin_actor(session_token=session_token)
    text = required_reason(reason)
    creators.checked_platform_fee_percent(platform_fee_percent)
    creators.checked_hold_period_days(hold_period_days)
    async with db.transaction() as session:
        creator = await session.get(Creator, creator_id)
        if creator is None:
            raise creators.CreatorNotFound()
        handle = creator.handle
    await change_creator_terms(
        actor=actor,
        handle=handle,
        platform_fee_percent=platform_fee_percent,
        hold_period_days=hold_period_days,
        reason=text,
    )


async def admin_refund_order(*, session_token: str, order_id: int, amount_text: str, reason: str) -> refunds.RefundView:
    """Admin (with two-factor): refund any paid order through the creators' refund path, audited as the admin's."""
    actor = await admin_actor(session_token=session_token)
    text = required_reason(reason)
    async with db.transaction() as session:
        order = await session.get(Order, order_id)
        if order is None:
            raise AdminTargetNotFound("No order has that id.")
        public_id = order.public_id
    return await refunds.request_refund(
        actor=actor, owner_user_id=None, order_public_id=public_id, amount_text=amount_text, reason=text
    )


async def admin_resend_receipt(*, session_token: str, order_id: int, reason: str) -> str:
    """Admin (with two-factor): queue a paid product order's receipt to its buyer again; the address it went to."""
    actor = await admin_actor(session_token=session_token)
    text = required_reason(reason)
    async with db.transaction() as session:
        order = await repository.order_for_update(session, order_id)
        if order is None:
            raise AdminTargetNotFound("No order has that id.")
        product = None if order.product_id is None else await session.get(Product, order.product_id)
        if order.kind != OrderKind.PRODUCT or order.status not in RECEIPT_STATUSES or product is None:
            raise ReceiptUnavailable()
        await checkout.queue_receipt(session, order, product)
        await audit.record(
            session,
            actor=actor,
            action=RECEIPT_RESENT_ACTION,
            target_type="order",
            target_id=order.public_id,
            creator_id=order.creator_id,
            before={"receipt_sent_to": ""},
            after={"receipt_sent_to": order.buyer_email},
            reason=text,
        )
        return order.buyer_email
