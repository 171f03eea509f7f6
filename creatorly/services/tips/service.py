"""Tip use cases: the storefront's tip jar and supporter wall, sending a tip, and the creator's tips and settings.

A tip is an order of kind "tip" (no product) paid through checkout's payment hand-off; its Tip row is written
in the same transaction. Paid tips are delivered by `fulfilment` (imported with the payment event handlers).
"""

from __future__ import annotations

import hmac
import json
import math
import secrets

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import InvalidInput
from creatorly.kit.clock import as_utc, utc_now
from creatorly.kit.csvfile import csv_text, decimal_text, iso_utc
from creatorly.kit.money import format_money
from creatorly.models import Creator, Order, Tip, TipSettings
from creatorly.models.enums import OrderKind, OrderStatus
from creatorly.services.accounts.authorization import require_user
from creatorly.services.accounts.rules import normalize_email, validated_email
from creatorly.services.checkout import service as checkout
from creatorly.services.checkout.routing import provider_for
from creatorly.services.checkout.schemas import CheckoutStarted
from creatorly.services.creators import service as creators
from creatorly.services.delivery.service import OrderNotFound, order_access_token, order_page_url
from creatorly.services.orders import service as orders
from creatorly.services.tips import jar, repository, rules
from creatorly.services.tips.schemas import (
    GoalProgress,
    NewTip,
    PresetOption,
    SentTip,
    TipJar,
    TipReceipt,
    TipRow,
    TipSettingsInput,
    TipSettingsView,
    TipsPage,
    TipTotal,
    WallEntry,
    WallPage,
)

ANONYMOUS = "Anonymous"
WALL_PAGE_SIZE = 10
MAX_PAGE_SIZE = 200
CSV_HEADER = (
    "order",
    "created_at",
    "supporter",
    "email",
    "amount",
    "refunded",
    "currency",
    "public",
    "status",
    "message",
)


# --- The storefront ----------------------------------------------------------------------------------


async def get_tip_jar(*, handle: str) -> TipJar:
    """A creator's tip buttons, minimum and goal progress; CreatorNotFound for an unknown handle."""
    async with db.transaction() as session:
        creator = await _creator_by_handle(session, handle)
        return await _tip_jar(session, creator)


async def list_wall(*, handle: str, page: int = 1, page_size: int = WALL_PAGE_SIZE) -> WallPage:
    """One page of the supporter wall: paid public tips, newest first."""
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput("Pages start at 1.", field="page")
    async with db.transaction() as session:
        creator = await _creator_by_handle(session, handle)
        assert creator.id is not None
        rows = await repository.wall_of_creator(session, creator.id, offset=(page - 1) * page_size, limit=page_size + 1)
    entries = [
        WallEntry(
            supporter=tip.display_name or ANONYMOUS,
            message=tip.message,
            amount_label=format_money(order.amount, order.currency),
            created_at=as_utc(order.paid_at or tip.created_at),
        )
        for tip, order in rows[:page_size]
    ]
    return WallPage(items=entries, page=page, has_more=len(rows) > page_size)


async def start_tip(new: NewTip) -> CheckoutStarted:
    """Open a tip order (with its Tip row) and hand the fan to the payment provider.

    Everything the fan typed is checked before anything is written. The client-made checkout key makes a
    repeated click return the first click's order and payment page, as for product checkouts.
    """
    key = checkout.checked_checkout_key(new.checkout_key)
    address = validated_email(new.buyer_email)
    message = rules.clean_message(new.message)
    display_name = rules.clean_display_name(new.display_name, is_anonymous=new.is_anonymous)
    tip = Tip(order_id=0, creator_id=0, message=message, is_public=new.is_public, display_name=display_name)
    opened = await _open_tip_order(new, tip, buyer_email=address, key=key)
    if opened is None:
        return await checkout.resume_checkout(key, buyer_email=address)
    order, creator_name = opened
    return await checkout.request_payment(order, description=f"Tip for {creator_name}")


async def _open_tip_order(new: NewTip, tip: Tip, *, buyer_email: str, key: str) -> tuple[Order, str] | None:
    """Transaction 1: the pending tip order and its Tip, or None when the key was used before."""
    try:
        async with db.transaction() as session:
            if await orders.find_by_checkout_key(session, key) is not None:
                return None
            creator = await _creator_by_handle(session, new.handle)
            creators.check_trading(creator)
            assert creator.id is not None
            currency = jar.store_currency(creator)
            amount = rules.parse_tip_amount(new.amount_text, currency)
            order = await orders.add_order(
                session, _new_order(creator.id, buyer_email, amount, currency, key, new.buyer_user_id)
            )
            await orders.transition(session, order, OrderStatus.PENDING, cause="tip started")
            assert order.id is not None
            tip.order_id, tip.creator_id = order.id, creator.id
            await repository.add_tip(session, tip)
            return order, creator.display_name
    except IntegrityError:
        # The same key raced us (a double click): the other request's order is the one.
        async with db.transaction() as session:
            if await orders.find_by_checkout_key(session, key) is None:
                raise
        return None


def _new_order(
    creator_id: int, buyer_email: str, amount: int, currency: str, key: str, buyer_user_id: int | None
) -> Order:
    return Order(
        public_id=f"ord_{secrets.token_hex(10)}",
        creator_id=creator_id,
        kind=OrderKind.TIP,
        product_id=None,
        buyer_user_id=buyer_user_id,
        buyer_email=buyer_email,
        amount=amount,
        currency=currency,
        checkout_key=key,
        status=OrderStatus.CREATED,
        provider=provider_for(currency),
        expires_at=utc_now() + checkout.CHECKOUT_LIFETIME,
    )


# --- The fan's order page ----------------------------------------------------------------------------


async def get_tip_receipt(*, order_public_id: str, key: str) -> TipReceipt:
    """A tip order as its signed order-page link shows it; anything else (or a wrong key) is not found."""
    if not _is_order_key_valid(order_public_id, key):
        raise OrderNotFound()
    async with db.transaction() as session:
        found = await repository.tip_order(session, order_public_id)
    if found is None:
        raise OrderNotFound()
    order, tip, creator = found
    return TipReceipt(
        order_public_id=order.public_id,
        status=str(order.status),
        creator_name=creator.display_name,
        handle=creator.handle,
        amount_label=format_money(order.amount, order.currency),
        message=tip.message,
        is_public=tip.is_public,
        paid_at=order.paid_at,
    )


async def tip_jar_for_order(*, order_public_id: str, key: str) -> TipJar:
    """The tip jar of the creator an order (opened with its signed link) was bought from."""
    if not _is_order_key_valid(order_public_id, key):
        raise OrderNotFound()
    async with db.transaction() as session:
        found = await repository.order_with_creator(session, order_public_id)
        if found is None:
            raise OrderNotFound()
        return await _tip_jar(session, found[1])


def _is_order_key_valid(order_public_id: str, key: str) -> bool:
    return bool(order_public_id) and hmac.compare_digest(order_access_token(order_public_id), key)


# --- The creator's side ------------------------------------------------------------------------------


async def list_tips(*, session_token: str, page: int = 1, page_size: int = 50) -> TipsPage:
    """One page of the signed-in creator's paid tips, newest first, with totals per currency."""
    user = await require_user(session_token)
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"Pages start at 1 and hold 1 to {MAX_PAGE_SIZE} tips.", field="page")
    async with db.transaction() as session:
        creator_id = await _creator_id_of(session, user.id)
        total = await repository.count_listed(session, creator_id)
        rows = await repository.page_listed(session, creator_id, offset=(page - 1) * page_size, limit=page_size)
        totals = await repository.totals_of_creator(session, creator_id)
    return TipsPage(
        items=[_tip_row(tip, order) for tip, order in rows],
        totals=[
            TipTotal(currency=currency, count=count, amount_label=format_money(amount, currency))
            for currency, count, amount in totals
        ],
        total=total,
        page=page,
        page_count=max(1, math.ceil(total / page_size)),
    )


async def export_tips_csv(*, session_token: str) -> str:
    """Every paid tip of the signed-in creator as CSV, newest first, safe to open in a spreadsheet."""
    user = await require_user(session_token)
    async with db.transaction() as session:
        rows = await repository.page_listed(session, await _creator_id_of(session, user.id))
    return csv_text(CSV_HEADER, (_csv_row(tip, order) for tip, order in rows))


async def get_tip_settings(*, session_token: str) -> TipSettingsView:
    user = await require_user(session_token)
    async with db.transaction() as session:
        creator = await creators.creator_of(session, user.id)
        assert creator.id is not None
        return _settings_view(creator, await repository.settings_of(session, creator.id))


async def save_tip_settings(*, session_token: str, changes: TipSettingsInput) -> TipSettingsView:
    """Set the tip jar's preset amounts and goal (an empty goal amount removes the goal).

    They are amounts in the store's currency (the creator's `default_currency`, which products and tiers sell
    in): the tip jar has no currency of its own.
    """
    user = await require_user(session_token)
    goal_title = rules.clean_goal_title(changes.goal_title)
    async with db.transaction() as session:
        creator = await creators.creator_of(session, user.id)
        assert creator.id is not None
        currency = jar.store_currency(creator)
        presets = rules.parse_presets(changes.presets_text, currency)
        goal_amount = rules.parse_goal_amount(changes.goal_amount_text, currency)
        if goal_amount is not None and not goal_title:
            raise InvalidInput("Give your goal a title, like “New camera”.", field="goal_title")
        stored = await repository.settings_of(session, creator.id, for_update=True) or TipSettings(
            creator_id=creator.id
        )
        stored.presets, stored.goal_currency = json.dumps(presets), currency
        stored.goal_title = goal_title if goal_amount is not None else ""
        stored.goal_amount, stored.updated_at = goal_amount, utc_now()
        await repository.save_settings(session, stored)
        return _settings_view(creator, stored)


async def tip_order_labels(session: AsyncSession, order_ids: set[int]) -> dict[int, str]:
    """'Tip · ord_…' for the tip orders among `order_ids` (statements label their lines with it)."""
    references = await repository.tip_order_references(session, order_ids)
    return {order_id: f"Tip · {public_id}" for order_id, public_id in references.items()}


# --- Helpers -----------------------------------------------------------------------------------------


async def _creator_by_handle(session: AsyncSession, handle: str) -> Creator:
    creator = await creators.creator_by_handle(session, handle)
    if creator is None or creator.id is None:
        raise creators.CreatorNotFound()
    return creator


async def _creator_id_of(session: AsyncSession, user_id: int) -> int:
    creator = await creators.creator_of(session, user_id)
    assert creator.id is not None
    return creator.id


async def _tip_jar(session: AsyncSession, creator: Creator) -> TipJar:
    assert creator.id is not None
    currency = jar.store_currency(creator)
    stored = jar.in_currency(await repository.settings_of(session, creator.id), currency)
    amounts = _stored_presets(stored, currency)
    goal = None
    if stored is not None and stored.goal_amount:
        raised = await repository.raised_in(session, creator.id, currency)
        goal = GoalProgress(
            title=stored.goal_title,
            goal_label=format_money(stored.goal_amount, currency),
            raised_label=format_money(raised, currency),
            percent=rules.goal_percent(raised, stored.goal_amount),
        )
    return TipJar(
        handle=creator.handle,
        creator_name=creator.display_name,
        currency=currency,
        presets=[
            PresetOption(amount=amount, label=format_money(amount, currency), text=rules.amount_text(amount, currency))
            for amount in amounts
        ],
        minimum_label=format_money(rules.minimum_tip(currency), currency),
        goal=goal,
    )


def _stored_presets(stored: TipSettings | None, currency: str) -> list[int]:
    try:
        amounts = json.loads(stored.presets) if stored is not None else []
    except ValueError:
        amounts = []
    valid = [amount for amount in amounts if type(amount) is int and amount >= rules.minimum_tip(currency)]
    return valid or rules.default_presets(currency)


def _settings_view(creator: Creator, stored: TipSettings | None) -> TipSettingsView:
    currency = jar.store_currency(creator)
    stored = jar.in_currency(stored, currency)
    amounts = _stored_presets(stored, currency)
    has_goal = stored is not None and stored.goal_amount is not None
    return TipSettingsView(
        currency=currency,
        presets_text=" ".join(rules.amount_text(amount, currency) for amount in amounts),
        goal_title=stored.goal_title if stored is not None and has_goal else "",
        goal_amount_text=rules.amount_text(stored.goal_amount or 0, currency)
        if stored is not None and has_goal
        else "",
    )


def _tip_row(tip: Tip, order: Order) -> TipRow:
    return TipRow(
        order_public_id=order.public_id,
        created_at=as_utc(order.paid_at or order.created_at),
        amount_label=format_money(order.amount, order.currency),
        supporter=tip.display_name or ANONYMOUS,
        buyer_email=order.buyer_email,
        message=tip.message,
        is_public=tip.is_public,
        status=str(order.status),
    )


def _csv_row(tip: Tip, order: Order) -> list[str]:
    return [
        order.public_id,
        iso_utc(order.paid_at or order.created_at),
        tip.display_name or ANONYMOUS,
        order.buyer_email,
        decimal_text(order.amount, order.currency),
        decimal_text(order.refunded_amount, order.currency),
        order.currency,
        "yes" if tip.is_public else "no",
        str(order.status),
        tip.message,
    ]


# --- The fan's library and data export ----------------------------------------------------------------


async def list_sent_tips(*, email: str) -> list[SentTip]:
    """The tips sent with this (verified) email whose money was taken, newest first."""
    async with db.transaction() as session:
        rows = await repository.sent_by(session, email=normalize_email(email))
    return [
        SentTip(
            order_public_id=order.public_id,
            creator_name=creator.display_name,
            handle=creator.handle,
            amount_label=format_money(order.amount, order.currency),
            message=tip.message,
            is_public=tip.is_public,
            status=str(order.status),
            sent_at=as_utc(order.paid_at or order.created_at),
            order_url=order_page_url(order.public_id),
        )
        for tip, order, creator in rows
    ]


async def export_sent_tips(session: AsyncSession, *, user_id: int, email: str | None) -> list[dict[str, object]]:
    """The tips the person sent (signed in, or with their verified email), for their data export."""
    return [
        {
            "order": order.public_id,
            "creator": creator.display_name,
            "amount": format_money(order.amount, order.currency),
            "amount_minor_units": order.amount,
            "currency": order.currency,
            "message": tip.message,
            "display_name": tip.display_name,
            "is_public": tip.is_public,
            "status": str(order.status),
            "created_at": as_utc(order.created_at).isoformat(),
        }
        for tip, order, creator in await repository.sent_by(session, email=email, user_id=user_id)
    ]
