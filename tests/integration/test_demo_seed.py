"""The demo's year of history: loaded once through the real use cases, its books balance and reconcile with the
sandbox gateway, and every dashboard page has figures to show."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

import creatorly.api.app
from creatorly import db
from creatorly.config import settings
from creatorly.kit.clock import utc_now
from creatorly.models import AnalyticsDaily, Order, Payout, Product, User
from creatorly.models.enums import OrderKind, OrderStatus, PayoutStatus
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.schemas import SignedIn
from creatorly.services.analytics import dashboard
from creatorly.services.creators import service as creators
from creatorly.services.demo.history import ABANDONED_CHECKOUTS
from creatorly.services.demo.service import DEMO_EMAIL, DEMO_HANDLE, DEMO_PASSWORD, seed_demo_data
from creatorly.services.memberships import members, posts, tiers
from creatorly.services.orders import dashboard as orders_dashboard
from creatorly.services.payouts import service as payouts
from creatorly.services.reconciliation import service as reconciliation
from creatorly.services.statements import service as statements
from creatorly.services.tips import service as tips
from tests.accounts import new_requester
from tests.processes import serving


@pytest.fixture(scope="module")
def app_server() -> Iterator[str]:
    """Our own API (the sandbox gateway's listing routes) on a free port, for reconciliation to ask."""
    with serving(creatorly.api.app.api) as url:
        yield url


async def _count(model: type[SQLModel], *conditions: object) -> int:
    async with db.transaction() as session:
        statement = select(func.count()).select_from(model).where(*conditions)  # type: ignore[arg-type]
        return int((await session.exec(statement)).one())


async def _signed_in() -> str:
    signed_in = await accounts.sign_in(email=DEMO_EMAIL, password=DEMO_PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    return signed_in.session_token


def _metric(view: dashboard.DashboardView, key: str) -> str:
    return next(metric.value for metric in view.metrics if metric.key == key)


async def test_the_demo_loads_a_year_once_and_every_dashboard_page_has_figures(
    app_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await seed_demo_data()
    rows = (await _count(Order), await _count(AnalyticsDaily), await _count(Payout))
    second = await seed_demo_data()

    assert (first.was_created, second.was_created) == (True, False)
    assert rows == (await _count(Order), await _count(AnalyticsDaily), await _count(Payout))  # nothing changed
    assert await _count(User) == 1
    assert await _count(Product) == 5
    paid = await _count(Order, Order.status == OrderStatus.PAID)
    assert paid >= 250 + 30 + 35  # sales, tips and first membership payments, plus renewals
    assert await _count(Payout, Payout.status == PayoutStatus.PAID) >= 10

    token = await _signed_in()
    year = await dashboard.load_dashboard(session_token=token, range_key="365")
    revenue, orders, visitors = _metric(year, "gross"), _metric(year, "orders"), _metric(year, "visitors")
    print(f"demo, 365 days: revenue {revenue}, orders {orders}, visitors {visitors}; loaded in {first.seconds:.1f} s")
    assert revenue.startswith("$") and revenue != "$0.00"
    assert int(orders.replace(",", "")) >= 250
    assert 14_000 <= int(visitors.replace(",", "")) <= 16_000
    assert len(year.chart) >= 52 and len({point.gross for point in year.chart}) > 10  # a line, not flat
    assert any(row.views for row in year.referrers) and any(row.views for row in year.campaigns)

    assert (await orders_dashboard.list_orders(session_token=token, status=None)).total >= 300
    # The year's abandoned checkouts were closed by the expiry job: none is left waiting for payment
    abandoned = await orders_dashboard.list_orders(session_token=token, status=str(OrderStatus.EXPIRED))
    assert abandoned.total == ABANDONED_CHECKOUTS and {row.status_label for row in abandoned.items} == {"Abandoned"}
    assert (await orders_dashboard.list_orders(session_token=token, status=str(OrderStatus.PENDING))).total == 0
    waiting = (OrderStatus.CREATED, OrderStatus.PENDING)
    assert await _count(Order, col(Order.status).in_(waiting), col(Order.expires_at) <= utc_now()) == 0
    tip_page = await tips.list_tips(session_token=token)
    assert tip_page.total == 30 and any(row.message for row in tip_page.items)
    wall = await tips.list_wall(handle=DEMO_HANDLE)
    assert wall.items
    # The tip jar sells in the store's currency, like every product, and so did every tip of the year
    store = (await creators.get_my_profile(session_token=token)).currency
    jar = await tips.get_tip_jar(handle=DEMO_HANDLE)
    assert jar.currency == (await tips.get_tip_settings(session_token=token)).currency == store
    assert all(preset.label.startswith("$") for preset in jar.presets) and store == "USD"
    async with db.transaction() as session:
        product_currencies = set((await session.exec(select(Product.currency))).all())
        tip_currencies = set((await session.exec(select(Order.currency).where(Order.kind == OrderKind.TIP))).all())
    assert product_currencies == tip_currencies == {store}
    summary = await members.members_summary(session_token=token)
    assert summary.active == 35 and summary.monthly[0].label != "$0.00"
    assert len(await tiers.list_public_tiers(handle=DEMO_HANDLE)) == 2
    assert len(await posts.list_public_posts(handle=DEMO_HANDLE)) == 4
    assert len(await payouts.list_payouts(session_token=token)) >= 10
    months = await statements.statement_months(session_token=token)
    assert len(months) >= 12

    monkeypatch.setattr(settings, "public_url", app_server)
    report = await reconciliation.reconcile(days=400)
    assert report.mismatches == []
    assert report.checked_payments >= 300 and report.checked_payouts >= 10
