"""File scanning jobs: scan one product file (retrying with backoff while the scanner is down); sweep for lost scans."""

from __future__ import annotations

from huey import crontab

from creatorly import queue
from creatorly.config import settings
from creatorly.jobs.runtime import run_async
from creatorly.services.catalog import scanning

huey = queue.huey


@huey.task(retries=0, context=False)
def scan_product_file(file_id: int, attempt: int = 0) -> str:
    """Idempotent: a file already decided is skipped. While the scanner is down it is tried again after each of
    scanning.RETRY_DELAYS_SECONDS; after those the sweep takes over."""
    outcome = run_async(scanning.scan_product_file(file_id))
    if outcome is scanning.ScanOutcome.RETRY_LATER and attempt < len(scanning.RETRY_DELAYS_SECONDS):
        scan_product_file.schedule(args=(file_id, attempt + 1), delay=scanning.RETRY_DELAYS_SECONDS[attempt])
    return outcome.value


@huey.periodic_task(crontab(minute=f"*/{settings.sweeper_interval_minutes}"), context=False)
def sweep_file_scans() -> int:
    """Queue again files waiting or scanning for longer than scanning.STUCK_AFTER, and infected files whose bytes
    are not in quarantine yet; each gets one attempt (no retry chain), the next sweep being its retry."""
    lost = run_async(scanning.find_files_to_scan())
    for file_id in lost:
        scan_product_file(file_id, len(scanning.RETRY_DELAYS_SECONDS))
    return len(lost)


queue.register(scanning.SCAN_JOB, scan_product_file)
