"""Live dashboard across workers and hosts: the creator's dashboard is open in two tabs on host A (several
Reflex workers, tab state in Redis); a fan buys on host A, the payment's webhook is received by host B; both
tabs show the new order, revenue and a toast within seconds, without a reload."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import (
    buy_with_sandbox_card,
    open_page,
    open_storefront_with_product,
    sale_applied_at,
    see_receipt,
    sign_up_and_confirm,
)
from tests.e2e_redis.conftest import TwoHosts

PASSWORD = "correct horse battery staple"
LIVE_WITHIN_SECONDS = 2.0  # issue 8: every open tab shows a new sale within 2 seconds


def test_a_sale_received_by_another_host_updates_every_open_dashboard_tab(
    browser: Browser, page: Page, two_hosts: TwoHosts
) -> None:
    app_url = two_hosts.pages_url
    assert httpx.get(f"{two_hosts.backend_url}/health", timeout=5).status_code == 200
    handle = f"redis{secrets.token_hex(3)}"
    sign_up_and_confirm(page, app_url, email=f"{handle}@example.com", password=PASSWORD, name="Rae Redis")
    product_url = open_storefront_with_product(page, app_url, handle=handle, title="Shared Zine", price="7")

    open_page(page, f"{app_url}/dashboard")
    expect(page.get_by_role("group", name="Orders", exact=True)).to_contain_text("0")
    second_tab = page.context.new_page()
    open_page(second_tab, f"{app_url}/dashboard")
    expect(second_tab.get_by_role("group", name="Orders", exact=True)).to_contain_text("0")

    fan = browser.new_context()
    fan_page = fan.new_page()
    buy_with_sandbox_card(
        fan_page, f"{app_url}{product_url}", email=f"fan-{handle}@example.com", wait_for_receipt=False
    )

    for tab in (page, second_tab):
        expect(tab.get_by_role("status", name="Live updates")).to_contain_text("New sale · $7.00", timeout=10_000)
        expect(tab.get_by_role("group", name="Orders", exact=True)).to_contain_text("1", timeout=10_000)
        expect(tab.get_by_role("group", name="Revenue", exact=True)).to_contain_text("$7.00", timeout=10_000)
    seen_at = datetime.now(UTC)  # both tabs show it (the fan's page may still be on its way)
    lag = (seen_at - sale_applied_at(two_hosts.backend_log)).total_seconds()
    print(f"live dashboard: both tabs showed the sale {lag:.2f} s after it was recorded")
    assert lag <= LIVE_WITHIN_SECONDS, f"the tabs showed the sale {lag:.2f} s after it was recorded"
    see_receipt(fan_page)
    fan.close()
    second_tab.close()
    # The payment's webhook was applied by host B, not by host A whose workers hold the tabs.
    handled = [line for line in two_hosts.backend_log.read_text().splitlines() if "webhook_attempt" in line]
    assert any("provider=sandbox" in line and "outcome=handled" in line for line in handled), handled
    assert "webhook_attempt" not in two_hosts.pages_log.read_text()
