"""Dashboard figures from the rollups equal hand-computed values for a seeded scenario, days counted in the
creator's timezone, with the previous period alongside."""

from __future__ import annotations

from datetime import UTC, date, datetime

from creatorly import db
from creatorly.models import Creator
from creatorly.services.analytics import dashboard, figures, tracking
from creatorly.services.analytics.rules import EventKind, Source
from tests.factories import make_creator, new_product

TWITTER = Source(referrer_domain="twitter.com")
NEWSLETTER = Source(utm_source="newsletter", utm_medium="email", utm_campaign="march")


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


async def _seed() -> tuple[int, int, int]:
    made = await make_creator(products=[new_product(title="Zine"), new_product(title="Brushes")])
    creator_id = made.creator.id or 0
    zine, brushes = (product.id or 0 for product in made.products)
    async with db.transaction() as session:
        creator = await session.get(Creator, creator_id)
        assert creator is not None
        creator.timezone = "America/New_York"  # UTC-04:00 from 8 March 2026 (daylight saving time)
        session.add(creator)

    events: list[tuple[EventKind, datetime, dict[str, object]]] = [
        # 10 March (New York): 3 storefront visitors (one twice), 2 product views, 1 checkout, 1 sale
        (EventKind.STOREFRONT_VIEW, _at(10, 14), {"visitor": "a" * 32, "source": TWITTER}),
        (EventKind.STOREFRONT_VIEW, _at(10, 15), {"visitor": "a" * 32, "source": TWITTER}),
        (EventKind.STOREFRONT_VIEW, _at(10, 16), {"visitor": "b" * 32, "source": NEWSLETTER}),
        (EventKind.STOREFRONT_VIEW, _at(11, 3, 59), {"visitor": "c" * 32}),  # 23:59 on the 10th in New York
        (EventKind.PRODUCT_VIEW, _at(10, 16, 5), {"visitor": "b" * 32, "product_id": zine}),
        (EventKind.PRODUCT_VIEW, _at(10, 17), {"visitor": "a" * 32, "product_id": brushes}),
        (EventKind.CHECKOUT_STARTED, _at(10, 16, 6), {"product_id": zine}),
        (EventKind.PURCHASE, _at(10, 16, 7), {"product_id": zine, "amount": 1200, "net": 1003}),
        # 11 March (from 04:00 UTC): a tip at midnight and a refund of part of the sale
        (EventKind.TIP, _at(11, 4, 0), {"amount": 500, "net": 419}),
        (EventKind.REFUND, _at(11, 9), {"product_id": zine, "amount": -200, "net": -167}),
        # 3 March: the previous 7-day period has one sale of the other product
        (EventKind.PURCHASE, _at(3, 12), {"product_id": brushes, "amount": 3000, "net": 2580}),
    ]
    async with db.transaction() as session:
        for kind, at, extra in events:
            await tracking.record(
                session,
                creator_id,
                kind,
                product_id=extra.get("product_id"),  # type: ignore[arg-type]
                visitor=extra.get("visitor"),  # type: ignore[arg-type]
                source=extra.get("source"),  # type: ignore[arg-type]
                amount=int(extra.get("amount", 0)),  # type: ignore[call-overload]
                net_amount=int(extra.get("net", 0)),  # type: ignore[call-overload]
                currency="USD" if "amount" in extra else "",
                at=at,
            )
    return creator_id, zine, brushes


async def _figures(creator_id: int, start: date, end: date) -> figures.Figures:
    async with db.transaction() as session:
        return await figures.figures(session, creator_id=creator_id, period=figures.Period(start=start, end=end))


async def test_totals_series_funnel_and_rankings_equal_the_hand_computed_values() -> None:
    creator_id, zine, brushes = await _seed()

    result = await _figures(creator_id, date(2026, 3, 5), date(2026, 3, 11))

    assert result.totals.gross == {"USD": 1200 + 500 - 200}
    assert result.totals.net == {"USD": 1003 + 419 - 167}
    assert result.totals.visitors == 3  # a, b and c on the 10th (New York time)
    assert result.funnel == [("visitors", 3), ("product_view", 2), ("checkout_started", 1), ("purchase", 1)]
    assert result.previous.gross == {"USD": 3000} and result.previous.counts == {"purchase": 1}
    by_day = {point.day: point for point in result.series}
    assert len(result.series) == 7
    assert (by_day[date(2026, 3, 10)].gross, by_day[date(2026, 3, 10)].orders) == ({"USD": 1200}, 1)
    assert by_day[date(2026, 3, 10)].visitors == 3
    assert by_day[date(2026, 3, 11)].gross == {"USD": 300} and by_day[date(2026, 3, 11)].visitors == 0
    assert by_day[date(2026, 3, 5)].gross == {}
    [first, second] = result.products
    assert (first.key, first.views, first.sales, first.gross) == (str(zine), 1, 1, {"USD": 1000})
    assert (second.key, second.views, second.sales, second.gross) == (str(brushes), 1, 0, {})
    assert [(row.key, row.views, row.visitors) for row in result.referrers] == [("twitter.com", 2, 1)]
    assert [(row.key, row.views) for row in result.campaigns] == [("newsletter/email/march", 1)]


async def test_another_creators_figures_are_empty() -> None:
    await _seed()
    other = await make_creator()

    result = await _figures(other.creator.id or 0, date(2026, 3, 1), date(2026, 3, 31))

    assert result.totals.gross == {} and result.totals.visitors == 0 and result.products == []
    assert all(count == 0 for _, count in result.funnel)


async def test_conversion_is_one_number_on_the_card_and_at_the_funnels_end() -> None:
    creator_id, _, _ = await _seed()

    result = await _figures(creator_id, date(2026, 3, 5), date(2026, 3, 11))
    stages = dashboard.funnel_stages(result)

    assert figures.conversion(result.totals) == (1, 3)
    assert dashboard.conversion_rate(result.totals) == "33.3%"
    assert [(stage.label, stage.count, stage.share) for stage in stages] == [
        ("Visitors", 3, "100%"),
        ("Opened a product", 2, "66.7%"),
        ("Started a checkout", 1, "33.3%"),
        ("Paid orders", 1, "33.3%"),
    ]
    assert figures.paid_orders(result.totals) == 1
    assert figures.payments(result.totals) == 2  # the sale and the tip
