"""Webhook jobs: periodically handle events that were stored but never handled (a crash or a failed handler)."""

from __future__ import annotations

from huey import crontab

from creatorly import queue
from creatorly.config import settings
from creatorly.jobs.runtime import run_async
from creatorly.services.external_events import service as external_events

huey = queue.huey


@huey.periodic_task(crontab(minute=f"*/{settings.sweeper_interval_minutes}"), context=False)
def sweep_unhandled_events() -> int:
    """Idempotent: each event is claimed before it is handled, and a handled one is never handled again."""
    return run_async(external_events.handle_unhandled())
