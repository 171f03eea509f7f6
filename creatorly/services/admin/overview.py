"""The platform overview: GMV, fees, creators' share, paying fans, active creators, refund and dispute rates, by bucket.

Definitions (one place, shown on the page as captions):
- GMV: the amount of orders paid in the bucket (paid, then perhaps refunded: gross is gross), per currency.
- Platform fees and creators' share come from the ledger, on the date each leg was posted: sales add them,
  refunds take their part back when refunded, provider fees charged later come out of the creators' share.
- Paying fans: distinct buyer emails of the paid orders; active creators: creators with a paid order.
- Refund rate: of the orders paid in the bucket, the share refunded in part or in full (so far).
- Dispute rate: disputes the providers reported opening in the bucket, over the orders paid in it.
- Payouts in flight: every payout requested (pending) or processing (in transit) now, whatever the period.
Buckets are UTC days, ISO weeks (Monday first) or calendar months; empty buckets are listed with zeros.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import InvalidInput
from creatorly.kit.clock import utc_now
from creatorly.services.admin import console_repository as repository
from creatorly.services.admin.access import admin_actor
from creatorly.services.admin.schemas import BucketFigures, Granularity, PayoutsInFlight, PlatformOverview

Buckets = dict[str, BucketFigures]
BUCKET_COUNTS = {Granularity.DAY: 30, Granularity.WEEK: 12, Granularity.MONTH: 12}


def _month_back(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def bucket_starts(granularity: Granularity, today: date) -> list[date]:
    """The first day of each bucket, oldest first, the last one holding `today`."""
    count = BUCKET_COUNTS[granularity]
    if granularity is Granularity.DAY:
        return [today - timedelta(days=offset) for offset in reversed(range(count))]
    if granularity is Granularity.WEEK:
        monday = today - timedelta(days=today.weekday())
        return [monday - timedelta(weeks=offset) for offset in reversed(range(count))]
    first = today.replace(day=1)
    return [_month_back(first, offset) for offset in reversed(range(count))]


def parse_granularity(text: str) -> Granularity:
    try:
        return Granularity(text)
    except ValueError:
        raise InvalidInput("Choose days, weeks or months.", field="granularity") from None


async def check_access(*, session_token: str) -> None:
    """Raise unless the token is an admin's with two-factor on (NotAuthenticated, Forbidden, TwoFactorSetupRequired)."""
    await admin_actor(session_token=session_token)


def rate_text(numerator: int, denominator: int) -> str:
    """A share as a percentage with one decimal, rounded half up; "—" when there is nothing to divide by."""
    if denominator <= 0:
        return "—"
    tenths = (numerator * 1000 + denominator // 2) // denominator
    return f"{tenths // 10}.{tenths % 10}%"


def _add(target: dict[str, int], currency: str, amount: int) -> None:
    target[currency] = target.get(currency, 0) + amount


def _rank_currencies(order_counts: dict[str, int]) -> list[str]:
    """Amounts in different currencies do not compare: the one with more paid orders comes first."""
    return sorted(order_counts, key=lambda currency: (-order_counts[currency], currency))


async def platform_overview(*, session_token: str, granularity: str, now: datetime | None = None) -> PlatformOverview:
    """The overview for the last 30 days, 12 weeks or 12 months, for admins with two-factor on."""
    await admin_actor(session_token=session_token)
    chosen = parse_granularity(granularity)
    today = (now or utc_now()).astimezone(UTC).date()
    starts = bucket_starts(chosen, today)
    since = datetime.combine(starts[0], datetime.min.time(), tzinfo=UTC)
    buckets = {start.isoformat(): BucketFigures(start=start) for start in starts}
    totals = BucketFigures(start=starts[0])
    order_counts: dict[str, int] = {}
    async with db.transaction() as session:
        await _read_orders(session, since, chosen, buckets, totals, order_counts)
        await _read_ledger(session, since, chosen, buckets, totals)
        for day, count in await repository.disputes(session, since=since, granularity=chosen):
            _bucket(buckets, day).disputes = count
            totals.disputes += count
        in_flight = [
            PayoutsInFlight(status=status, currency=currency, count=count, amount=amount)
            for status, currency, count, amount in await repository.payouts_in_flight(session)
        ]
    return PlatformOverview(
        granularity=chosen,
        since=starts[0],
        until=today,
        totals=totals,
        buckets=list(buckets.values()),
        currencies=_rank_currencies(order_counts),
        in_flight=in_flight,
    )


def _bucket(buckets: dict[str, BucketFigures], day: str) -> BucketFigures:
    """The bucket of a row; one dated past today (a clock skew) is counted in the totals only."""
    return buckets.get(day) or BucketFigures(start=date.fromisoformat(day))


async def _read_orders(
    session: AsyncSession,
    since: datetime,
    chosen: Granularity,
    buckets: Buckets,
    totals: BucketFigures,
    order_counts: dict[str, int],
) -> None:
    for day, currency, count, gross in await repository.order_money(session, since=since, granularity=chosen):
        _add(_bucket(buckets, day).gmv, currency, gross)
        _add(totals.gmv, currency, gross)
        _add(order_counts, currency, count)
    for day, orders, refunded, fans, creators in await repository.order_people(
        session, since=since, granularity=chosen
    ):
        found = _bucket(buckets, day)
        found.paid_orders, found.refunded_orders = orders, refunded
        found.paying_fans, found.active_creators = fans, creators
    orders, refunded, fans, creators = await repository.order_people_total(session, since=since)
    totals.paid_orders, totals.refunded_orders, totals.paying_fans, totals.active_creators = (
        orders,
        refunded,
        fans,
        creators,
    )


async def _read_ledger(
    session: AsyncSession, since: datetime, chosen: Granularity, buckets: Buckets, totals: BucketFigures
) -> None:
    for day, currency, platform, creator in await repository.ledger_earnings(session, since=since, granularity=chosen):
        for target in (_bucket(buckets, day), totals):
            _add(target.platform_fees, currency, platform)
            _add(target.creator_share, currency, creator)
