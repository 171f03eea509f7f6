"""`creatorly backup` and `creatorly restore` as processes: a real sale, backed up, restored into a new empty
database and files folder (SQLite always, PostgreSQL when configured), then the same orders, ledger and bytes."""

from __future__ import annotations

import asyncio
import io
import json
import secrets
import subprocess
import sys
import tarfile
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import boto3
import httpx
import pytest
from sqlmodel import col, select

from creatorly import db
from creatorly.api.app import api
from creatorly.config import settings
from creatorly.models import Entitlement, LedgerEntry, Order
from creatorly.providers import registry
from creatorly.services.backup import repository
from creatorly.services.catalog import files
from creatorly.services.checkout import service as checkout
from creatorly.services.delivery import service as delivery
from creatorly.services.demo.gateway import TEST_CARD, sandbox_in_this_process
from creatorly.services.ledger import service as ledger
from creatorly.services.sandbox_gateway import service as gateway
from tests.factories import make_creator, new_product
from tests.integration.s3 import BUCKET
from tests.processes import process_environment

CREATORLY = str(Path(sys.executable).with_name("creatorly"))
FILE_BYTES = "Field notes — chapter one.\nÜber alles: every byte must come back.\n".encode() * 50
BUYER = "fan@example.com"


@dataclass(frozen=True)
class Sale:
    order_public_id: str
    entitlement_id: int


@dataclass(frozen=True)
class Target:
    database_url: str
    data_dir: Path


async def _paid_sale() -> Sale:
    """A creator, a product with a file, and an order paid on the sandbox gateway through its webhook."""
    made = await make_creator(products=[new_product(title="Backup Guide", price_amount=1500)])
    product = made.products[0]
    assert made.creator.id is not None and product.id is not None
    await files.add_file_as_platform(
        creator_id=made.creator.id, product_id=product.id, filename="guide.txt", data=FILE_BYTES
    )
    with sandbox_in_this_process() as sandbox:
        started = await checkout.start_checkout(
            handle=made.creator.handle, slug=product.slug, buyer_email=BUYER, checkout_key=secrets.token_hex(12)
        )
        reference = started.redirect_url.rstrip("/").rsplit("/", 1)[-1]
        await gateway.pay(reference=reference, card_number=TEST_CARD, expiry="12/34", cvc="123", name="A Fan")
        await sandbox.run_jobs()
    async with db.transaction() as session:
        order = (await session.exec(select(Order).where(col(Order.buyer_email) == BUYER))).one()
        entitlement = (await session.exec(select(Entitlement).where(col(Entitlement.order_id) == order.id))).one()
    assert entitlement.id is not None
    return Sale(order_public_id=order.public_id, entitlement_id=entitlement.id)


async def _books() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], dict[str, int]]:
    """Every order, every ledger leg and the balance of every account, as plain values."""
    async with db.transaction() as session:
        orders = [
            (order.id, order.public_id, str(order.status), order.amount, order.currency, order.buyer_email)
            for order in (await session.exec(select(Order).order_by(col(Order.id)))).all()
        ]
        entries = (await session.exec(select(LedgerEntry).order_by(col(LedgerEntry.id)))).all()
        legs = [(entry.transaction_id, entry.account, entry.amount, entry.currency, entry.memo) for entry in entries]
        balances = {
            f"{account}/{currency}": await ledger.balance(session, account, currency)
            for account, currency in sorted({(entry.account, entry.currency) for entry in entries})
        }
    return orders, legs, balances


async def _download(sale: Sale) -> bytes:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://test") as client:
        response = await client.get(delivery.download_path(sale.entitlement_id, sale.order_public_id))
    if response.status_code == 302:  # S3 storage: a short-lived signed link to the bucket
        response = await asyncio.to_thread(httpx.get, response.headers["location"])
    assert response.status_code == 200
    return response.content


def _cli(
    *arguments: str, target: Target | None = None, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    overrides = {} if target is None else {"database_url": target.database_url, "data_dir": str(target.data_dir)}
    overrides |= extra or {}
    return subprocess.run(
        [CREATORLY, *arguments], env=process_environment(**overrides), capture_output=True, text=True, check=False
    )


async def _run(
    *arguments: str, target: Target | None = None, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(lambda: _cli(*arguments, target=target, extra=extra))


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def _postgres_admin(statement: str) -> None:
    admin = _with_database(settings.resolved_database_url, "postgres").replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture
async def empty_target(tmp_path: Path) -> AsyncIterator[Target]:
    """A new empty database of this run's kind and a new empty data folder."""
    data_dir = tmp_path / "restored-data"
    if settings.is_sqlite:
        yield Target(database_url=f"sqlite:///{tmp_path / 'restored.db'}", data_dir=data_dir)
        return
    name = f"test_backup_restore_{secrets.token_hex(4)}"
    await _postgres_admin(f'CREATE DATABASE "{name}"')
    try:
        yield Target(database_url=_with_database(settings.resolved_database_url, name), data_dir=data_dir)
    finally:
        await _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _switched_to(target: Target, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process reads the restored database and files folder, as the app started on them would."""
    monkeypatch.setattr(settings, "database_url", target.database_url)
    monkeypatch.setattr(settings, "data_dir", target.data_dir)
    registry._storage.cache_clear()
    try:
        yield
    finally:
        registry._storage.cache_clear()


def _rewritten(source: Path, destination: Path, change: Callable[[str, bytes], bytes]) -> Path:
    """A copy of the archive with `change` applied to each member's bytes (a damaged or doctored archive)."""
    with tarfile.open(source) as original, tarfile.open(destination, "w") as copy:
        for info in original:
            handle = original.extractfile(info)
            assert handle is not None
            data = change(info.name, handle.read())
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))
    return destination


def _restored_parts(target: Target) -> list[str]:
    """What a restore puts in the data folder (the command itself keeps its job queue there)."""
    if not target.data_dir.exists():
        return []
    return sorted(
        path.name for path in target.data_dir.iterdir() if path.name not in {"jobs.db", "jobs.db-wal", "jobs.db-shm"}
    )


async def _target_tables(target: Target, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    if target.database_url.startswith("sqlite") and not Path(target.database_url.removeprefix("sqlite:///")).exists():
        return []
    with _switched_to(target, monkeypatch):
        await db.dispose_engine()
        async with db.transaction() as session:
            names = await repository.table_names(session)
        await db.dispose_engine()
    return names


async def test_a_backup_restored_into_an_empty_database_and_folder_has_the_same_books_and_bytes(
    tmp_path: Path, empty_target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    sale = await _paid_sale()
    books = await _books()
    assert books[0][0][2] == "paid" and books[1]  # a paid order with its ledger legs
    archive = tmp_path / "backup.tar.gz"

    made = await _run("backup", "--output", str(archive))
    await db.dispose_engine()
    restored = await _run("restore", str(archive), target=empty_target)

    assert made.returncode == 0, made.stderr
    assert restored.returncode == 0, restored.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["backup.tar.gz", "restored-data"] + (
        ["restored.db"] if settings.is_sqlite else []
    )  # no partial archive or staging folder left behind
    with tarfile.open(archive) as written:
        manifest = json.loads(written.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert manifest["database"]["kind"] == ("sqlite" if settings.is_sqlite else "postgresql")
    assert manifest["files"]["count"] == 1 and manifest["files"]["total_bytes"] == len(FILE_BYTES)
    secret_key = (settings.resolved_data_dir / ".secret_key").read_bytes()
    assert (empty_target.data_dir / ".secret_key").read_bytes() == secret_key
    with _switched_to(empty_target, monkeypatch):
        assert await _books() == books
        assert await _download(sale) == FILE_BYTES
        await db.dispose_engine()


async def test_a_restore_into_a_database_that_holds_data_is_refused_unless_forced(tmp_path: Path) -> None:
    sale = await _paid_sale()
    books = await _books()
    archive = tmp_path / "backup.tar"
    assert (await _run("backup", "-o", str(archive))).returncode == 0
    await db.dispose_engine()

    refused = await _run("restore", str(archive))

    assert refused.returncode == 1
    assert "Refusing to restore: the database holds data" in refused.stderr
    assert f"the files folder {settings.files_dir} holds" in refused.stderr
    assert await _books() == books
    await db.dispose_engine()

    forced = await _run("restore", "--force", str(archive))

    assert forced.returncode == 0, forced.stderr
    assert await _books() == books
    assert await _download(sale) == FILE_BYTES


async def test_a_tampered_file_in_the_archive_is_refused_and_nothing_is_restored(
    tmp_path: Path, empty_target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _paid_sale()
    archive = tmp_path / "backup.tar"
    assert (await _run("backup", "-o", str(archive))).returncode == 0
    tampered = _rewritten(
        archive,
        tmp_path / "tampered.tar",
        lambda name, data: data.replace(b"chapter one", b"chapter 0ne") if name.startswith("files/") else data,
    )

    restored = await _run("restore", str(tampered), target=empty_target)

    assert restored.returncode == 1
    assert "does not match its SHA-256 in the manifest" in restored.stderr
    assert _restored_parts(empty_target) == []  # no files folder, key or staging folder
    assert await _target_tables(empty_target, monkeypatch) == []


async def test_an_archive_from_a_newer_migration_is_refused(tmp_path: Path, empty_target: Target) -> None:
    archive = tmp_path / "backup.tar"
    assert (await _run("backup", "-o", str(archive))).returncode == 0

    def from_the_future(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["alembic_revision"] = "0999_from_the_future"
        return json.dumps(manifest).encode()

    restored = await _run(
        "restore", str(_rewritten(archive, tmp_path / "future.tar", from_the_future)), target=empty_target
    )

    assert restored.returncode == 1
    assert "migration '0999_from_the_future', which this version of Creatorly does not know" in restored.stderr
    assert _restored_parts(empty_target) == []


async def test_a_backup_never_overwrites_an_archive_and_a_missing_one_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "backup.tar"
    archive.write_bytes(b"an older backup")

    again = await _run("backup", "-o", str(archive))
    missing = await _run("restore", str(tmp_path / "nowhere.tar"))
    not_a_tar = await _run("restore", str(archive))

    assert again.returncode == 1 and "already exists" in again.stderr
    assert archive.read_bytes() == b"an older backup"
    assert [path.name for path in tmp_path.iterdir()] == ["backup.tar"]
    assert missing.returncode == 1 and "There is no archive at" in missing.stderr
    assert not_a_tar.returncode == 1 and "is not a readable tar archive" in not_a_tar.stderr


async def test_a_missing_pg_dump_is_a_dependency_error(tmp_path: Path) -> None:
    if settings.is_sqlite:
        pytest.skip("pg_dump is used on PostgreSQL only")
    environment = process_environment()
    environment["PATH"] = str(Path(sys.executable).parent)  # our own commands, no PostgreSQL client tools

    finished = await asyncio.to_thread(
        subprocess.run,
        [CREATORLY, "backup", "-o", str(tmp_path / "backup.tar")],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )

    assert finished.returncode == 2
    assert "pg_dump was not found on PATH" in finished.stderr
    assert list(tmp_path.iterdir()) == []


def _s3_settings(endpoint: str) -> dict[str, str]:
    return {
        "storage": "s3",
        "s3_bucket": BUCKET,
        "s3_endpoint_url": endpoint,
        "s3_access_key_id": "testing",
        "s3_secret_access_key": "testing",
    }


async def test_an_s3_backup_lists_the_bucket_and_its_restore_serves_the_same_bytes_and_names_lost_objects(
    tmp_path: Path, empty_target: Target, s3_storage: None, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a paid sale whose file is in the bucket (moto's S3 server over HTTP)
    sale = await _paid_sale()
    books = await _books()
    archive = tmp_path / "backup.tar.gz"
    s3 = _s3_settings(moto_endpoint)

    # When it is backed up and restored into an empty database, with storage still the bucket
    made = await _run("backup", "--output", str(archive), extra=s3)
    await db.dispose_engine()
    restored = await _run("restore", str(archive), target=empty_target, extra=s3)

    # Then the archive lists the bucket's object instead of holding its bytes, and the restore serves them
    assert made.returncode == 0, made.stderr
    assert restored.returncode == 0, restored.stderr
    with tarfile.open(archive) as written:
        names = written.getnames()
        manifest = json.loads(written.extractfile("manifest.json").read())  # type: ignore[union-attr]
        inventory = json.loads(written.extractfile("storage/s3-inventory.json").read())  # type: ignore[union-attr]
    assert manifest["storage"]["kind"] == "s3" and manifest["storage"]["s3_inventory"]["object_count"] == 1
    assert not [name for name in names if name.startswith("files/")]
    [listed] = inventory
    assert listed["size_bytes"] == len(FILE_BYTES)
    monkeypatch.setattr(settings, "database_url", empty_target.database_url)
    monkeypatch.setattr(settings, "data_dir", empty_target.data_dir)
    assert await _books() == books
    assert await _download(sale) == FILE_BYTES
    await db.dispose_engine()

    # And when the bucket has since lost the object, a restore says which (the books still come back)
    boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1").delete_object(
        Bucket=BUCKET, Key=listed["key"]
    )
    again = await _run("restore", "--force", str(archive), target=empty_target, extra=s3)
    assert again.returncode == 0, again.stderr
    assert f"Missing from the bucket (or changed): {listed['key']}" in again.stderr
