"""GET /metrics on the real app process (granian, PROMETHEUS_MULTIPROC_DIR set by `creatorly start`): refused
without the token, and after a purchase it shows the request histograms, the webhook outcome and the gauges."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from creatorly.api.app import api
from tests.integration.test_faults import AppProcess, _pending_orders, _post, _signed_payment

TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppProcess]:
    monkeypatch.setenv("CREATORLY_METRICS_TOKEN", TOKEN)
    process = AppProcess(tmp_path / "app.log")
    process.start()
    try:
        yield process
    finally:
        process.stop()


def _scrape(app: AppProcess, token: str | None = TOKEN) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return httpx.get(f"{app.url}/metrics", headers=headers, timeout=10)


def _value(text: str, pattern: str) -> float:
    found = re.search(rf"^{pattern} ([0-9.e+-]+)$", text, re.MULTILINE)
    assert found, f"{pattern} not in:\n{text[:3000]}"
    return float(found.group(1))


async def test_metrics_after_a_purchase_show_histograms_webhooks_and_gauges(
    app: AppProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _scrape(app, token=None).status_code == 401
    assert _scrape(app, token="wrong").status_code == 401

    [order] = await _pending_orders(app, 1, monkeypatch)
    assert _post(app.url, _signed_payment(order, event_id="evt_metrics_1")) == 200
    assert httpx.get(f"{app.url}/health", timeout=5).status_code == 200

    response = _scrape(app)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    route = 'method="POST",route="/api/webhooks/{provider}",status="2xx"'
    assert _value(text, rf"creatorly_http_request_duration_seconds_count\{{{route}\}}") >= 1
    assert _value(text, rf'creatorly_http_request_duration_seconds_bucket\{{le="\+Inf",{route}\}}') >= 1
    assert (
        _value(text, r'creatorly_http_request_duration_seconds_count\{method="GET",route="/health",status="2xx"\}') >= 1
    )
    assert (
        _value(
            text,
            r'creatorly_webhook_events_total\{event_type="payment.succeeded",outcome="handled",provider="sandbox"\}',
        )
        == 1
    )
    assert _value(text, "creatorly_webhook_events_unhandled") == 0
    assert _value(text, "creatorly_jobs_pending") >= 0
    assert _value(text, r'creatorly_payouts\{status="paid"\}') >= 0
    assert "creatorly_email_outbox_oldest_pending_seconds" in text
    assert "evt_metrics_1" not in text and order.public_id not in text  # no ids in labels


async def test_metrics_are_off_without_a_token() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://test") as client:
        assert (await client.get("/metrics")).status_code == 404
