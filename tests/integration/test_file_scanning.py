"""Upload scanning against a real clamd: clean files sell, EICAR is quarantined and audited, an outage waits."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select

from creatorly import db, queue
from creatorly.api.app import api
from creatorly.config import settings
from creatorly.kit.clock import utc_now
from creatorly.models import AuditEntry, Product, ProductFile
from creatorly.models.enums import ProductStatus, ScanStatus
from creatorly.providers.registry import get_storage
from creatorly.providers.storage.base import ObjectMissing
from creatorly.services.catalog import files, manage, scanning
from creatorly.services.catalog.scanning import FilesNotReadyToSell, ScanOutcome
from creatorly.services.catalog.schemas import ProductInput
from creatorly.services.creators import service as creators
from creatorly.services.creators.schemas import ProfileInput
from creatorly.services.delivery import service as delivery
from creatorly.services.health import service as health
from creatorly.services.orders import service as orders
from tests.accounts import outbox_for, signed_up_and_verified
from tests.clamd import EICAR, REPORTED_SIGNATURE, Clamd
from tests.clamd import clamd as clamd  # a fixture
from tests.clamd import small_stream_clamd as small_stream_clamd  # a fixture
from tests.factories import make_order
from tests.processes import run_async, running, wait_until, worker_command

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b"x" * 20_000
CREATOR_EMAIL = "maker@example.com"
BEING_CHECKED = "This file is being checked. Please try again in a few minutes."
NOT_AVAILABLE = "This file is not available."


async def _chunks(data: bytes, size: int = 4096) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def _draft_product(email: str = CREATOR_EMAIL) -> tuple[str, int]:
    token = (await signed_up_and_verified(email)).session_token
    await creators.become_creator(session_token=token, profile=ProfileInput(handle="maker", display_name="Maker"))
    product_id = await manage.create_product(session_token=token, values=ProductInput(title="Field Guide", price="9"))
    return token, product_id


async def _upload(token: str, product_id: int, name: str, data: bytes) -> int:
    with queue.intercepting(scanning.SCAN_JOB) as queued:
        added = await files.add_product_file(
            session_token=token, product_id=product_id, filename=name, chunks=_chunks(data)
        )
    expected = [(scanning.SCAN_JOB, (added.id,))] if settings.clamav_url else []
    assert queued == expected  # queued once, after the upload committed (none without a scanner)
    return added.id


async def _file(file_id: int) -> ProductFile:
    async with db.transaction() as session:
        item = await session.get(ProductFile, file_id)
        assert item is not None
        return item


async def _product_status(product_id: int) -> str:
    async with db.transaction() as session:
        product = await session.get(Product, product_id)
        assert product is not None
        return str(product.status)


async def _bought(product_id: int) -> tuple[str, str]:
    """A paid order of the product with entitlements to its files: (order public id, first download path)."""
    async with db.transaction() as session:
        product = await session.get(Product, product_id)
        assert product is not None
    order = await make_order(product=product, buyer_email="buyer@example.com")
    assert order.id is not None
    async with db.transaction() as session:
        await orders.grant_entitlements_to_files(
            session, order_id=order.id, product_id=product_id, download_limit=5, expires_at=utc_now() + timedelta(7)
        )
        entitlement = (await orders.entitlements_of(session, order.id))[0]
    assert entitlement.id is not None
    return order.public_id, delivery.download_path(entitlement.id, order.public_id)


async def _download(path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://test") as client:
        return await client.get(path)


async def _order_link(order_public_id: str) -> delivery.DownloadLink:
    key = delivery.order_access_token(order_public_id)
    page = await delivery.get_order_page(order_public_id=order_public_id, key=key)
    return page.downloads[0]


async def _audit_entries() -> list[AuditEntry]:
    """The quarantine entries (becoming a creator writes a role change of its own)."""
    async with db.transaction() as session:
        statement = select(AuditEntry).where(AuditEntry.action == scanning.QUARANTINED_ACTION)
        return list((await session.exec(statement.order_by(col(AuditEntry.id)))).all())


async def _refused_publish(token: str, product_id: int) -> str:
    with pytest.raises(FilesNotReadyToSell) as refused:
        await manage.set_status(session_token=token, product_id=product_id, status="published")
    assert await _product_status(product_id) == ProductStatus.DRAFT
    return refused.value.message


async def test_without_a_scanner_files_are_clean_on_upload_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "clamav_url", "")
    token, product_id = await _draft_product()

    file_id = await _upload(token, product_id, "guide.pdf", PDF)

    item = await _file(file_id)
    assert (item.scan_status, item.scan_signature, item.scanned_at) == (ScanStatus.CLEAN, "", None)
    assert (await manage.get_my_product(session_token=token, product_id=product_id)).files[0].scan_label == ""
    await manage.set_status(session_token=token, product_id=product_id, status="published")
    assert await _product_status(product_id) == ProductStatus.PUBLISHED
    assert await scanning.scan_product_file(file_id) is ScanOutcome.SKIPPED
    assert await scanning.find_files_to_scan() == []


async def test_a_clean_file_waits_for_its_scan_then_is_publishable_and_downloadable(
    clamd: Clamd, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "clamav_url", clamd.url)
    token, product_id = await _draft_product()
    file_id = await _upload(token, product_id, "guide.pdf", PDF)
    order_public_id, path = await _bought(product_id)

    # Before the scan: waiting, not publishable, not downloadable ("being checked", not a 404).
    assert (await _file(file_id)).scan_status == ScanStatus.PENDING
    detail = await manage.get_my_product(session_token=token, product_id=product_id)
    assert (detail.files[0].scan_status, detail.files[0].scan_label) == ("pending", "Scanning…")
    assert await _refused_publish(token, product_id) == (
        "guide.pdf is still being checked for viruses. You can publish once it is clean."
    )
    waiting = await _download(path)
    assert (waiting.status_code, waiting.text) == (409, BEING_CHECKED)
    link = await _order_link(order_public_id)
    assert (link.is_available, link.url, link.expires_label) == (False, "", BEING_CHECKED)

    assert await scanning.scan_product_file(file_id) is ScanOutcome.CLEAN

    item = await _file(file_id)
    assert (item.scan_status, item.scan_signature) == (ScanStatus.CLEAN, "")
    assert item.scanned_at is not None
    assert (await manage.get_my_product(session_token=token, product_id=product_id)).files[0].scan_label == "Clean"
    await manage.set_status(session_token=token, product_id=product_id, status="published")
    assert await _product_status(product_id) == ProductStatus.PUBLISHED
    served = await _download(path)
    assert (served.status_code, served.content) == (200, PDF)
    assert (await _order_link(order_public_id)).is_available is True
    assert await scanning.scan_product_file(file_id) is ScanOutcome.SKIPPED  # a decided file is never re-scanned
    assert await _audit_entries() == []


async def test_eicar_is_quarantined_audited_reported_and_never_served(
    clamd: Clamd, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "clamav_url", clamd.url)
    token, product_id = await _draft_product()
    file_id = await _upload(token, product_id, "eicar.txt", EICAR)
    served_key = (await _file(file_id)).storage_key
    order_public_id, path = await _bought(product_id)

    assert await scanning.scan_product_file(file_id) is ScanOutcome.INFECTED

    item = await _file(file_id)
    assert (item.scan_status, item.scan_signature) == (ScanStatus.INFECTED, REPORTED_SIGNATURE)
    # Quarantined: the bytes left the served key for a private quarantine key.
    assert item.storage_key.startswith(f"quarantine/{(await _creator_id(product_id))}/{product_id}/")
    with pytest.raises(ObjectMissing):
        await get_storage().size(served_key)
    assert b"".join([chunk async for chunk in get_storage().read(item.storage_key)]) == EICAR
    # Audited once, by the platform.
    [entry] = await _audit_entries()
    assert (entry.action, entry.actor_role, entry.actor_user_id, entry.target_type, entry.target_id) == (
        "product_file.quarantined",
        "system",
        None,
        "product_file",
        str(file_id),
    )
    assert entry.creator_id == await _creator_id(product_id)
    assert json.loads(entry.after) == {
        "signature": REPORTED_SIGNATURE,
        "file_name": "eicar.txt",
        "product_id": product_id,
    }
    # The creator is told, by email and in the editor.
    [mail] = [m for m in await outbox_for(CREATOR_EMAIL) if "virus" in m.subject]
    assert mail.subject == "eicar.txt was removed: a virus was found"
    assert REPORTED_SIGNATURE in mail.text_body
    label = (await manage.get_my_product(session_token=token, product_id=product_id)).files[0].scan_label
    assert label == f"Infected: {REPORTED_SIGNATURE} — removed"
    # Never published, never downloaded.
    assert await _refused_publish(token, product_id) == (
        f"eicar.txt was found infected ({REPORTED_SIGNATURE}) and removed. Remove it from the product to publish."
    )
    refused = await _download(path)
    assert (refused.status_code, refused.text) == (410, NOT_AVAILABLE)
    assert (await _order_link(order_public_id)).expires_label == NOT_AVAILABLE
    # Idempotent: another run changes nothing and audits nothing more.
    assert await scanning.scan_product_file(file_id) is ScanOutcome.SKIPPED
    assert len(await _audit_entries()) == 1
    assert (await _file(file_id)).storage_key == item.storage_key


async def _creator_id(product_id: int) -> int:
    async with db.transaction() as session:
        product = await session.get(Product, product_id)
        assert product is not None
        return product.creator_id


async def test_while_clamd_is_down_the_file_waits_and_a_retry_finds_it_clean(
    clamd: Clamd, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "clamav_url", clamd.url)
    token, product_id = await _draft_product()
    file_id = await _upload(token, product_id, "guide.pdf", PDF)
    _order_public_id, path = await _bought(product_id)
    clamd.stop()

    assert await scanning.scan_product_file(file_id) is ScanOutcome.RETRY_LATER

    item = await _file(file_id)
    assert (item.scan_status, item.scanned_at) == (ScanStatus.SCANNING, None)
    assert item.scan_started_at is not None
    assert (await manage.get_my_product(session_token=token, product_id=product_id)).files[0].scan_label == "Scanning…"
    await _refused_publish(token, product_id)
    waiting = await _download(path)
    assert (waiting.status_code, waiting.text) == (409, BEING_CHECKED)

    clamd.start()
    assert await scanning.scan_product_file(file_id) is ScanOutcome.CLEAN
    assert (await _file(file_id)).scan_status == ScanStatus.CLEAN
    served = await _download(path)
    assert (served.status_code, served.content) == (200, PDF)


async def test_a_file_clamd_cannot_take_is_an_error_never_clean(
    small_stream_clamd: Clamd, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "clamav_url", small_stream_clamd.url)
    token, product_id = await _draft_product()
    big = PDF + b"y" * (3 * 1024 * 1024)
    file_id = await _upload(token, product_id, "big.pdf", big)
    _order_public_id, path = await _bought(product_id)

    assert await scanning.scan_product_file(file_id) is ScanOutcome.FAILED

    item = await _file(file_id)
    assert item.scan_status == ScanStatus.ERROR
    assert "size limit exceeded" in item.scan_signature
    label = (await manage.get_my_product(session_token=token, product_id=product_id)).files[0].scan_label
    assert label == "Couldn't be checked — remove it and upload it again"
    await _refused_publish(token, product_id)
    assert (await _download(path)).status_code == 410


async def test_the_sweep_finds_scans_whose_job_was_lost(clamd: Clamd, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "clamav_url", clamd.url)
    token, product_id = await _draft_product()
    file_id = await _upload(token, product_id, "guide.pdf", PDF)  # its job is intercepted: as good as lost
    assert await scanning.find_files_to_scan() == []  # not overdue yet

    async with db.transaction() as session:
        item = await session.get(ProductFile, file_id)
        assert item is not None
        item.created_at = utc_now() - scanning.STUCK_AFTER - timedelta(seconds=1)

    assert await scanning.find_files_to_scan() == [file_id]
    assert await scanning.scan_product_file(file_id) is ScanOutcome.CLEAN
    assert await scanning.find_files_to_scan() == []


async def test_an_infected_file_left_at_its_served_key_is_moved_to_quarantine_by_the_sweep(
    clamd: Clamd, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an infected file whose move to quarantine did not happen (the storage was down at the time)
    monkeypatch.setattr(settings, "clamav_url", clamd.url)
    token, product_id = await _draft_product()
    file_id = await _upload(token, product_id, "eicar.txt", EICAR)
    served_key = (await _file(file_id)).storage_key
    async with db.transaction() as session:
        item = await session.get(ProductFile, file_id)
        assert item is not None
        item.scan_status, item.scan_signature = ScanStatus.INFECTED, REPORTED_SIGNATURE

    # When the sweep runs, then it picks the file up and its job moves the bytes without scanning or auditing again
    assert await scanning.find_files_to_scan() == [file_id]
    assert await scanning.scan_product_file(file_id) is ScanOutcome.SKIPPED

    moved = await _file(file_id)
    assert moved.storage_key.startswith("quarantine/")
    with pytest.raises(ObjectMissing):
        await get_storage().size(served_key)
    assert await get_storage().size(moved.storage_key) == len(EICAR)
    assert await scanning.find_files_to_scan() == []
    assert await _audit_entries() == []


async def test_health_reports_the_scanner_without_refusing_to_serve(
    clamd: Clamd, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "clamav_url", clamd.url)
    assert (await health.check_health()).components["scanner"] == health.ComponentHealth(True, "ok")

    clamd.stop()
    report = await health.check_health()
    assert report.components["scanner"] == health.ComponentHealth(False, "ScannerUnavailable")
    assert report.components["database"].is_healthy is True
    assert "scanner" not in health.SERVING_COMPONENTS


def _status(file_id: int) -> str:
    return str(run_async(_file(file_id)).scan_status)


def test_the_worker_scans_after_upload_and_retries_until_clamd_is_back(
    clamd: Clamd, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(settings, "clamav_url", clamd.url)
    queue.huey.flush()
    clamd.stop()
    with running(worker_command(), log_path=tmp_path / "worker.log", clamav_url=clamd.url):
        token, product_id = run_async(_draft_product())
        upload = files.add_product_file(
            session_token=token, product_id=product_id, filename="guide.pdf", chunks=_chunks(PDF)
        )
        added = run_async(upload)
        # Given clamd is down, the worker's attempt leaves the file waiting as "scanning".
        wait_until(lambda: _status(added.id) == ScanStatus.SCANNING, timeout_seconds=30, what="a failed attempt")
        # When clamd is back, the job's next retry finds the file clean.
        clamd.start()
        wait_until(lambda: _status(added.id) == ScanStatus.CLEAN, timeout_seconds=40, what="the retried scan")
    assert run_async(_file(added.id)).scanned_at is not None
