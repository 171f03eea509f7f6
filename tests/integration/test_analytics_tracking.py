"""Page views through the beacon route, visitors counted per day without storing an IP, bots dropped, referrers and
UTM tags kept, days in the creator's timezone, raw events expiring while the rollups keep their totals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import col, select

import creatorly.api.app
from creatorly import db
from creatorly.models import AnalyticsDaily, AnalyticsDailyVisitor, AnalyticsEvent, AnalyticsSalt, Creator
from creatorly.services.analytics import tracking
from creatorly.services.analytics.rules import EventKind
from tests.factories import make_creator, new_product

URL = "/api/analytics/collect"
FAN_IP = "203.0.113.77"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=creatorly.api.app.api, client=(FAN_IP, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http_client:
        yield http_client


async def _view(
    client: httpx.AsyncClient, body: dict[str, Any], *, agent: str = BROWSER, raw: bytes | None = None
) -> httpx.Response:
    headers = {"User-Agent": agent, "Content-Type": "application/json"}
    if raw is not None:
        return await client.post(URL, content=raw, headers=headers)
    return await client.post(URL, json=body, headers=headers)


async def _rows(model: type[Any], *conditions: Any) -> list[Any]:
    async with db.transaction() as session:
        return list((await session.exec(select(model).where(*conditions))).all())


async def _totals(dimension: str = "") -> dict[str, tuple[int, int]]:
    rows = await _rows(AnalyticsDaily, col(AnalyticsDaily.dimension) == dimension)
    return {row.kind: (row.events, row.visitors) for row in rows}


async def _everything_stored() -> str:
    """Every analytics row as text, to look for the IP address or the user agent."""
    found = []
    async with db.transaction() as session:
        for table in ("analytics_events", "analytics_daily", "analytics_daily_visitors", "analytics_salts"):
            found += [repr(tuple(row)) for row in (await session.exec(text(f"SELECT * FROM {table}"))).all()]  # type: ignore[call-overload]
    return "\n".join(found)


async def test_a_page_view_is_counted_per_visitor_and_neither_ip_nor_user_agent_is_stored(
    client: httpx.AsyncClient,
) -> None:
    made = await make_creator(products=[new_product(title="Zine")])
    handle, [product] = made.creator.handle, made.products

    for _ in range(2):
        assert (
            await _view(client, {"kind": "storefront_view", "handle": handle, "url": "", "referrer": ""})
        ).status_code == 204
    assert (await _view(client, {"kind": "storefront_view", "handle": handle}, agent=PHONE)).status_code == 204
    product_view = {"kind": "product_view", "handle": handle, "product": product.slug}
    assert (await _view(client, product_view)).status_code == 204

    # Two visitors: the phone, and the browser that saw the storefront twice and a product page
    assert await _totals() == {"storefront_view": (3, 2), "product_view": (1, 1), "visit": (4, 2)}
    assert await _totals(f"product:{product.id}") == {"product_view": (1, 1)}
    events = await _rows(AnalyticsEvent)
    assert len(events) == 4 and all(event.visitor_id and len(event.visitor_id) == 32 for event in events)
    assert len({event.visitor_id for event in events}) == 2
    stored = await _everything_stored()
    assert FAN_IP not in stored and "203.0.113" not in stored
    assert "Mozilla" not in stored and "iPhone" not in stored
    columns = {column.name for column in AnalyticsEvent.__table__.columns}  # type: ignore[attr-defined]
    assert not columns & {"ip", "ip_address", "user_agent"}


async def test_the_visitor_id_changes_with_the_daily_salt_so_a_visitor_cannot_be_followed_across_days(
    client: httpx.AsyncClient,
) -> None:
    made = await make_creator()
    body = {"kind": "storefront_view", "handle": made.creator.handle}
    await _view(client, body)
    # A new day: its salt is new (yesterday's is deleted by the hourly job)
    await tracking.expire(now=datetime.now(UTC) + timedelta(days=1))
    assert await _rows(AnalyticsSalt) == []
    await _view(client, body)

    first, second = await _rows(AnalyticsEvent)
    assert first.visitor_id != second.visitor_id


async def test_bots_and_requests_without_a_user_agent_are_not_counted(client: httpx.AsyncClient) -> None:
    made = await make_creator()
    body = {"kind": "storefront_view", "handle": made.creator.handle}

    assert (await _view(client, body, agent=GOOGLEBOT)).status_code == 204
    assert (await _view(client, body, agent="")).status_code == 204
    assert (await _view(client, body, agent="curl/8.5.0")).status_code == 204

    assert await _rows(AnalyticsEvent) == []
    assert await _rows(AnalyticsDaily) == []


async def test_bad_beacons_are_refused_and_write_nothing(client: httpx.AsyncClient) -> None:
    made = await make_creator(products=[new_product(title="Draft thing", is_published=False)])
    handle, [draft_product] = made.creator.handle, made.products

    assert (await _view(client, {}, raw=b"not json")).status_code == 400
    assert (await _view(client, {}, raw=b"x" * 9000)).status_code == 400
    assert (await _view(client, {"kind": "purchase", "handle": handle})).status_code == 422
    assert (await _view(client, {"kind": "storefront_view", "handle": "nobody-here"})).status_code == 404
    draft = {"kind": "product_view", "handle": handle, "product": draft_product.slug}
    assert (await _view(client, draft)).status_code == 404
    too_long = {"kind": "storefront_view", "handle": handle, "url": "https://x.test/?" + "a" * 3000}
    assert (await _view(client, too_long)).status_code == 422

    assert await _rows(AnalyticsEvent) == []
    assert await _rows(AnalyticsDaily) == []


async def test_referrer_domains_and_utm_tags_are_kept_and_our_own_pages_are_not_a_referrer(
    client: httpx.AsyncClient,
) -> None:
    made = await make_creator()
    handle = made.creator.handle
    tagged = f"http://localhost:3000/{handle}?utm_source=Newsletter&utm_medium=email&utm_campaign=Spring%20Sale"
    await _view(
        client, {"kind": "storefront_view", "handle": handle, "url": tagged, "referrer": "https://www.Twitter.com/x/1"}
    )
    await _view(client, {"kind": "storefront_view", "handle": handle, "url": "", "referrer": "https://twitter.com/y"})
    await _view(client, {"kind": "storefront_view", "handle": handle, "referrer": "http://localhost:3000/discover"})
    await _view(client, {"kind": "storefront_view", "handle": handle, "referrer": "javascript:alert(1)"})

    assert await _totals("referrer:twitter.com") == {"storefront_view": (2, 1)}
    assert await _totals("campaign:newsletter/email/spring sale") == {"storefront_view": (1, 1)}
    dimensions = {row.dimension for row in await _rows(AnalyticsDaily)}
    assert dimensions == {"", "referrer:twitter.com", "campaign:newsletter/email/spring sale"}
    [tagged_event] = await _rows(AnalyticsEvent, col(AnalyticsEvent.utm_campaign).is_not(None))
    assert (tagged_event.utm_source, tagged_event.utm_medium, tagged_event.referrer_domain) == (
        "newsletter",
        "email",
        "twitter.com",
    )


async def test_days_follow_the_creators_timezone_across_midnight() -> None:
    made = await make_creator()
    async with db.transaction() as session:
        creator = await session.get(Creator, made.creator.id)
        assert creator is not None
        creator.timezone = "Asia/Kolkata"  # UTC+05:30: local midnight is 18:30 UTC
        session.add(creator)
    async with db.transaction() as session:
        for minute in (29, 31):
            await tracking.record(
                session,
                made.creator.id or 0,
                EventKind.PURCHASE,
                amount=1000,
                net_amount=850,
                currency="usd",
                at=datetime(2026, 3, 1, 18, minute, tzinfo=UTC),
            )

    rows = await _rows(AnalyticsDaily, col(AnalyticsDaily.dimension) == "")
    assert sorted((str(row.day), row.events, row.amount, row.net_amount, row.currency) for row in rows) == [
        ("2026-03-01", 1, 1000, 850, "USD"),
        ("2026-03-02", 1, 1000, 850, "USD"),
    ]


async def test_raw_events_expire_after_90_days_and_the_rollups_keep_their_totals(client: httpx.AsyncClient) -> None:
    made = await make_creator()
    creator_id = made.creator.id or 0
    old = datetime.now(UTC) - timedelta(days=91)
    async with db.transaction() as session:
        for _ in range(3):
            await tracking.record(
                session, creator_id, EventKind.TIP, amount=500, net_amount=450, currency="USD", at=old
            )
    await _view(client, {"kind": "storefront_view", "handle": made.creator.handle})
    before = await _totals()

    expired = await tracking.expire(now=datetime.now(UTC) + timedelta(days=3))

    assert expired.events == 3
    assert [event.kind for event in await _rows(AnalyticsEvent)] == ["storefront_view"]
    assert await _totals() == before == {"tip": (3, 0), "storefront_view": (1, 1), "visit": (1, 1)}
    [tips] = await _rows(AnalyticsDaily, col(AnalyticsDaily.kind) == "tip")
    assert (tips.amount, tips.net_amount) == (1500, 1350)
    assert await _rows(AnalyticsDailyVisitor) == []  # the day is over everywhere: its visitor marks are gone
