"""Reconciliation job: once a day, compare the last days' ledger with the providers' records and log mismatches."""

from __future__ import annotations

from huey import crontab

from creatorly import queue
from creatorly.jobs.runtime import run_async
from creatorly.observability import get_logger
from creatorly.services.reconciliation import service as reconciliation

huey = queue.huey
DAILY_WINDOW_DAYS = 3  # overlapping windows: a mismatch stays in the log until it is resolved

logger = get_logger(__name__)


@huey.periodic_task(crontab(hour="4", minute="17"), context=False)
def reconcile_daily() -> int:
    """Read-only and idempotent; every mismatch is logged as an error for the operator (and `creatorly reconcile`)."""
    report = run_async(reconciliation.reconcile(days=DAILY_WINDOW_DAYS))
    for mismatch in report.mismatches:
        logger.error(
            "reconciliation_mismatch",
            area=mismatch.area,
            reference=mismatch.reference,
            provider=mismatch.provider,
            problem=mismatch.problem,
        )
    logger.info("reconciliation_done", mismatches=len(report.mismatches))
    return len(report.mismatches)
