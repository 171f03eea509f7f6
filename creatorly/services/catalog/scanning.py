"""Virus scanning of product files: queued after upload, recorded, infected files quarantined and audited.

With CREATORLY_CLAMAV_URL set, a new file starts `pending` and is neither publishable nor downloadable until a
scan finds it clean. While the scanner is down the file waits (`scanning`) and the job tries again with backoff;
the sweep re-queues files whose job was lost. An infected file's bytes move to a private quarantine key, the
creator is told (email, and the editor shows the signature), and the event goes into the audit log.
Without a scanner, files are clean on upload, as before scanning existed.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db, queue
from creatorly.config import settings
from creatorly.errors import CreatorlyError
from creatorly.kit.clock import utc_now
from creatorly.models import Product, ProductFile
from creatorly.models.enums import ScanStatus
from creatorly.observability import get_logger
from creatorly.providers.registry import get_scanner, get_storage
from creatorly.providers.scanning.base import ScanFailed, ScannerUnavailable, ScanVerdict
from creatorly.providers.storage.base import ObjectMissing, StorageUnavailable
from creatorly.services.audit import service as audit
from creatorly.services.audit.schemas import SYSTEM
from creatorly.services.catalog import repository
from creatorly.services.email import service as email

logger = get_logger(__name__)

SCAN_JOB = "scan_product_file"
QUARANTINE_PREFIX = "quarantine/"
QUARANTINED_ACTION = "product_file.quarantined"
# The job's own retries while the scanner is down (seconds before each); after them the sweep retries every
# STUCK_AFTER, so a long outage costs one attempt per file every few minutes.
RETRY_DELAYS_SECONDS = (5, 15, 45, 120)
STUCK_AFTER = timedelta(minutes=5)
SWEEP_BATCH = 200
_WAITING = frozenset({ScanStatus.PENDING, ScanStatus.SCANNING})


class ScanOutcome(StrEnum):
    CLEAN = "clean"
    INFECTED = "infected"
    FAILED = "failed"
    RETRY_LATER = "retry_later"
    SKIPPED = "skipped"


class FilesNotReadyToSell(CreatorlyError):
    code = "files_not_ready"
    status = 409
    default_message = "Every file must pass the virus check before the product can be published."


class FileBeingChecked(CreatorlyError):
    code = "file_being_checked"
    status = 409
    default_message = "This file is being checked. Please try again in a few minutes."


class FileNotAvailable(CreatorlyError):
    code = "file_not_available"
    status = 410
    default_message = "This file is not available."


# --- What uploads, publishing, the editor and downloads ask -------------------------------------------------


def status_for_new_file() -> ScanStatus:
    return ScanStatus.PENDING if settings.is_scanning_enabled else ScanStatus.CLEAN


def queue_scan_after_commit(session: AsyncSession, item: ProductFile) -> None:
    """Schedule the new file's scan once its row is committed (nothing when it is already clean)."""
    if item.scan_status == ScanStatus.PENDING and item.id is not None:
        queue.enqueue_after_commit(session, SCAN_JOB, item.id)


def status_label(item: ProductFile) -> str:
    """What the creator reads beside a file; "" for a file that was never scanned (no scanner configured)."""
    status = ScanStatus(item.scan_status)
    if status in _WAITING:
        return "Scanning…"
    if status == ScanStatus.INFECTED:
        return f"Infected: {item.scan_signature} — removed"
    if status == ScanStatus.ERROR:
        return "Couldn't be checked — remove it and upload it again"
    return "Clean" if item.scanned_at is not None else ""


def ensure_publishable(files: Sequence[ProductFile]) -> None:
    """Refuse to publish while any file is waiting for its scan, infected or unscannable."""
    for item in files:
        status = ScanStatus(item.scan_status)
        if status in _WAITING:
            raise FilesNotReadyToSell(
                f"{item.original_name} is still being checked for viruses. You can publish once it is clean."
            )
        if status == ScanStatus.INFECTED:
            raise FilesNotReadyToSell(
                f"{item.original_name} was found infected ({item.scan_signature}) and removed. "
                "Remove it from the product to publish."
            )
        if status == ScanStatus.ERROR:
            raise FilesNotReadyToSell(
                f"{item.original_name} couldn't be checked for viruses. Remove it and upload it again to publish."
            )


def download_refusal(item: ProductFile) -> CreatorlyError | None:
    """Why a buyer cannot download this file right now, or None when it is clean."""
    status = ScanStatus(item.scan_status)
    if status == ScanStatus.CLEAN:
        return None
    return FileBeingChecked() if status in _WAITING else FileNotAvailable()


def buyer_note(item: ProductFile) -> str | None:
    """The line a buyer reads instead of a download button, or None when the file is clean."""
    refusal = download_refusal(item)
    return None if refusal is None else refusal.message


# --- The scan job -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Claimed:
    file_id: int
    storage_key: str


async def scan_product_file(file_id: int) -> ScanOutcome:
    """Scan one file and record the verdict. Idempotent: a file already decided (or deleted) is skipped; an
    infected file whose bytes are not yet in quarantine is moved there."""
    scanner = get_scanner()
    if scanner is None:
        return ScanOutcome.SKIPPED  # scanning was turned off: the file keeps waiting, never served unscanned
    claimed = await _claim(file_id)
    if claimed is None:
        await quarantine(file_id)
        return ScanOutcome.SKIPPED
    try:
        verdict: ScanVerdict | None = await scanner.scan(get_storage().read(claimed.storage_key))
        problem = ""
    except (ScannerUnavailable, StorageUnavailable) as error:
        logger.warning("file_scan_postponed", file_id=file_id, error=str(error))
        return ScanOutcome.RETRY_LATER
    except ScanFailed as error:
        verdict, problem = None, error.message
    except ObjectMissing:
        verdict, problem = None, "the stored file is missing"
    outcome = await _record(claimed, verdict, problem)
    if outcome is ScanOutcome.INFECTED:
        await quarantine(file_id)
    return outcome


async def _claim(file_id: int) -> _Claimed | None:
    """Stamp the attempt; None when the file is gone or already decided."""
    async with db.transaction() as session:
        found = await repository.get_file_with_owner(session, file_id, for_update=True)
        if found is None or ScanStatus(found[0].scan_status) not in _WAITING:
            return None
        item = found[0]
        item.scan_status, item.scan_started_at = ScanStatus.SCANNING, utc_now()
        return _Claimed(file_id=file_id, storage_key=item.storage_key)


async def _record(claimed: _Claimed, verdict: ScanVerdict | None, problem: str) -> ScanOutcome:
    async with db.transaction() as session:
        found = await repository.get_file_with_owner(session, claimed.file_id, for_update=True)
        if found is None or found[0].storage_key != claimed.storage_key:
            return ScanOutcome.SKIPPED  # removed (or replaced) while it was being scanned
        item, product, owner_email = found
        if ScanStatus(item.scan_status) not in _WAITING:
            return ScanOutcome.SKIPPED  # another attempt decided first
        item.scanned_at = utc_now()
        if verdict is None:
            item.scan_status, item.scan_signature = ScanStatus.ERROR, problem[:200]
            logger.error("file_scan_failed", file_id=claimed.file_id, problem=problem)
            return ScanOutcome.FAILED
        if not verdict.is_infected:
            item.scan_status, item.scan_signature = ScanStatus.CLEAN, ""
            return ScanOutcome.CLEAN
        item.scan_status, item.scan_signature = ScanStatus.INFECTED, verdict.signature[:200]
        await _report_infection(session, item, product, owner_email)
        return ScanOutcome.INFECTED


async def _report_infection(session: AsyncSession, item: ProductFile, product: Product, owner_email: str) -> None:
    assert item.id is not None
    await audit.record(
        session,
        actor=SYSTEM,
        action=QUARANTINED_ACTION,
        target_type="product_file",
        target_id=item.id,
        creator_id=product.creator_id,
        after={"signature": item.scan_signature, "file_name": item.original_name, "product_id": product.id},
    )
    await email.queue_email(
        session,
        to_address=owner_email,
        subject=f"{item.original_name} was removed: a virus was found",
        text_body=(
            f"The virus check of {item.original_name}, uploaded to “{product.title}”, "
            f"found {item.scan_signature}.\n\n"
            "The file has been removed and will never be offered to buyers. If you think this is a mistake, "
            "check the file on your computer with an up-to-date virus scanner before uploading it again.\n"
        ),
    )


# --- Quarantine ---------------------------------------------------------------------------------------------


async def quarantine(file_id: int) -> bool:
    """Move an infected file's bytes to a private quarantine key; True once they are there (or nothing to move).
    Idempotent: the served key is deleted only after the row points at the quarantine copy."""
    async with db.transaction() as session:
        found = await repository.get_file_with_owner(session, file_id)
        if found is None or found[0].scan_status != ScanStatus.INFECTED:
            return True
        item, product = found[0], found[1]
        old_key, size = item.storage_key, item.size_bytes
    if old_key.startswith(QUARANTINE_PREFIX):
        return True
    new_key = f"{QUARANTINE_PREFIX}{product.creator_id}/{product.id}/{secrets.token_urlsafe(24)}"
    storage = get_storage()
    try:
        await storage.save(new_key, storage.read(old_key), max_bytes=max(size, 1))
    except ObjectMissing:
        new_key = f"{QUARANTINE_PREFIX}missing/{secrets.token_urlsafe(24)}"  # nothing to keep; nothing to serve
    except StorageUnavailable:
        logger.warning("quarantine_postponed", file_id=file_id)  # the sweep moves it later; it is never served
        return False
    await _point_at_quarantine(file_id, old_key, new_key)
    with suppress(StorageUnavailable):
        await storage.delete(old_key)
    return True


async def _point_at_quarantine(file_id: int, old_key: str, new_key: str) -> None:
    async with db.transaction() as session:
        found = await repository.get_file_with_owner(session, file_id, for_update=True)
        if found is not None and found[0].storage_key == old_key:
            found[0].storage_key = new_key
            return
    with suppress(StorageUnavailable):  # removed meanwhile (or moved by another attempt): drop our copy
        await get_storage().delete(new_key)


# --- The sweep ----------------------------------------------------------------------------------------------


async def find_files_to_scan() -> list[int]:
    """Files whose scan job was lost or stalled, and infected files not yet in quarantine (none when off)."""
    if not settings.is_scanning_enabled:
        return []
    async with db.transaction() as session:
        found = await repository.files_to_scan(
            session, stuck_before=utc_now() - STUCK_AFTER, quarantine_prefix=QUARANTINE_PREFIX, limit=SWEEP_BATCH
        )
    return list(found)
