"""A subscription's state machine and what a paid or failed membership charge does to it.

Every charge (first, renewal, upgrade) is an Order(kind=membership) whose public id says what it is for:
`msf_…` the first charge (amount 0: a trial's card setup), `msr_<sub>_<YYYYMMDD>` the renewal of the period
that ends that day, `msu_<sub>_<price id>_<nonce>` an upgrade to that price. So the fulfiller, run once per
paid order, knows what to apply, and a late or replayed charge of an old period never moves the period twice.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.kit.clock import as_utc
from creatorly.kit.money import format_money
from creatorly.models import Order
from creatorly.models.enums import OrderKind, SubscriptionStatus
from creatorly.models.memberships import Subscription, SubscriptionEvent, TrialUse
from creatorly.observability import get_logger
from creatorly.services.analytics import tracking
from creatorly.services.checkout.service import register_fulfiller
from creatorly.services.email import service as email
from creatorly.services.memberships import clock, repository, rules

FIRST_PREFIX, RENEWAL_PREFIX, UPGRADE_PREFIX = "msf_", "msr_", "msu_"
MAX_DETAIL = 300

logger = get_logger(__name__)


def new_public_id(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(10)}"


def _short(subscription: Subscription) -> str:
    return subscription.public_id.removeprefix("sub_")[:12]


def renewal_order_id(subscription: Subscription) -> str:
    assert subscription.current_period_end is not None
    return f"{RENEWAL_PREFIX}{_short(subscription)}_{as_utc(subscription.current_period_end):%Y%m%d}"


def upgrade_order_id(subscription: Subscription, price_id: int) -> str:
    return f"{UPGRADE_PREFIX}{_short(subscription)}_{price_id}_{secrets.token_hex(3)}"


@dataclass(frozen=True, slots=True)
class ChargePurpose:
    kind: str  # first | renewal | upgrade
    period_day: str = ""  # renewal: the YYYYMMDD its period ends
    price_id: int = 0  # upgrade: the new price


def purpose_of(order_public_id: str) -> ChargePurpose:
    if order_public_id.startswith(RENEWAL_PREFIX):
        return ChargePurpose("renewal", period_day=order_public_id.rsplit("_", 1)[-1])
    if order_public_id.startswith(UPGRADE_PREFIX):
        return ChargePurpose("upgrade", price_id=int(order_public_id.split("_")[2]))
    return ChargePurpose("first")


async def record(
    session: AsyncSession, subscription: Subscription, kind: str, *, from_status: str = "", detail: str = ""
) -> None:
    assert subscription.id is not None
    await repository.add(
        session,
        SubscriptionEvent(
            subscription_id=subscription.id,
            kind=kind,
            from_status=from_status,
            to_status=subscription.status,
            detail=detail[:MAX_DETAIL],
            created_at=clock.now(),
        ),
    )


async def move(
    session: AsyncSession, subscription: Subscription, to_status: SubscriptionStatus, *, kind: str, detail: str = ""
) -> bool:
    """Change status when the state machine allows it, with its event; False (nothing written) otherwise."""
    from_status = subscription.status
    if not rules.can_transition(from_status, to_status):
        logger.info("subscription_transition_refused", subscription=subscription.public_id, to=to_status)
        return False
    subscription.status = to_status
    subscription.updated_at = clock.now()
    if to_status == SubscriptionStatus.CANCELED and subscription.canceled_at is None:
        subscription.canceled_at = clock.now()
    session.add(subscription)
    await record(session, subscription, kind, from_status=from_status, detail=detail)
    if from_status == SubscriptionStatus.INCOMPLETE and to_status in STARTED_STATUSES:
        await tracking.record_membership(session, subscription.creator_id, started=True, at=clock.now())
    elif to_status == SubscriptionStatus.CANCELED and from_status != SubscriptionStatus.INCOMPLETE:
        await tracking.record_membership(session, subscription.creator_id, started=False, at=clock.now())
    return True


STARTED_STATUSES = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING})


# A provider's failure notice counts only for a period that is (about to be) over: later, it is stale.
FAILURE_NOTICE_LEAD = timedelta(days=1)


def is_renewal_due(subscription: Subscription) -> bool:
    """Whether the current period is over (or ends within a day): a renewal failure can only be about it then."""
    end = subscription.current_period_end
    return end is not None and end <= clock.now() + FAILURE_NOTICE_LEAD


def _clear_dunning(subscription: Subscription) -> None:
    subscription.failed_attempts, subscription.next_retry_at, subscription.grace_until = 0, None, None


# --- Paid charges (the fulfiller) --------------------------------------------------------------------


async def fulfil_membership(session: AsyncSession, order: Order, paid_at: datetime) -> None:
    """Apply a paid membership order once (fulfill_paid_order calls this once per order)."""
    assert order.subscription_id is not None
    subscription = await repository.lock(session, order.subscription_id)
    assert subscription is not None
    purpose = purpose_of(order.public_id)
    if purpose.kind == "first":
        await _activate(session, subscription, order)
    elif purpose.kind == "renewal":
        await _renewed(session, subscription, order, purpose)
    else:
        await _upgraded(session, subscription, order, purpose)


async def _activate(session: AsyncSession, subscription: Subscription, order: Order) -> None:
    now = clock.now()
    if order.provider_reference and subscription.provider_reference is None:
        subscription.provider_reference = order.provider_reference  # the sandbox's saved card
    if subscription.status != SubscriptionStatus.INCOMPLETE:
        await record(session, subscription, "first_charge_late", detail=order.public_id)
        return
    if order.amount == 0:
        if not await _take_trial(session, subscription):
            await move(
                session,
                subscription,
                SubscriptionStatus.CANCELED,
                kind="trial_refused",
                detail="card or email had a trial",
            )
            await _send(session, subscription, "Your free trial could not start", _trial_refused_text())
            return
        trial_days = await _trial_days(session, subscription)
        subscription.current_period_start = now
        subscription.current_period_end = subscription.trial_end = now + timedelta(days=trial_days)
        await move(session, subscription, SubscriptionStatus.TRIALING, kind="trial_started", detail=order.public_id)
    else:
        subscription.current_period_start = now
        subscription.current_period_end = rules.period_end(now, subscription.interval)
        await move(session, subscription, SubscriptionStatus.ACTIVE, kind="activated", detail=order.public_id)
    await _welcome(session, subscription, order)


async def _trial_days(session: AsyncSession, subscription: Subscription) -> int:
    tier = await repository.get_tier(session, subscription.tier_id)
    return tier.trial_days if tier is not None else 0


async def _take_trial(session: AsyncSession, subscription: Subscription) -> bool:
    """One trial per email and per card with a creator: record both, or refuse when either had one."""
    assert subscription.id is not None
    identities = [f"email:{subscription.member_email}"]
    if subscription.card_fingerprint:
        identities.append(f"card:{subscription.card_fingerprint}")
    for identity in identities:
        used = await repository.trial_use(session, creator_id=subscription.creator_id, identity=identity)
        if used is not None and used.subscription_id != subscription.id:
            return False
    for identity in identities:
        if await repository.trial_use(session, creator_id=subscription.creator_id, identity=identity) is None:
            await repository.add(
                session,
                TrialUse(creator_id=subscription.creator_id, identity=identity, subscription_id=subscription.id),
            )
    return True


async def _renewed(session: AsyncSession, subscription: Subscription, order: Order, purpose: ChargePurpose) -> None:
    period_end = subscription.current_period_end
    if period_end is None or f"{as_utc(period_end):%Y%m%d}" != purpose.period_day:
        await record(session, subscription, "renewal_charge_late", detail=order.public_id)
        return
    from_status = subscription.status
    if from_status not in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING, SubscriptionStatus.PAST_DUE):
        await record(session, subscription, "renewal_charge_late", detail=order.public_id)
        return
    anchor = as_utc(subscription.current_period_start or period_end).day
    start, end = rules.period_after(as_utc(period_end), subscription.interval, anchor_day=anchor)
    subscription.current_period_start, subscription.current_period_end = start, end
    _clear_dunning(subscription)
    kind = "trial_converted" if from_status == SubscriptionStatus.TRIALING else "renewed"
    if from_status == SubscriptionStatus.PAST_DUE:
        kind = "recovered"
    subscription.status = SubscriptionStatus.ACTIVE
    session.add(subscription)
    await record(session, subscription, kind, from_status=from_status, detail=order.public_id)
    body = (
        f"Your membership was renewed.\n\nAmount paid: {format_money(order.amount, order.currency)}\n"
        f"Receipt: {order.public_id}\nNext charge: {end:%Y-%m-%d}\n"
    )
    await _send(session, subscription, "Your membership renewal receipt", body)


async def _upgraded(session: AsyncSession, subscription: Subscription, order: Order, purpose: ChargePurpose) -> None:
    price = await repository.get_price(session, purpose.price_id)
    if price is None or subscription.status in (SubscriptionStatus.CANCELED, SubscriptionStatus.INCOMPLETE):
        await record(session, subscription, "upgrade_charge_late", detail=order.public_id)
        return
    await apply_price(session, subscription, price.id or 0, kind="upgraded", detail=order.public_id)
    paid = format_money(order.amount, order.currency)
    body = f"Your membership was upgraded.\n\nAmount paid now: {paid}\nReceipt: {order.public_id}\n"
    await _send(session, subscription, "Your membership upgrade receipt", body)


async def apply_price(
    session: AsyncSession, subscription: Subscription, price_id: int, *, kind: str, detail: str
) -> None:
    """Move the subscription to another tier price (its amount from the next charge on)."""
    price = await repository.get_price(session, price_id)
    assert price is not None
    subscription.tier_id, subscription.tier_price_id = price.tier_id, price_id
    subscription.amount, subscription.interval = price.amount, price.interval
    subscription.pending_tier_price_id = None
    subscription.updated_at = clock.now()
    session.add(subscription)
    await record(session, subscription, kind, from_status=subscription.status, detail=detail)


# --- Failed charges --------------------------------------------------------------------------------


async def charge_failed(session: AsyncSession, order: Order, *, payment_reference: str, failure_code: str) -> None:
    """A renewal (or retry) charge failed: past due with the next retry and a grace period, or cancelled after the
    last retry. Once per payment: a replayed failure changes nothing; a failure of an order paid since is ignored."""
    assert order.subscription_id is not None
    subscription = await repository.lock(session, order.subscription_id)
    assert subscription is not None and subscription.id is not None
    purpose = purpose_of(order.public_id)
    if order.paid_at is not None or purpose.kind != "renewal":
        return
    if await repository.has_event(
        session, subscription_id=subscription.id, kind="charge_failed", detail=payment_reference
    ):
        return
    period_end = subscription.current_period_end
    if period_end is None or f"{as_utc(period_end):%Y%m%d}" != purpose.period_day:
        return
    if subscription.status not in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING, SubscriptionStatus.PAST_DUE):
        return
    now = clock.now()
    subscription.failed_attempts += 1
    await record(session, subscription, "charge_failed", from_status=subscription.status, detail=payment_reference)
    if subscription.grace_until is None:
        subscription.grace_until = rules.grace_until(now)
    subscription.next_retry_at = rules.next_retry_at(now, subscription.failed_attempts)
    if subscription.next_retry_at is None:
        await move(session, subscription, SubscriptionStatus.CANCELED, kind="canceled_unpaid", detail=failure_code)
        await _send(session, subscription, "Your membership has ended", _ended_text())
        return
    await move(session, subscription, SubscriptionStatus.PAST_DUE, kind="past_due", detail=failure_code)
    await _send(session, subscription, "We couldn't renew your membership", _dunning_text(subscription))


# --- Emails ----------------------------------------------------------------------------------------


async def _send(session: AsyncSession, subscription: Subscription, subject: str, body: str) -> None:
    await email.queue_email(session, to_address=subscription.member_email, subject=subject, text_body=body)


async def _welcome(session: AsyncSession, subscription: Subscription, order: Order) -> None:
    tier = await repository.get_tier(session, subscription.tier_id)
    name = tier.name if tier is not None else "membership"
    lines = [f"Welcome to {name}!", ""]
    if tier is not None and tier.welcome_message:
        lines += [tier.welcome_message, ""]
    if subscription.status == SubscriptionStatus.TRIALING and subscription.trial_end is not None:
        lines.append(f"Your free trial runs until {as_utc(subscription.trial_end):%Y-%m-%d}.")
    else:
        lines.append(f"Amount paid: {format_money(order.amount, order.currency)}")
    lines.append(f"Receipt: {order.public_id}")
    await _send(session, subscription, f"Welcome to {name}", "\n".join(lines) + "\n")


def _dunning_text(subscription: Subscription) -> str:
    retry = f"We'll try again on {as_utc(subscription.next_retry_at):%Y-%m-%d}." if subscription.next_retry_at else ""
    return f"We couldn't charge your card for your membership. {retry}\nYou keep access meanwhile.\n"


def _ended_text() -> str:
    return "We couldn't charge your card after several tries, so your membership has ended.\n"


def _trial_refused_text() -> str:
    return "This email or card already had a free trial with this creator. You can join without a trial.\n"


register_fulfiller(OrderKind.MEMBERSHIP, fulfil_membership)
