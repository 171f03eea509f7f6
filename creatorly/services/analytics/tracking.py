"""Record what happens: page views reported by browsers (a beacon) and sales, tips, downloads, sign-ups recorded
by the services where they happen, each into a raw event and the day's rollups in the same transaction.

Privacy by design: no IP address or user agent is stored; bots are dropped before anything is written.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.config import settings
from creatorly.errors import InvalidInput, NotFound
from creatorly.kit.clock import utc_now
from creatorly.kit.money import format_money
from creatorly.models import Creator, Order
from creatorly.models.analytics import AnalyticsEvent
from creatorly.models.enums import OrderKind, ProductStatus
from creatorly.providers.registry import get_rate_limiter
from creatorly.services.accounts.errors import TooManyAttempts
from creatorly.services.analytics import live, repository, rules
from creatorly.services.analytics.rules import EventKind, Source
from creatorly.services.catalog import repository as catalog_repository
from creatorly.services.creators import service as creators

# Visitor marks are only needed while a day can still get events (every timezone's day has ended after 2 days).
VISITOR_MARK_DAYS = 2
DELETE_BATCH = 5000
MAX_URL_LENGTH = 2048

_salts: dict[date, str] = {}


@dataclass(frozen=True, slots=True)
class PageView:
    """What the storefront's beacon reports; `ip` and `user_agent` come from the request, never stored."""

    kind: str
    handle: str
    product_slug: str
    page_url: str
    referrer: str
    ip: str
    user_agent: str


def _own_hosts() -> frozenset[str]:
    host = (urlsplit(settings.resolved_public_url).hostname or "").lower()
    return frozenset({host, "localhost", "127.0.0.1"} - {""})


async def collect_page_view(view: PageView) -> bool:
    """Record one storefront or product page view; False when it was a bot (nothing written)."""
    if view.kind not in rules.PAGE_VIEW_KINDS:
        raise InvalidInput("Unknown page view.", field="kind")
    if len(view.page_url) > MAX_URL_LENGTH or len(view.referrer) > MAX_URL_LENGTH:
        raise InvalidInput("Address too long.", field="url")
    if rules.is_bot(view.user_agent):
        return False
    if not await get_rate_limiter().hit(settings.rate_limit_analytics, "analytics-ip", view.ip):
        raise TooManyAttempts()
    source = rules.source_of(page_url=view.page_url, referrer=view.referrer, own_hosts=_own_hosts())
    async with db.transaction() as session:
        creator = await creators.creator_by_handle(session, view.handle)
        if creator is None or creator.id is None:
            raise NotFound()
        product_id: int | None = None
        if view.kind == EventKind.PRODUCT_VIEW:
            product = await catalog_repository.get_product_by_slug(session, creator.id, view.product_slug)
            if product is None or product.id is None or product.status != ProductStatus.PUBLISHED:
                raise NotFound()
            product_id = product.id
        visitor = rules.visitor_id(
            salt=await _salt(session, utc_now().date()), ip=view.ip, user_agent=view.user_agent, creator_id=creator.id
        )
        await record(session, creator, EventKind(view.kind), product_id=product_id, visitor=visitor, source=source)
    return True


async def _salt(session: AsyncSession, day: date) -> str:
    """The UTC day's random salt, made by whichever worker needs it first."""
    cached = _salts.get(day)
    if cached is not None:
        return cached
    salt = await repository.salt_of(session, day)
    if salt is None:
        await repository.add_salt(session, day, secrets.token_hex(32))
        salt = await repository.salt_of(session, day)
    assert salt is not None
    _salts.clear()  # only today's is ever needed
    _salts[day] = salt
    return salt


async def record(
    session: AsyncSession,
    creator: Creator | int,
    kind: EventKind,
    *,
    product_id: int | None = None,
    visitor: str | None = None,
    source: Source | None = None,
    amount: int = 0,
    net_amount: int = 0,
    currency: str = "",
    at: datetime | None = None,
) -> None:
    """Write one event and add it to its day's rollups, in the caller's transaction (so a rolled-back sale
    is never counted)."""
    row = creator if isinstance(creator, Creator) else await session.get(Creator, creator)
    if row is None or row.id is None:
        return
    moment = at or utc_now()
    day = rules.local_day(moment, row.timezone)
    origin = source or Source()
    await repository.add_event(
        session,
        AnalyticsEvent(
            creator_id=row.id,
            kind=kind,
            product_id=product_id,
            visitor_id=visitor,
            occurred_at=moment,
            day=day,
            referrer_domain=origin.referrer_domain,
            utm_source=origin.utm_source,
            utm_medium=origin.utm_medium,
            utm_campaign=origin.utm_campaign,
            amount=amount,
            net_amount=net_amount,
            currency=currency.upper(),
        ),
    )
    keys = [(str(kind), dimension) for dimension in rules.dimensions(product_id=product_id, source=origin)]
    if kind in rules.PAGE_VIEW_KINDS:
        keys.append((str(EventKind.VISIT), ""))
    new_for: set[tuple[str, str]] = set()
    if visitor is not None:
        new_for = await repository.new_visitor_marks(session, creator_id=row.id, day=day, visitor_id=visitor, keys=keys)
    await repository.add_to_rollups(
        session,
        creator_id=row.id,
        day=day,
        currency=currency.upper(),
        rows=[
            repository.RollupIncrement(
                kind=key_kind,
                dimension=dimension,
                visitors=1 if (key_kind, dimension) in new_for else 0,
                amount=amount,
                net_amount=net_amount,
            )
            for key_kind, dimension in keys
        ],
    )


@dataclass(frozen=True, slots=True)
class RecordedView:
    """One page view recorded after the fact (the demo's history): when, by whom (a visitor id), from where."""

    kind: EventKind
    at: datetime
    visitor: str
    product_id: int | None = None
    source: Source = field(default_factory=Source)


async def record_page_views(session: AsyncSession, creator: Creator, views: Sequence[RecordedView]) -> None:
    """Many page views at once: the same raw events, visitor marks and rollups as `record` writes one by one,
    in a few batched statements (a year of visits loads in seconds). Raw events the nightly expiry would delete at
    once (older than its 90 days) are not written; their rollups are."""
    assert creator.id is not None
    events: list[AnalyticsEvent] = []
    keyed: list[tuple[date, str, str, str]] = []
    raw_since = utc_now() - timedelta(days=rules.RAW_EVENT_DAYS)
    for view in views:
        day = rules.local_day(view.at, creator.timezone)
        if view.at >= raw_since:
            events.append(_event_of(creator.id, view, day))
        dimensions = rules.dimensions(product_id=view.product_id, source=view.source)
        keyed += [(day, str(view.kind), dimension, view.visitor) for dimension in dimensions]
        keyed.append((day, str(EventKind.VISIT), "", view.visitor))
    await repository.add_events(session, events)
    new = await repository.new_visitor_marks_many(session, creator_id=creator.id, marks=list(dict.fromkeys(keyed)))
    by_day: dict[date, dict[tuple[str, str], list[int]]] = {}
    for mark in keyed:
        counts = by_day.setdefault(mark[0], {}).setdefault((mark[1], mark[2]), [0, 0])
        counts[0] += 1
        if mark in new:
            new.discard(mark)  # a visitor counts once per row and day
            counts[1] += 1
    for day, totals in sorted(by_day.items()):
        increments = [
            repository.RollupIncrement(
                kind=kind, dimension=dimension, visitors=visitors, amount=0, net_amount=0, events=count
            )
            for (kind, dimension), (count, visitors) in totals.items()
        ]
        await repository.add_to_rollups(session, creator_id=creator.id, day=day, currency="", rows=increments)


def _event_of(creator_id: int, view: RecordedView, day: date) -> AnalyticsEvent:
    return AnalyticsEvent(
        creator_id=creator_id,
        kind=view.kind,
        product_id=view.product_id,
        visitor_id=view.visitor,
        occurred_at=view.at,
        day=day,
        referrer_domain=view.source.referrer_domain,
        utm_source=view.source.utm_source,
        utm_medium=view.source.utm_medium,
        utm_campaign=view.source.utm_campaign,
    )


_PAID_KIND = {
    OrderKind.PRODUCT: EventKind.PURCHASE,
    OrderKind.TIP: EventKind.TIP,
    OrderKind.MEMBERSHIP: EventKind.MEMBERSHIP_PAYMENT,
    OrderKind.SESSION: EventKind.PURCHASE,  # gross counts when paid; the creator's share once settled
}


_NOTICE_TITLES = {
    EventKind.PURCHASE: "New sale",
    EventKind.TIP: "New tip",
    EventKind.MEMBERSHIP_PAYMENT: "Membership payment",
}


async def record_checkout_started(session: AsyncSession, order: Order) -> None:
    await record(session, order.creator_id, EventKind.CHECKOUT_STARTED, product_id=order.product_id)


async def record_order_paid(session: AsyncSession, order: Order, *, net_amount: int, at: datetime) -> None:
    """A paid product sale, tip or membership charge: gross and what the creator keeps (net of fees); the
    creator's open dashboards hear of it once it is committed."""
    kind = _PAID_KIND[OrderKind(order.kind)]
    live.notify_after_commit(
        session,
        live.LiveNotice(
            creator_id=order.creator_id,
            kind=kind,
            message=f"{_NOTICE_TITLES[kind]} · {format_money(order.amount, order.currency)}",
        ),
    )
    await record(
        session,
        order.creator_id,
        kind,
        product_id=order.product_id,
        amount=order.amount,
        net_amount=net_amount,
        currency=order.currency,
        at=at,
    )


async def record_refund(session: AsyncSession, order: Order, *, amount: int, net_amount: int) -> None:
    """A refund counts against revenue on the day it happens (negative gross and net)."""
    await record(
        session,
        order.creator_id,
        EventKind.REFUND,
        product_id=order.product_id,
        amount=-amount,
        net_amount=net_amount,
        currency=order.currency,
    )


async def record_session_settled(session: AsyncSession, order: Order, *, net_amount: int, at: datetime) -> None:
    """A settled session adds what the creator kept (negative when a full refund leaves them the provider's fee)
    to net revenue on the day it settles; its gross was counted when it was paid."""
    await record(
        session,
        order.creator_id,
        EventKind.SESSION_SETTLED,
        product_id=order.product_id,
        net_amount=net_amount,
        currency=order.currency,
        at=at,
    )


async def record_membership(session: AsyncSession, creator_id: int, *, started: bool, at: datetime) -> None:
    """A membership started (paid or trial) or ended; a start is announced on the creator's open dashboards."""
    if started:
        live.notify_after_commit(
            session, live.LiveNotice(creator_id=creator_id, kind=EventKind.MEMBERSHIP_STARTED, message="New member")
        )
    kind = EventKind.MEMBERSHIP_STARTED if started else EventKind.MEMBERSHIP_CANCELLED
    await record(session, creator_id, kind, at=at)


async def record_download(session: AsyncSession, *, creator_id: int, product_id: int | None) -> None:
    await record(session, creator_id, EventKind.DOWNLOAD, product_id=product_id)


async def record_email_capture(session: AsyncSession, creator: Creator) -> None:
    await record(session, creator, EventKind.EMAIL_CAPTURE)


@dataclass(frozen=True, slots=True)
class Expired:
    events: int
    visitor_marks: int
    salts: int


async def expire(*, now: datetime | None = None) -> Expired:
    """Delete raw events older than 90 days (rollups stay), visitor marks of finished days and past salts."""
    moment = now or utc_now()
    cutoff = moment - timedelta(days=rules.RAW_EVENT_DAYS)
    events = 0
    while True:
        async with db.transaction() as session:
            deleted = await repository.delete_events_before(session, cutoff, limit=DELETE_BATCH)
        events += deleted
        if deleted < DELETE_BATCH:
            break
    async with db.transaction() as session:
        marks = await repository.delete_visitor_marks_before(session, moment.date() - timedelta(days=VISITOR_MARK_DAYS))
        salts = await repository.delete_salts_before(session, moment.date())
    _salts.clear()
    return Expired(events=events, visitor_marks=marks, salts=salts)
