"""Analytics job: every hour, delete raw events past 90 days (rollups stay), spent visitor marks and old salts."""

from __future__ import annotations

from huey import crontab

from creatorly import queue
from creatorly.jobs.runtime import run_async
from creatorly.observability import get_logger
from creatorly.services.analytics import tracking

huey = queue.huey

logger = get_logger(__name__)


@huey.periodic_task(crontab(minute="7"), context=False)
def expire_analytics() -> int:
    """Idempotent: deletes by age only. Hourly, so yesterday's salt is gone soon after midnight UTC."""
    expired = run_async(tracking.expire())
    logger.info("analytics_expired", events=expired.events, visitor_marks=expired.visitor_marks, salts=expired.salts)
    return expired.events
