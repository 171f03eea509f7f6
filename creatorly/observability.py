"""Structured logs (structlog) with a request id carried through contextvars, Prometheus metrics, and optional
error tracking with Sentry."""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from prometheus_client import Counter, Histogram

from creatorly.config import settings

_configured = False


def configure_logging() -> None:
    """Route structlog and the standard library's loggers through one renderer (idempotent)."""
    global _configured
    if _configured:
        return
    _configured = True
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if settings.log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        # Below the level, an event is dropped before any processor runs (the hot paths log at INFO).
        processors=[structlog.stdlib.filter_by_level, *shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(settings.log_level)
    logging.getLogger("huey").setLevel(max(logging.INFO, logging.getLevelName(settings.log_level)))


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger


def bind_request_id(request_id: str) -> None:
    structlog.contextvars.bind_contextvars(request_id=request_id)


def current_request_id() -> str:
    """The id of the request being served ("" outside one: the CLI, the worker)."""
    return str(structlog.contextvars.get_contextvars().get("request_id", ""))


def clear_request_context() -> None:
    structlog.contextvars.clear_contextvars()


# --- Metrics (Prometheus) ------------------------------------------------------------------------------------
# In-process counters and histograms. `creatorly start` and `creatorly serve` set PROMETHEUS_MULTIPROC_DIR, so
# several web worker processes (and the job worker on the same host) add up in one scrape of /metrics.

HTTP_REQUEST_SECONDS = Histogram(
    "creatorly_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status class.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
WEBHOOK_OUTCOMES = Counter(
    "creatorly_webhook_events_total",
    "Webhook event handling attempts by provider, event type and outcome (handled, ignored, skipped, failed, busy).",
    ["provider", "event_type", "outcome"],
)


def count_webhook(provider: str, event_type: str, outcome: str) -> None:
    WEBHOOK_OUTCOMES.labels(provider=provider, event_type=event_type, outcome=outcome).inc()


# --- Error tracking (Sentry) ---------------------------------------------------------------------------------
_error_tracking_started = False


def configure_error_tracking() -> None:
    """Send unhandled errors to Sentry when CREATORLY_SENTRY_DSN is set (idempotent); no personal data."""
    global _error_tracking_started
    dsn = settings.sentry_dsn.get_secret_value()
    if _error_tracking_started or not dsn:
        return
    import sentry_sdk

    _error_tracking_started = True
    sentry_sdk.init(
        dsn=dsn,
        environment=settings.env,
        traces_sample_rate=settings.sentry_traces_sample_rate,
        send_default_pii=False,
    )
