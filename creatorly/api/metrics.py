"""GET /metrics for Prometheus, behind a bearer token, and the request-timing middleware that feeds it.

Request latency is labelled by route template (`/api/downloads/{token}`, never the token itself); Reflex's own
traffic is grouped as `page` (HTML documents), `static` (built assets) and `reflex` (its upload and event
endpoints), so the label set stays small whatever the URLs.
"""

from __future__ import annotations

import hmac
import os
import time

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from creatorly.config import settings
from creatorly.observability import HTTP_REQUEST_SECONDS
from creatorly.services.health.figures import OperationalFigures, operational_figures

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
_STATIC_PREFIXES = ("/assets/", "/_next/", "/favicon", "/styles.css", "/external/")
_REFLEX_PREFIXES = ("/_upload", "/_event", "/ping", "/_health", "/_all_routes")


def _route_label(scope: Scope, ours: frozenset[int]) -> str:
    # The router leaves the route it chose in the scope: one of ours (its template) or none of them (Reflex's).
    route = scope.get("route")
    if isinstance(route, Route) and id(route) in ours and (route.methods is None or scope["method"] in route.methods):
        return route.path
    path: str = scope["path"]
    if path.startswith(_STATIC_PREFIXES):
        return "static"
    if path.startswith(_REFLEX_PREFIXES):
        return "reflex"
    return "page"


class RequestMetricsMiddleware:
    """Times every HTTP request from its arrival to the end of its answer's body."""

    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app = app
        self.routes = routes
        self._ours = frozenset(id(route) for route in routes if isinstance(route, Route))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def timed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            HTTP_REQUEST_SECONDS.labels(
                method=scope["method"], route=_route_label(scope, self._ours), status=f"{status // 100}xx"
            ).observe(time.perf_counter() - started)


class _Figures(Collector):
    """Gauges read from the database and queue at scrape time (one scrape, one set of queries)."""

    def __init__(self, figures: OperationalFigures) -> None:
        self.figures = figures

    def collect(self):  # type: ignore[no-untyped-def]  # prometheus_client's own signature
        found = self.figures
        yield GaugeMetricFamily("creatorly_jobs_pending", "Jobs waiting in the queue.", value=found.jobs_pending)
        yield GaugeMetricFamily(
            "creatorly_jobs_scheduled", "Jobs scheduled for later (retries, delays).", value=found.jobs_scheduled
        )
        yield GaugeMetricFamily("creatorly_email_outbox_pending", "Emails not sent yet.", value=found.outbox_pending)
        yield GaugeMetricFamily(
            "creatorly_email_outbox_oldest_pending_seconds",
            "Age of the oldest email not sent yet (0 when none waits).",
            value=found.outbox_oldest_seconds,
        )
        yield GaugeMetricFamily(
            "creatorly_email_outbox_failed", "Emails given up on after every retry.", value=found.outbox_failed
        )
        yield GaugeMetricFamily(
            "creatorly_webhook_events_unhandled",
            "Stored webhook events not applied yet.",
            value=found.webhooks_unhandled,
        )
        yield GaugeMetricFamily(
            "creatorly_webhook_oldest_unhandled_seconds",
            "Age of the oldest stored webhook event not applied yet (0 when none).",
            value=found.webhooks_oldest_unhandled_seconds,
        )
        counts = GaugeMetricFamily("creatorly_payouts", "Payouts by state.", labels=["status"])
        amounts = GaugeMetricFamily(
            "creatorly_payouts_amount_minor",
            "Payout amounts by state and currency, in minor units.",
            labels=["status", "currency"],
        )
        for status, (count, sums) in sorted(found.payouts.items()):
            counts.add_metric([status], count)
            for currency, amount in sorted(sums.items()):
                amounts.add_metric([status, currency], amount)
        yield counts
        yield amounts
        if found.worker_heartbeat_age_seconds is not None:
            yield GaugeMetricFamily(
                "creatorly_worker_heartbeat_age_seconds",
                "Seconds since the worker's newest heartbeat.",
                value=found.worker_heartbeat_age_seconds,
            )


def _is_authorised(request: Request) -> bool:
    expected = settings.metrics_token.get_secret_value()
    given = request.headers.get("authorization", "")
    scheme, _, token = given.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), expected.encode())


async def metrics(request: Request) -> Response:
    if not settings.metrics_token.get_secret_value():
        return PlainTextResponse("Not Found", status_code=404)  # off unless CREATORLY_METRICS_TOKEN is set
    if not _is_authorised(request):
        return PlainTextResponse(
            "A bearer token is required.", status_code=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'}
        )
    figures = CollectorRegistry(auto_describe=False)
    figures.register(_Figures(await operational_figures()))
    if os.environ.get(MULTIPROCESS_DIR_VARIABLE):
        counters = CollectorRegistry()
        MultiProcessCollector(counters)  # type: ignore[no-untyped-call]  # every web and worker process on this host, added up
        body = generate_latest(counters) + generate_latest(figures)
    else:
        body = generate_latest(REGISTRY) + generate_latest(figures)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


routes = [Route("/metrics", metrics, methods=["GET"])]
