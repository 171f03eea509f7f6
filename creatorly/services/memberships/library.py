"""The fan's memberships in the library: their cards (status, next charge, tier choices, history and receipts)
and the member's actions, each checked against the library's verified email (a signed-in account or a link).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.kit.clock import as_utc
from creatorly.kit.money import format_money
from creatorly.models import Creator
from creatorly.models.enums import OrderStatus, SubscriptionStatus
from creatorly.models.memberships import Subscription
from creatorly.services.accounts import authorization
from creatorly.services.delivery import library as purchases
from creatorly.services.delivery.service import OrderNotFound, OrderPage, order_access_token, order_page_url
from creatorly.services.memberships import clock, lifecycle, repository, rules, subscriptions
from creatorly.services.memberships.razorpay_resume import ResumeToAuthorise
from creatorly.services.memberships.schemas import HistoryEntry, MemberSubscription
from creatorly.services.memberships.tier_rules import price_label


class LibraryEmailUnverified(CreatorlyError):
    code = "library_email_unverified"
    status = 403
    default_message = "Confirm your email address to see and manage your memberships."


@dataclass(frozen=True, slots=True)
class TierChoice:
    """Another tier the member may move to, at the membership's billing period."""

    tier_public_id: str
    label: str  # "Backstage · $10.00 / month"
    is_upgrade: bool
    note: str  # what happens: charged the prorated difference now, or starts at the next renewal


@dataclass(frozen=True, slots=True)
class HistoryLine:
    at: datetime
    text: str
    amount_label: str = ""
    order_public_id: str = ""  # receipts only
    order_url: str = ""  # receipts only: the order page, which is the receipt


@dataclass(frozen=True, slots=True)
class LibraryMembership:
    """One membership card of the library, with what the member may do with it now."""

    public_id: str
    creator_name: str
    creator_handle: str
    tier_name: str
    price_label: str
    status: str  # a SubscriptionStatus value; "canceling" while it ends at the period's end
    status_label: str
    status_note: str
    next_charge_label: str  # "Next charge $5.00 on 22 Dec 2026", "Ends on 22 Dec 2026", or ""
    can_cancel: bool
    can_resume: bool
    can_pause: bool
    can_unpause: bool
    tier_choices: list[TierChoice]
    history: list[HistoryLine]


_STATUS_LABELS = {
    SubscriptionStatus.TRIALING: "Free trial",
    SubscriptionStatus.ACTIVE: "Active",
    SubscriptionStatus.PAST_DUE: "Past due",
    SubscriptionStatus.PAUSED: "Paused",
    SubscriptionStatus.CANCELED: "Canceled",
}
_EVENT_TEXTS = {
    "created": "Joining started",
    "activated": "Membership started",
    "trial_started": "Free trial started",
    "trial_refused": "Free trial not available: charged from the start",
    "trial_converted": "Free trial ended: membership paid",
    "renewed": "Renewed",
    "recovered": "Payment went through: membership active again",
    "cancel_scheduled": "Cancellation scheduled for the end of the period",
    "cancel_undone": "Cancellation undone: the membership renews",
    "razorpay_resume_requested": "Resume requested: waiting for your authorisation on Razorpay",
    "resumed": "Resumed: the membership renews",
    "paused": "Paused",
    "unpaused": "Unpaused",
    "upgrade_requested": "Upgrade requested",
    "upgraded": "Upgraded",
    "downgrade_scheduled": "Downgrade scheduled for the next renewal",
    "downgraded": "Downgraded at renewal",
    "charge_failed": "A payment failed",
    "past_due": "Payment overdue",
    "canceled_unpaid": "Ended after payments failed",
    "provider_canceled": "Ended by the payment provider",
    "ended": "Ended",
    "trial_ended": "Free trial ended",
    "abandoned": "Joining not completed",
    "razorpay_resume_cancelled": "Resume withdrawn: it was authorised after the membership had ended",
    "resume_charge_refunded": "Refunded: the resume's payment came after the membership had ended",
}
_RECEIPT_TEXTS = {"first": "Payment: first period", "renewal": "Payment: renewal", "upgrade": "Payment: upgrade"}
_ACTIONS: dict[str, tuple[Callable[..., Awaitable[MemberSubscription]], str]] = {
    "cancel": (lifecycle.cancel_at_period_end, "Your membership will end at the end of this period."),
    "resume": (lifecycle.resume, "Your membership will keep renewing."),
    "pause": (lifecycle.pause, "Your membership is paused: no charges until you unpause."),
    "unpause": (lifecycle.unpause, "Your membership is active again."),
}
_CANCELABLE = (
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.PAST_DUE,
    SubscriptionStatus.PAUSED,
)


# --- Who is looking ------------------------------------------------------------------------------------


async def library_email(*, session_token: str, library_key: str) -> str:
    """The verified email behind the library: the emailed link's address, else the signed-in account's."""
    if library_key:
        return (await purchases.library_from_key(key=library_key)).email
    user = await authorization.require_user(session_token)
    if not user.is_email_verified:
        raise LibraryEmailUnverified()
    return user.email


# --- Reads ---------------------------------------------------------------------------------------------


async def list_library_memberships(*, session_token: str, library_key: str) -> list[LibraryMembership]:
    """The library's memberships, newest first; joins that were never paid are left out."""
    email = await library_email(session_token=session_token, library_key=library_key)
    cards = []
    for membership in await lifecycle.list_member_subscriptions(email=email):
        if membership.status == SubscriptionStatus.INCOMPLETE:
            continue
        entries = await lifecycle.history(subscription_public_id=membership.public_id, member_email=email)
        if membership.status == SubscriptionStatus.CANCELED and not any(e.kind == "receipt" for e in entries):
            continue  # an abandoned join: nothing was ever paid or started
        async with db.transaction() as session:
            creator = await session.get(Creator, membership.creator_id)
            choices = await _tier_choices(session, membership)
        cards.append(
            _card(membership, creator, choices, [_history_line(entry) for entry in entries if _is_shown(entry)])
        )
    return cards


def _card(
    membership: MemberSubscription, creator: Creator | None, choices: list[TierChoice], history: list[HistoryLine]
) -> LibraryMembership:
    status = SubscriptionStatus(membership.status)
    is_canceling = membership.cancel_at_period_end and status != SubscriptionStatus.CANCELED
    return LibraryMembership(
        public_id=membership.public_id,
        creator_name=creator.display_name if creator is not None else "",
        creator_handle=creator.handle if creator is not None else "",
        tier_name=membership.tier_name,
        price_label=price_label(membership.amount, membership.currency, membership.interval),
        status="canceling" if is_canceling else status.value,
        status_label="Canceling" if is_canceling else _STATUS_LABELS.get(status, status.value.capitalize()),
        status_note=_status_note(membership, is_canceling=is_canceling),
        next_charge_label=_next_charge_label(membership, is_canceling=is_canceling),
        can_cancel=status in _CANCELABLE and not membership.cancel_at_period_end,
        can_resume=is_canceling,
        can_pause=status == SubscriptionStatus.ACTIVE,
        can_unpause=status == SubscriptionStatus.PAUSED,
        tier_choices=choices if status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING) else [],
        history=history,
    )


def _day(moment: datetime | None) -> str:
    return f"{as_utc(moment):%d %b %Y}" if moment is not None else ""


def _status_note(membership: MemberSubscription, *, is_canceling: bool) -> str:
    status = SubscriptionStatus(membership.status)
    if is_canceling:
        return f"Cancels on {_day(membership.current_period_end)}. Resume to keep your membership."
    if status == SubscriptionStatus.PAST_DUE:
        retry = f" We'll try again on {_day(membership.next_charge_at)}." if membership.next_charge_at else ""
        until = f" You keep access until {_day(membership.grace_until)}." if membership.grace_until else ""
        return f"Your last payment failed.{retry}{until} Check that your card has funds and hasn't expired."
    if status == SubscriptionStatus.TRIALING:
        return f"Your free trial ends on {_day(membership.trial_end or membership.current_period_end)}."
    if status == SubscriptionStatus.PAUSED:
        return "No charges and no members-only access while paused."
    if status == SubscriptionStatus.CANCELED:
        return "This membership has ended. Join again from the creator's page."
    if membership.pending_tier_name:
        return f"Moves to {membership.pending_tier_name} at the next renewal."
    return ""


def _next_charge_label(membership: MemberSubscription, *, is_canceling: bool) -> str:
    if is_canceling:
        return f"Ends on {_day(membership.current_period_end)}"
    if membership.next_charge_at is None:
        return ""
    amount = format_money(membership.next_charge_amount, membership.currency)
    return f"Next charge {amount} on {_day(membership.next_charge_at)}"


def _is_shown(entry: HistoryEntry) -> bool:
    """Receipts and what the member would recognise; bookkeeping (provider payments applied, retried jobs) is not."""
    return entry.kind == "receipt" or entry.kind in _EVENT_TEXTS


def _history_line(entry: HistoryEntry) -> HistoryLine:
    if entry.kind != "receipt":
        return HistoryLine(at=as_utc(entry.at), text=_EVENT_TEXTS[entry.kind])
    return HistoryLine(
        at=as_utc(entry.at),
        text=_RECEIPT_TEXTS.get(entry.detail, "Payment"),
        amount_label=format_money(entry.amount, entry.currency),
        order_public_id=entry.order_public_id,
        order_url=order_page_url(entry.order_public_id),
    )


async def _tier_choices(session: AsyncSession, membership: MemberSubscription) -> list[TierChoice]:
    """The creator's other published tiers priced at the membership's billing period, lowest first."""
    tiers = await repository.tiers_of(session, membership.creator_id)
    current = next((tier for tier in tiers if tier.public_id == membership.tier_public_id), None)
    subscription = await repository.by_public_id(session, membership.public_id)
    if current is None or subscription is None:
        return []
    choices = []
    for tier in tiers:
        if tier.id is None or tier.id == current.id or not tier.is_published:
            continue
        price = await repository.active_price(session, tier_id=tier.id, interval=membership.interval)
        if price is None:
            continue
        is_upgrade = rules.is_upgrade(
            old_position=current.position,
            old_monthly=rules.monthly_amount(membership.amount, membership.interval),
            new_position=tier.position,
            new_monthly=rules.monthly_amount(price.amount, price.interval),
        )
        choices.append(
            TierChoice(
                tier_public_id=tier.public_id,
                label=f"{tier.name} · {price_label(price.amount, price.currency, price.interval)}",
                is_upgrade=is_upgrade,
                note=_choice_note(subscription, price.amount, is_upgrade=is_upgrade),
            )
        )
    return choices


def _choice_note(subscription: Subscription, new_amount: int, *, is_upgrade: bool) -> str:
    renewal = _day(subscription.current_period_end)
    if not is_upgrade:
        return f"Downgrade: starts at your next renewal on {renewal}; nothing is charged now."
    if subscription.status == SubscriptionStatus.TRIALING:
        return "Upgrade: starts now; nothing is charged during your free trial."
    assert subscription.current_period_start is not None and subscription.current_period_end is not None
    amount = rules.prorated_charge(
        old_amount=subscription.amount,
        new_amount=new_amount,
        period_start=as_utc(subscription.current_period_start),
        period_end=as_utc(subscription.current_period_end),
        now=clock.now(),
    )
    return (
        f"Upgrade: starts now; {format_money(amount, subscription.currency)} (the prorated difference) is charged now."
    )


# --- The member's actions --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LibraryOutcome:
    """What a member's action did: `message` for a toast, or `redirect_url`, the provider's page where the member
    finishes it (authorising a Razorpay resume, paying a Razorpay upgrade)."""

    message: str
    redirect_url: str = ""


async def act_on_membership(
    *, session_token: str, library_key: str, subscription_public_id: str, action: str
) -> LibraryOutcome:
    """Cancel (at the period's end), resume, pause or unpause one of the library's memberships; what happened."""
    if action not in _ACTIONS:
        raise InvalidInput("Choose cancel, resume, pause or unpause.", field="action")
    email = await library_email(session_token=session_token, library_key=library_key)
    use_case, message = _ACTIONS[action]
    changed = await use_case(subscription_public_id=subscription_public_id, member_email=email)
    if isinstance(changed, ResumeToAuthorise):
        return LibraryOutcome(
            f"Authorise your membership on Razorpay to keep it. Nothing is charged before "
            f"{_day(changed.current_period_end)}.",
            changed.authorise_url,
        )
    if action == "cancel" and changed.current_period_end is not None:
        return LibraryOutcome(
            f"Your membership cancels on {_day(changed.current_period_end)}. You keep access until then."
        )
    return LibraryOutcome(message)


# --- The account's data export ----------------------------------------------------------------------------


async def export_member_subscriptions(
    session: AsyncSession, *, user_id: int, email: str | None
) -> list[dict[str, Any]]:
    """The person's memberships (made while signed in, or to their verified email), for their data export."""
    conditions = [col(Subscription.member_user_id) == user_id]
    if email:
        conditions.append(col(Subscription.member_email) == email)
    statement = (
        select(Subscription, Creator)
        .join(Creator, col(Creator.id) == col(Subscription.creator_id))
        .where(or_(*conditions))
        .order_by(col(Subscription.id))
    )
    rows = (await session.exec(statement)).all()
    exported = []
    for subscription, creator in rows:
        tier = await repository.get_tier(session, subscription.tier_id)
        exported.append(
            {
                "membership": subscription.public_id,
                "creator": creator.display_name,
                "tier": tier.name if tier is not None else "",
                "status": str(subscription.status),
                "price": price_label(subscription.amount, subscription.currency, subscription.interval),
                "amount_minor_units": subscription.amount,
                "currency": subscription.currency,
                "interval": str(subscription.interval),
                "cancel_at_period_end": subscription.cancel_at_period_end,
                "current_period_end": _iso(subscription.current_period_end),
                "created_at": as_utc(subscription.created_at).isoformat(),
            }
        )
    return exported


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else as_utc(moment).isoformat()


# --- A membership charge's order page (its receipt) ------------------------------------------------------

RECEIPT_TITLE_PREFIX = "Membership: "
_RECEIPT_STATUS_LABELS = {
    OrderStatus.CREATED: "Waiting for your payment…",
    OrderStatus.PENDING: "Waiting for your payment…",
    OrderStatus.PAID: "Paid",
    OrderStatus.PARTIALLY_REFUNDED: "Paid (partly refunded)",
    OrderStatus.REFUNDED: "Refunded",
    OrderStatus.FAILED: "Payment failed",
    OrderStatus.EXPIRED: "Checkout expired",
}


async def membership_receipt(*, order_public_id: str, key: str) -> OrderPage:
    """A membership charge as its signed order-page link shows it; anything else (or a wrong key) is not found."""
    if not order_public_id or not hmac.compare_digest(order_access_token(order_public_id), key):
        raise OrderNotFound()
    async with db.transaction() as session:
        order = await repository.membership_order(session, order_public_id)
        if order is None:
            raise OrderNotFound()
        purpose = subscriptions.purpose_of(order.public_id)
        title = f"{RECEIPT_TITLE_PREFIX}{_RECEIPT_TEXTS.get(purpose.kind, 'Payment').removeprefix('Payment: ')}"
        price = await repository.get_price(session, purpose.price_id) if purpose.kind == "upgrade" else None
        tier = await repository.get_tier(session, price.tier_id) if price is not None else None
        if tier is not None:
            title = f"{title} to {tier.name}"
        creator = await session.get(Creator, order.creator_id)
    status = OrderStatus(order.status)
    return OrderPage(
        order_public_id=order.public_id,
        status=status.value,
        status_label=_RECEIPT_STATUS_LABELS.get(status, status.value.capitalize()),
        product_title=title,
        creator_name=creator.display_name if creator is not None else "",
        amount_label=format_money(order.amount, order.currency),
        paid_at=order.paid_at,
    )
