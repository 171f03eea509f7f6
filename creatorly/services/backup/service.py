"""Backup and restore use cases: one archive of the database, the private files (or an S3 inventory) and the
file-kept secret key; restored only into an empty database and files folder unless forced, after full checks."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Collection, Iterator
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from creatorly import db
from creatorly.config import settings
from creatorly.kit.clock import utc_now
from creatorly.providers.registry import get_storage
from creatorly.providers.storage.base import InventoryItem
from creatorly.providers.storage.s3 import S3FileStorage
from creatorly.services.backup import archive, databases, repository
from creatorly.services.backup.errors import BackupDependencyError, BackupRefused
from creatorly.services.backup.manifest import (
    DATABASE_MEMBERS,
    FILES_PREFIX,
    S3_INVENTORY_MEMBER,
    SECRET_KEY_MEMBER,
    Manifest,
    Member,
)

SECRET_KEY_FILE = ".secret_key"  # noqa: S105 — where settings keep a generated secret key when none is configured


@dataclass(frozen=True, slots=True)
class BackupMade:
    path: Path
    manifest: Manifest


@dataclass(frozen=True, slots=True)
class RestoreDone:
    manifest: Manifest
    is_behind_code: bool  # the archive's migration is older than the code's: `creatorly migrate` brings it up
    missing_objects: list[str] = field(default_factory=list)  # S3: inventory keys the bucket no longer has
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Target:
    has_tables: bool
    filled_tables: list[str]
    file_count: int


def database_kind() -> str:
    return "sqlite" if settings.is_sqlite else "postgresql"


def default_archive_path() -> Path:
    return Path.cwd() / f"creatorly-backup-{utc_now():%Y%m%dT%H%M%SZ}.tar"


def _app_version() -> str:
    try:
        return metadata.version("creatorly")
    except metadata.PackageNotFoundError:
        return "unknown"


async def create_backup(*, output: Path | None = None) -> BackupMade:
    """Write one consistent archive of the database and the private files (or, on S3, the bucket's inventory)."""
    path = (output or default_archive_path()).expanduser().absolute()
    archive.check_output_path(path)
    revision = await _current_revision()
    inventory = await _s3_inventory() if settings.storage == "s3" else None
    manifest = await asyncio.to_thread(_write_backup, path, revision, inventory)
    return BackupMade(path=path, manifest=manifest)


async def _current_revision() -> str:
    if settings.is_sqlite and not databases.sqlite_path(settings.resolved_database_url).is_file():
        raise BackupRefused(f"There is no database at {databases.sqlite_path(settings.resolved_database_url)}.")
    try:
        async with db.transaction() as session:
            revision = await repository.alembic_revision(session)
    except (DBAPIError, OSError) as error:
        raise BackupDependencyError(f"The database did not answer: {error}") from None
    if revision is None:
        raise BackupRefused("The database was never migrated (no alembic_version): there is nothing to back up.")
    return revision


async def _s3_inventory() -> list[InventoryItem]:
    storage = get_storage()
    assert isinstance(storage, S3FileStorage)
    try:
        return await storage.inventory()
    except Exception as error:
        raise BackupDependencyError(f"Could not list the S3 bucket {settings.s3_bucket!r}: {error}") from None


def _write_backup(path: Path, revision: str, inventory: list[InventoryItem] | None) -> Manifest:
    kind = database_kind()
    with tempfile.TemporaryDirectory(prefix=".creatorly-backup-", dir=path.parent) as folder:
        dump = Path(folder) / "database"
        if kind == "sqlite":
            databases.backup_sqlite(databases.sqlite_path(settings.resolved_database_url), dump)
        else:
            databases.dump_postgresql(settings.resolved_database_url, dump)
        sources = [archive.Source(DATABASE_MEMBERS[kind], dump)]
        if inventory is not None:
            listing = Path(folder) / "inventory.json"
            listing.write_text(json.dumps([asdict(item) for item in inventory], indent=1))
            sources.append(archive.Source(S3_INVENTORY_MEMBER, listing))
        secret_key = settings.resolved_data_dir / SECRET_KEY_FILE
        if not settings.secret_key.get_secret_value() and secret_key.is_file():
            sources.append(archive.Source(SECRET_KEY_MEMBER, secret_key))
        files = _local_files(settings.files_dir) if inventory is None else iter(())

        def manifest_of(members: list[Member]) -> Manifest:
            named = {member.name: member for member in members}
            return Manifest(
                created_at=utc_now().isoformat(),
                app_version=_app_version(),
                alembic_revision=revision,
                database_kind=kind,
                database=named[DATABASE_MEMBERS[kind]],
                storage_kind=settings.storage,
                files=tuple(member for member in members if member.name.startswith(FILES_PREFIX)),
                s3_inventory=named.get(S3_INVENTORY_MEMBER),
                s3_object_count=len(inventory or []),
                secret_key=named.get(SECRET_KEY_MEMBER),
            )

        # The database first, then the files: files are written before the rows that name them, so every file
        # the snapshot refers to is already there (one written later is an unreferenced extra).
        return archive.write_archive(path, [*sources, *files], manifest_of)


def _local_files(root: Path) -> Iterator[archive.Source]:
    """Every stored file under the files folder, in a stable order; dot-files (uploads still being written,
    health probes) are not stored objects."""
    if not root.is_dir():
        return
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(names):
            path = Path(folder) / name
            if name.startswith(".") or path.is_symlink() or not path.is_file():
                continue
            yield archive.Source(FILES_PREFIX + path.relative_to(root).as_posix(), path, is_optional=True)


def _stored_file_count(root: Path) -> int:
    return sum(1 for _ in _local_files(root))


async def restore_backup(
    *, archive_path: Path, is_forced: bool, known_revisions: Collection[str], head_revision: str
) -> RestoreDone:
    """Bring an archive back into this installation's database and files folder.

    Refused (and nothing written) when the archive is of another database or storage kind, from a newer
    migration than this code knows, or when the target holds data and `is_forced` is off. Every member is
    checked against the manifest's SHA-256 before the database or the files folder is touched."""
    path = archive_path.expanduser().absolute()
    manifest = await asyncio.to_thread(archive.read_manifest, path)
    _check_archive_fits(manifest, known_revisions)
    if manifest.database_kind == "postgresql":
        databases.require_tool("pg_restore")
    target = await _describe_target()
    if not is_forced:
        _refuse_unless_empty(target)
    await db.dispose_engine()  # no pooled connection of ours may hold the database while it is replaced
    inventory = await asyncio.to_thread(_restore, path, manifest, is_forced=is_forced, has_tables=target.has_tables)
    missing = await _missing_objects(inventory) if inventory is not None else []
    return RestoreDone(
        manifest=manifest,
        is_behind_code=manifest.alembic_revision != head_revision,
        missing_objects=missing,
        notes=_secret_key_notes(manifest),
    )


def _check_archive_fits(manifest: Manifest, known_revisions: Collection[str]) -> None:
    kind = database_kind()
    if manifest.database_kind != kind:
        raise BackupRefused(
            f"The archive holds a {manifest.database_kind} database, but CREATORLY_DATABASE_URL points at {kind}."
        )
    if manifest.storage_kind != settings.storage:
        raise BackupRefused(
            f"The archive was made with {manifest.storage_kind} storage, but CREATORLY_STORAGE is {settings.storage}."
        )
    if manifest.alembic_revision not in known_revisions:
        raise BackupRefused(
            f"The archive's database is at migration {manifest.alembic_revision!r}, which this version of Creatorly "
            f"does not know: restore it with Creatorly {manifest.app_version} or newer."
        )


async def _describe_target() -> _Target:
    file_count = await asyncio.to_thread(_stored_file_count, settings.files_dir) if settings.storage == "local" else 0
    if settings.is_sqlite and not databases.sqlite_path(settings.resolved_database_url).exists():
        return _Target(has_tables=False, filled_tables=[], file_count=file_count)
    try:
        async with db.transaction() as session:
            names = await repository.table_names(session)
            filled = await repository.tables_with_rows(session)
    except (DBAPIError, OSError) as error:
        raise BackupDependencyError(f"The database did not answer: {error}") from None
    return _Target(has_tables=bool(names), filled_tables=filled, file_count=file_count)


def _refuse_unless_empty(target: _Target) -> None:
    problems = []
    if target.filled_tables:
        shown = ", ".join(target.filled_tables[:5]) + ("…" if len(target.filled_tables) > 5 else "")
        problems.append(f"the database holds data (in {shown})")
    if target.file_count:
        problems.append(f"the files folder {settings.files_dir} holds {target.file_count} file(s)")
    if problems:
        raise BackupRefused(
            f"Refusing to restore: {' and '.join(problems)}. Restore into an empty database and files folder, or "
            "add --force to replace them (what they hold now is lost)."
        )


def _restore(path: Path, manifest: Manifest, *, is_forced: bool, has_tables: bool) -> list[InventoryItem] | None:
    data_dir = settings.resolved_data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=data_dir))  # beside the files folder: renames are atomic
    try:
        archive.extract_verified(path, manifest, staging)
        secret_key = staging / SECRET_KEY_MEMBER if manifest.secret_key is not None else None
        if secret_key is not None and not is_forced:
            _refuse_a_different_secret_key(secret_key, data_dir / SECRET_KEY_FILE)
        dump = staging / manifest.database.name
        if manifest.database_kind == "sqlite":
            databases.restore_sqlite(dump, databases.sqlite_path(settings.resolved_database_url))
        else:
            databases.restore_postgresql(settings.resolved_database_url, dump, is_replacing=has_tables)
        if manifest.storage_kind == "local":
            _swap_in_files(staging / FILES_PREFIX.rstrip("/"), settings.files_dir)
        if secret_key is not None:
            os.chmod(secret_key, 0o600)
            os.replace(secret_key, data_dir / SECRET_KEY_FILE)
        if manifest.s3_inventory is None:
            return None
        listed = json.loads((staging / S3_INVENTORY_MEMBER).read_text())
        return [InventoryItem(**item) for item in listed]
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _refuse_a_different_secret_key(archived: Path, current: Path) -> None:
    if current.is_file() and current.read_bytes().strip() != archived.read_bytes().strip():
        raise BackupRefused(
            f"{current} holds a different secret key than the archive's; the restored download links, sessions and "
            "encrypted bank details need the archive's. Add --force to replace it."
        )


def _swap_in_files(staged: Path, files_dir: Path) -> None:
    """The verified files become the files folder in one rename; what was there (forced) is removed after."""
    staged.mkdir(parents=True, exist_ok=True)
    if not files_dir.exists():
        files_dir.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, files_dir)
        return
    replaced = files_dir.with_name(f".{files_dir.name}-replaced-{secrets.token_hex(4)}")
    os.replace(files_dir, replaced)
    os.replace(staged, files_dir)
    shutil.rmtree(replaced, ignore_errors=True)


async def _missing_objects(inventory: list[InventoryItem]) -> list[str]:
    storage = get_storage()
    assert isinstance(storage, S3FileStorage)
    try:
        present = {item.key: item.etag for item in await storage.inventory()}
    except Exception as error:
        raise BackupDependencyError(f"Could not list the S3 bucket {settings.s3_bucket!r}: {error}") from None
    return [item.key for item in inventory if present.get(item.key) != item.etag]


def _secret_key_notes(manifest: Manifest) -> list[str]:
    if manifest.secret_key is None:
        return [
            "The archive holds no secret key file: the source had CREATORLY_SECRET_KEY set (or had not made a key "
            "yet). Set the same CREATORLY_SECRET_KEY (and CREATORLY_PAYOUT_ENCRYPTION_KEY, if it had one) here."
        ]
    if settings.secret_key.get_secret_value():
        return [
            "CREATORLY_SECRET_KEY is set here, so the restored key file is not used: unset it, or make sure it is "
            "the source's key, or download links and encrypted bank details will not work."
        ]
    return []
