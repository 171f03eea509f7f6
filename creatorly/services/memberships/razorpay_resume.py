"""Resuming a Razorpay membership that cancels at its period's end: a new Razorpay subscription from that end.

Razorpay can't undo cancel_at_cycle_end. So the member authorises a NEW Razorpay subscription for the price the
membership renews at, starting (`start_at`) at our current_period_end, so nothing is charged before then. Ours
stays "cancels at period end" until that subscription's webhook (razorpay_billing.link_resumed) moves the
membership onto it. The subscription asked for is a SubscriptionEvent `razorpay_resume_requested` naming
"<sub_… id> <short_url>": a second press answers the same page instead of making another.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.kit.clock import as_utc
from creatorly.models.enums import PaymentProviderName, SubscriptionStatus
from creatorly.models.memberships import Subscription
from creatorly.observability import get_logger
from creatorly.services.memberships import clock, provider_changes, repository, subscriptions
from creatorly.services.memberships.member_reads import members_own, view
from creatorly.services.memberships.schemas import MemberSubscription

RAZORPAY = PaymentProviderName.RAZORPAY
RESUME_REQUESTED, RESUMED = "razorpay_resume_requested", "resumed"
_RESUMABLE = (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING)

logger = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ResumeToAuthorise(MemberSubscription):
    """The membership, still cancelling, and the Razorpay page where the member authorises its new subscription."""

    authorise_url: str


@dataclass(frozen=True, slots=True)
class PendingResume:
    razorpay_id: str
    short_url: str


def is_resumed_on_razorpay(subscription: Subscription) -> bool:
    """A cancelling membership billed by a Razorpay subscription: resuming it takes a new one."""
    return (
        subscription.provider == RAZORPAY
        and bool(subscription.provider_reference)
        and subscription.cancel_at_period_end
        and subscription.status != SubscriptionStatus.CANCELED
    )


def refusal(subscription: Subscription) -> str:
    """Why a cancelling Razorpay membership can't be resumed now ("" when it can)."""
    end = subscription.current_period_end
    if end is None or as_utc(end) <= clock.now():
        return "This membership's paid period has ended. Join again from the creator's page."
    if subscription.status not in _RESUMABLE:
        return "Unpause your membership first, then resume it."
    return ""


async def pending_resume(session: AsyncSession, subscription: Subscription) -> PendingResume | None:
    """The latest resume subscription asked of Razorpay and not linked yet, if any."""
    assert subscription.id is not None
    events = await repository.events_of(session, subscription.id)
    requested = [event.detail for event in events if event.kind == RESUME_REQUESTED]
    if not requested:
        return None
    razorpay_id, _, short_url = requested[-1].partition(" ")
    if razorpay_id == subscription.provider_reference or any(
        event.kind == RESUMED and event.detail == razorpay_id for event in events
    ):
        return None
    return PendingResume(razorpay_id, short_url)


async def was_requested(session: AsyncSession, subscription: Subscription, razorpay_id: str) -> bool:
    assert subscription.id is not None
    return any(
        event.kind == RESUME_REQUESTED and event.detail.partition(" ")[0] == razorpay_id
        for event in await repository.events_of(session, subscription.id)
    )


async def is_linked(session: AsyncSession, subscription: Subscription, razorpay_id: str) -> bool:
    assert subscription.id is not None
    return await repository.has_event(session, subscription_id=subscription.id, kind=RESUMED, detail=razorpay_id)


async def resume(*, subscription_public_id: str, member_email: str) -> MemberSubscription:
    """Ask Razorpay for the subscription that carries the membership on (or answer the one already asked for);
    nothing of ours changes before the member authorises it. Razorpay failing raises BillingChangeFailed."""
    async with db.transaction() as session:
        subscription = await members_own(session, subscription_public_id, member_email)
        if not _is_resumable(subscription):
            return await view(session, subscription)
        pending = await pending_resume(session, subscription)
        if pending is not None:
            return _to_authorise(await view(session, subscription), pending.short_url)
        plan = await provider_changes.resume_plan(session, subscription)
    razorpay_id, short_url = await provider_changes.create_resume_subscription(plan)
    async with db.transaction() as session:
        subscription = await members_own(session, subscription_public_id, member_email)
        pending = await pending_resume(session, subscription)
        if pending is None and _is_resumable(subscription):
            detail = f"{razorpay_id} {short_url}"
            await subscriptions.record(
                session, subscription, RESUME_REQUESTED, from_status=subscription.status, detail=detail
            )
            return _to_authorise(await view(session, subscription), short_url)
        current = await view(session, subscription)
    # Another press got there first (or the membership moved on): ours is never shown, so never authorised.
    logger.info("razorpay_resume_subscription_unused", subscription=subscription_public_id, razorpay_id=razorpay_id)
    return _to_authorise(current, pending.short_url) if pending is not None else current


def _is_resumable(subscription: Subscription) -> bool:
    return is_resumed_on_razorpay(subscription) and not refusal(subscription)


def _to_authorise(membership: MemberSubscription, authorise_url: str) -> ResumeToAuthorise:
    values = {field.name: getattr(membership, field.name) for field in fields(membership)}
    return ResumeToAuthorise(**values, authorise_url=authorise_url)


async def link(session: AsyncSession, subscription: Subscription, razorpay_id: str) -> None:
    """The member authorised the new Razorpay subscription: it bills the membership from now on, which renews."""
    previous = subscription.provider_reference
    subscription.provider_reference = razorpay_id
    subscription.cancel_at_period_end = False
    subscription.updated_at = clock.now()
    session.add(subscription)
    await subscriptions.record(session, subscription, RESUMED, from_status=subscription.status, detail=razorpay_id)
    logger.info("razorpay_membership_resumed", subscription=subscription.public_id, previous=previous)
