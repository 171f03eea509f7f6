"""Product files: streamed straight into private storage, typed by magic bytes, never whole in memory."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import suppress

from creatorly import db
from creatorly.config import settings
from creatorly.errors import InvalidInput, NotFound
from creatorly.kit.filetypes import FileKind, detect_file_kind, safe_original_name
from creatorly.kit.streams import single_chunk
from creatorly.models import ProductFile
from creatorly.providers.registry import get_storage
from creatorly.providers.storage.base import ObjectTooLarge, StorageUnavailable
from creatorly.services.accounts import authorization
from creatorly.services.catalog import repository, scanning
from creatorly.services.catalog.schemas import FileView
from creatorly.services.catalog.service import ProductNotFound
from creatorly.services.creators import service as creators

SNIFF_BYTES = 8192
ALLOWED_KINDS_LABEL = "PDF, ZIP, EPUB, MP3, WAV, MP4, PNG, JPEG or plain text"


class FileTypeRefused(InvalidInput):
    code = "file_type_refused"
    default_message = f"That file type isn't allowed. Upload a {ALLOWED_KINDS_LABEL} file."


class FileTooLarge(InvalidInput):
    code = "file_too_large"


class FileAlreadyAttached(InvalidInput):
    """The product already has this file: the same bytes, or a file of the same name.

    Same contents (SHA-256 and size, whatever the name) would sell the buyer one file twice. Same name with
    different contents is refused too: buyers would see two entries they cannot tell apart and their downloads
    would overwrite each other, and a creator replacing a file should see the old one go, so they remove it first
    (or rename the new one). Names compare case-insensitively, as the buyers' file systems mostly do.
    """

    code = "file_already_attached"


def size_label(size: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"


def file_view(item: ProductFile) -> FileView:
    return FileView(
        id=item.id or 0,
        name=item.original_name,
        kind=item.content_type,
        size_label=size_label(item.size_bytes),
        sha256=item.sha256,
        scan_status=str(item.scan_status),
        scan_label=scanning.status_label(item),
    )


def _refuse_duplicate(existing: Sequence[ProductFile], name: str, *, size: int = -1, sha256: str = "") -> None:
    """Refuse `name` (and, once stored, its size and hash) if the product already has that file."""
    for item in existing:
        if sha256 and item.sha256 == sha256 and item.size_bytes == size:
            also = "" if item.original_name == name else f" ({name} has the same contents)"
            raise FileAlreadyAttached(f"{item.original_name} is already attached to this product{also}.", field="file")
    for item in existing:
        if item.original_name.casefold() == name.casefold():
            raise FileAlreadyAttached(
                f"{item.original_name} is already attached to this product. "
                "Remove it first to upload a new version, or rename the new file.",
                field="file",
            )


async def _sniffed(chunks: AsyncIterator[bytes]) -> tuple[FileKind, AsyncIterator[bytes]]:
    """Read just enough to know the type (refusing before anything is stored), then replay the stream."""
    head = bytearray()
    async for chunk in chunks:
        head.extend(chunk)
        if len(head) >= SNIFF_BYTES:
            break
    kind = detect_file_kind(bytes(head[:SNIFF_BYTES]))
    if kind is None:
        raise FileTypeRefused()

    async def replay() -> AsyncIterator[bytes]:
        yield bytes(head)
        async for rest in chunks:
            yield rest

    return kind, replay()


async def add_product_file(
    *, session_token: str, product_id: int, filename: str, chunks: AsyncIterator[bytes]
) -> FileView:
    """Stream an upload into storage under a generated key; the original name is kept only for downloads.

    A file the product already has is refused (see `FileAlreadyAttached`): a clashing name before any byte is
    stored, the same contents once the stream's hash is known, and then the stored bytes are deleted again.
    """
    user = await authorization.require_user(session_token)
    name = safe_original_name(filename)
    async with db.transaction() as session:
        creator = await creators.creator_of(session, user.id)
        assert creator.id is not None
        if await repository.get_product_of_creator(session, creator.id, product_id) is None:
            raise ProductNotFound()
        _refuse_duplicate(await repository.list_files(session, product_id), name)
    kind, stream = await _sniffed(chunks)
    key = f"files/{creator.id}/{product_id}/{secrets.token_urlsafe(24)}"
    try:
        stored = await get_storage().save(key, stream, max_bytes=settings.max_upload_bytes)
    except ObjectTooLarge:
        raise FileTooLarge(f"Files can be at most {size_label(settings.max_upload_bytes)}.") from None
    return await _record(session_token, product_id, key, kind, name, stored.size_bytes, stored.sha256)


async def _record(
    session_token: str, product_id: int, key: str, kind: FileKind, name: str, size: int, sha256: str
) -> FileView:
    try:
        user = await authorization.require_user(session_token)
        async with db.transaction() as session:
            creator = await creators.creator_of(session, user.id)
            assert creator.id is not None
            if await repository.get_product_of_creator(session, creator.id, product_id) is None:
                raise ProductNotFound()
            # Holding the product's row, two uploads of one file at once cannot both pass the check.
            await repository.hold_product(session, product_id)
            existing = await repository.list_files(session, product_id)
            _refuse_duplicate(existing, name, size=size, sha256=sha256)
            position = len(existing)
            item = ProductFile(
                product_id=product_id,
                storage_key=key,
                original_name=name,
                content_type=kind.mime_type,
                size_bytes=size,
                sha256=sha256,
                position=position,
                scan_status=scanning.status_for_new_file(),
            )
            await repository.add(session, item)
            scanning.queue_scan_after_commit(session, item)
            return file_view(item)
    except BaseException:
        # The product vanished, already has this file, or the row could not be written (database down): keep no
        # orphan bytes. If the
        # storage is down too, the original error is the one to report; the orphan holds no row.
        with suppress(StorageUnavailable):
            await get_storage().delete(key)
        raise


async def list_my_files(*, session_token: str, product_id: int) -> list[FileView]:
    """The files of one of the signed-in creator's products, with their scan status (the editor polls this)."""
    user = await authorization.require_user(session_token)
    async with db.transaction() as session:
        creator = await creators.creator_of(session, user.id)
        assert creator.id is not None
        if await repository.get_product_of_creator(session, creator.id, product_id) is None:
            raise ProductNotFound()
        return [file_view(item) for item in await repository.list_files(session, product_id)]


async def delete_product_file(*, session_token: str, file_id: int) -> None:
    user = await authorization.require_user(session_token)
    async with db.transaction() as session:
        creator = await creators.creator_of(session, user.id)
        assert creator.id is not None
        item = await repository.get_file_of_creator(session, creator.id, file_id)
        if item is None:
            raise NotFound("We couldn't find that file.")
        key = item.storage_key
        await repository.delete(session, item)
    await get_storage().delete(key)


async def add_file_as_platform(*, creator_id: int, product_id: int, filename: str, data: bytes) -> FileView:
    """Attach a file without a signed-in creator (demo data); the same checks as an upload apply."""
    kind = detect_file_kind(data[:SNIFF_BYTES])
    if kind is None:
        raise FileTypeRefused()
    key = f"files/{creator_id}/{product_id}/{secrets.token_urlsafe(24)}"
    stored = await get_storage().save(key, single_chunk(data), max_bytes=settings.max_upload_bytes)
    async with db.transaction() as session:
        position = len(await repository.list_files(session, product_id))
        item = ProductFile(
            product_id=product_id,
            storage_key=key,
            original_name=safe_original_name(filename),
            content_type=kind.mime_type,
            size_bytes=stored.size_bytes,
            sha256=stored.sha256,
            position=position,
            scan_status=scanning.status_for_new_file(),
        )
        await repository.add(session, item)
        scanning.queue_scan_after_commit(session, item)
        return file_view(item)
