"""Audience use cases: double opt-in subscribe, signed confirm/unsubscribe links, the creator's list and CSV."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.config import settings
from creatorly.errors import CreatorlyError, InvalidInput, NotFound
from creatorly.kit.clock import utc_now
from creatorly.kit.csvfile import csv_text, iso_utc
from creatorly.models import Creator, Subscriber
from creatorly.models.enums import SubscriberStatus
from creatorly.providers.registry import get_rate_limiter
from creatorly.services.accounts.authorization import require_user
from creatorly.services.accounts.errors import TooManyAttempts
from creatorly.services.accounts.rules import validated_email
from creatorly.services.accounts.schemas import Requester
from creatorly.services.analytics import tracking
from creatorly.services.audience import repository
from creatorly.services.audience.schemas import (
    ConfirmedSubscription,
    SubscriberItem,
    SubscriberPage,
    UnsubscribeResult,
)
from creatorly.services.catalog import service as catalog
from creatorly.services.creators import service as creators
from creatorly.services.email import service as email_service

CONFIRM_PATH = "/audience/confirm"
UNSUBSCRIBE_PATH = "/audience/unsubscribe"
CONFIRMATION_LIFETIME = timedelta(days=7)
SUBSCRIBE_RATE_PER_IP = "10/hour"
SUBSCRIBE_RATE_PER_ADDRESS = "3/hour"  # per address and creator
MAX_PAGE_SIZE = 200
CSV_HEADER = ("email", "status", "source", "subscribed_at", "confirmed_at", "unsubscribed_at")

_CONFIRM_SALT = "creatorly-audience-confirm"
_UNSUBSCRIBE_SALT = "creatorly-audience-unsubscribe"
_SOURCE = re.compile(r"[a-z0-9][a-z0-9_-]{0,29}")


class SubscriptionLinkInvalid(CreatorlyError):
    code = "subscription_link_invalid"
    status = 400
    default_message = "This link is invalid or has expired. Subscribe again from the creator's page."


class SubscriberNotFound(NotFound):
    code = "subscriber_not_found"
    default_message = "We couldn't find that subscriber."


# --- fan side ---------------------------------------------------------------------------------------------


async def subscribe(*, handle: str, email: str, requester: Requester, source: str = "storefront") -> None:
    """Put the address on the creator's list as pending and mail a confirmation link.

    The answer is the same whether or not the address was already on the list; a confirmed address gets no mail.
    """
    address = validated_email(email)
    source_name = _checked_source(source)
    normalized_handle = handle.strip().casefold()
    await _count_subscribe_attempt(ip=requester.ip, handle=normalized_handle, address=address)
    try:
        async with db.transaction() as session:
            creator = await creators.creator_by_handle(session, normalized_handle)
            if creator is None or creator.id is None:
                raise catalog.StorefrontNotFound()
            subscriber = await _subscriber_to_confirm(session, creator.id, address, source_name)
            if subscriber is not None:
                await _send_confirmation(session, subscriber, creator)
    except IntegrityError:
        return  # a simultaneous subscribe added the address: answer exactly as for a known address


async def confirm_subscription(*, token: str) -> ConfirmedSubscription:
    """Confirm the address a signed link was mailed to; confirming again answers the same and changes nothing."""
    subscriber_id, email = _subscriber_reference(_read_confirmation_token(token))
    async with db.transaction() as session:
        found = await repository.get_with_creator(session, subscriber_id)
        if found is None or found[0].email != email or found[0].status == SubscriberStatus.UNSUBSCRIBED:
            raise SubscriptionLinkInvalid()
        subscriber, creator = found
        if subscriber.status == SubscriberStatus.PENDING:
            subscriber.status, subscriber.confirmed_at = SubscriberStatus.CONFIRMED, utc_now()
            await _send_welcome(session, subscriber_id, email, creator)
            await tracking.record_email_capture(session, creator)
        return ConfirmedSubscription(
            creator_display_name=creator.display_name,
            creator_handle=creator.handle,
            email=email,
            unsubscribe_url=unsubscribe_link(subscriber_id, email),
        )


def unsubscribe_link(subscriber_id: int, email: str) -> str:
    """A signed link that never expires: one click on it unsubscribes this address from this list."""
    token = _unsubscribe_serializer().dumps({"s": subscriber_id, "e": email})
    return f"{settings.resolved_public_url}{UNSUBSCRIBE_PATH}?token={token}"


async def unsubscribe(*, token: str) -> UnsubscribeResult:
    """Stop emails to the address a signed link names; repeating it changes nothing."""
    try:
        payload = _unsubscribe_serializer().loads(token)
    except BadSignature:
        raise SubscriptionLinkInvalid("This unsubscribe link is invalid. Use the link from the latest email.") from None
    subscriber_id, email = _subscriber_reference(payload)
    async with db.transaction() as session:
        found = await repository.get_with_creator(session, subscriber_id)
        if found is None or found[0].email != email:
            # The creator removed the address already: nothing left to stop, and the click still succeeds.
            return UnsubscribeResult(email=email, creator_display_name=None, creator_handle=None)
        subscriber, creator = found
        if subscriber.status != SubscriberStatus.UNSUBSCRIBED:
            subscriber.status, subscriber.unsubscribed_at = SubscriberStatus.UNSUBSCRIBED, utc_now()
        return UnsubscribeResult(email=email, creator_display_name=creator.display_name, creator_handle=creator.handle)


async def _count_subscribe_attempt(*, ip: str, handle: str, address: str) -> None:
    limiter = get_rate_limiter()
    by_ip = await limiter.hit(SUBSCRIBE_RATE_PER_IP, "audience-subscribe-ip", ip)
    by_address = await limiter.hit(SUBSCRIBE_RATE_PER_ADDRESS, "audience-subscribe-address", handle, address)
    if not (by_ip and by_address):
        raise TooManyAttempts()


def _checked_source(source: str) -> str:
    if not _SOURCE.fullmatch(source):
        raise InvalidInput("Unknown subscription source.", field="source")
    return source


async def _subscriber_to_confirm(
    session: AsyncSession, creator_id: int, address: str, source: str
) -> Subscriber | None:
    """The row that needs a (new) confirmation mail, or None when the address is already confirmed."""
    subscriber = await repository.get_by_email(session, creator_id, address)
    if subscriber is None:
        subscriber = Subscriber(creator_id=creator_id, email=address, source=source)
        await repository.add(session, subscriber)
    elif subscriber.status == SubscriberStatus.CONFIRMED:
        return None
    elif subscriber.status == SubscriberStatus.UNSUBSCRIBED:
        # Coming back is a new subscription: new date and source, confirmed again before any mail.
        subscriber.status, subscriber.source, subscriber.created_at = SubscriberStatus.PENDING, source, utc_now()
        subscriber.confirmed_at = subscriber.unsubscribed_at = None
    return subscriber


async def _send_confirmation(session: AsyncSession, subscriber: Subscriber, creator: Creator) -> None:
    assert subscriber.id is not None
    name = _one_line(creator.display_name)
    link = _confirmation_link(subscriber.id, subscriber.email)
    await email_service.queue_email(
        session,
        to_address=subscriber.email,
        subject=f"Confirm your subscription to {name}",
        text_body=(
            f"You asked to get emails from {name} on Creatorly. Confirm your address:\n{link}\n\n"
            "The link expires in 7 days. If this wasn't you, ignore this email: you won't get any emails."
        ),
    )


async def _send_welcome(session: AsyncSession, subscriber_id: int, email: str, creator: Creator) -> None:
    name = _one_line(creator.display_name)
    await email_service.queue_email(
        session,
        to_address=email,
        subject=f"You're subscribed to {name}",
        text_body=(
            f"You'll now get emails from {name} on Creatorly.\n\n"
            f"To stop at any time, unsubscribe with one click:\n{unsubscribe_link(subscriber_id, email)}\n"
        ),
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- signed links -----------------------------------------------------------------------------------------


def _confirm_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.resolved_secret_key, salt=_CONFIRM_SALT)


def _unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(settings.resolved_secret_key, salt=_UNSUBSCRIBE_SALT)


def _confirmation_link(subscriber_id: int, email: str) -> str:
    token = _confirm_serializer().dumps({"s": subscriber_id, "e": email})
    return f"{settings.resolved_public_url}{CONFIRM_PATH}?token={token}"


def _read_confirmation_token(token: str) -> Any:
    try:
        return _confirm_serializer().loads(token, max_age=int(CONFIRMATION_LIFETIME.total_seconds()))
    except BadSignature:  # also SignatureExpired
        raise SubscriptionLinkInvalid() from None


def _subscriber_reference(payload: Any) -> tuple[int, str]:
    if isinstance(payload, dict):
        subscriber_id, email = payload.get("s"), payload.get("e")
        if isinstance(subscriber_id, int) and isinstance(email, str):
            return subscriber_id, email
    raise SubscriptionLinkInvalid()


# --- creator side -----------------------------------------------------------------------------------------


async def list_subscribers(
    *, session_token: str, page: int = 1, page_size: int = 50, status: str | None = None
) -> SubscriberPage:
    """One page of the signed-in creator's subscribers, newest first, optionally of one status."""
    user = await require_user(session_token)
    wanted = _checked_status(status)
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"Pages start at 1 and hold 1 to {MAX_PAGE_SIZE} subscribers.", field="page")
    async with db.transaction() as session:
        creator_id = await _creator_id_of(session, user.id)
        total = await repository.count(session, creator_id, status=wanted)
        rows = await repository.list_newest_first(
            session, creator_id, status=wanted, offset=(page - 1) * page_size, limit=page_size
        )
        return SubscriberPage(items=[_item(row) for row in rows], total=total, page=page, page_size=page_size)


async def export_subscribers_csv(*, session_token: str) -> str:
    """Every subscriber of the signed-in creator as CSV, newest first, safe to open in a spreadsheet."""
    user = await require_user(session_token)
    async with db.transaction() as session:
        rows = await repository.list_newest_first(session, await _creator_id_of(session, user.id))
    return csv_text(CSV_HEADER, (_csv_row(row) for row in rows))


async def remove_subscriber(*, session_token: str, subscriber_id: int) -> None:
    """Delete a subscriber from the signed-in creator's list; anyone else's subscriber is not found."""
    user = await require_user(session_token)
    async with db.transaction() as session:
        creator_id = await _creator_id_of(session, user.id)
        if not await repository.delete_of_creator(session, creator_id, subscriber_id):
            raise SubscriberNotFound()


async def _creator_id_of(session: AsyncSession, user_id: int) -> int:
    """The id of the user's creator profile; NotACreator (a NotFound) when they have none."""
    creator = await creators.creator_of(session, user_id)
    assert creator.id is not None
    return creator.id


def _checked_status(status: str | None) -> SubscriberStatus | None:
    if status is None:
        return None
    try:
        return SubscriberStatus(status)
    except ValueError:
        raise InvalidInput("Choose pending, confirmed or unsubscribed.", field="status") from None


def _item(subscriber: Subscriber) -> SubscriberItem:
    assert subscriber.id is not None
    return SubscriberItem(
        id=subscriber.id,
        email=subscriber.email,
        status=str(subscriber.status),
        source=subscriber.source,
        created_at=subscriber.created_at,
        confirmed_at=subscriber.confirmed_at,
    )


def _csv_row(subscriber: Subscriber) -> list[str]:
    return [
        subscriber.email,
        str(subscriber.status),
        subscriber.source,
        iso_utc(subscriber.created_at),
        iso_utc(subscriber.confirmed_at),
        iso_utc(subscriber.unsubscribed_at),
    ]
