"""Private files in a local folder (never the public upload mount), written atomically."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from creatorly.providers.storage.base import ObjectMissing, ObjectTooLarge, StorageUnavailable, StoredObject

_SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-/.]{0,199}$")
_READ_CHUNK = 1024 * 1024
_WRITE_BUFFER = 4 * 1024 * 1024


def _hash_and_write(handle: BinaryIO, digest: Any, data: bytearray) -> None:
    digest.update(data)
    handle.write(data)


@contextmanager
def _unavailable_on_os_error() -> Iterator[None]:
    """The folder is missing, not a folder, read-only or full: the storage is unavailable, not a bug."""
    try:
        yield
    except OSError as error:
        raise StorageUnavailable(f"local storage: {type(error).__name__}: {error.strerror or error}") from error


_CHECKED_PATHS_KEPT = 4096


class LocalFileStorage:
    name = "local"

    def __init__(self, root: Path) -> None:
        self._root = root.resolve()
        self._checked: dict[str, Path] = {}  # key → its checked path: resolving costs a system call per part

    def _path(self, key: str) -> Path:
        known = self._checked.get(key)
        if known is not None:
            return known
        if not _SAFE_KEY.match(key) or ".." in key.split("/"):
            raise ValueError(f"unsafe storage key: {key!r}")
        path = (self._root / key).resolve()
        if not path.is_relative_to(self._root):
            raise ValueError(f"unsafe storage key: {key!r}")
        if len(self._checked) >= _CHECKED_PATHS_KEPT:
            self._checked.clear()
        self._checked[key] = path
        return path

    async def save(self, key: str, chunks: AsyncIterator[bytes], *, max_bytes: int) -> StoredObject:
        with _unavailable_on_os_error():
            path = self._path(key)
            await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
            partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
            digest = hashlib.sha256()
            size = 0
            handle = await asyncio.to_thread(open, partial, "wb")
            # Chunks are gathered into big buffers, each hashed and written in a thread (both release the GIL)
            # while the event loop gathers the next one: one thread hop per buffer, not per chunk.
            pending: asyncio.Future[None] | None = None
            buffer = bytearray()
            try:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise ObjectTooLarge(f"larger than {max_bytes} bytes")
                    buffer += chunk
                    if len(buffer) >= _WRITE_BUFFER:
                        if pending is not None:
                            await pending
                        full, buffer = buffer, bytearray()
                        pending = asyncio.ensure_future(asyncio.to_thread(_hash_and_write, handle, digest, full))
                if pending is not None:
                    await pending
                await asyncio.to_thread(_hash_and_write, handle, digest, buffer)
                await asyncio.to_thread(handle.flush)
                await asyncio.to_thread(os.fsync, handle.fileno())
            except BaseException:
                if pending is not None:
                    await asyncio.wait({pending})  # the thread may still be writing: let it finish before closing
                handle.close()
                partial.unlink(missing_ok=True)
                raise
            handle.close()
            await asyncio.to_thread(os.replace, partial, path)
            return StoredObject(key=key, size_bytes=size, sha256=digest.hexdigest())

    async def read(self, key: str, *, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        with _unavailable_on_os_error():
            path = self._path(key)
            if not path.is_file():
                raise ObjectMissing(key)
            remaining = None if end is None else end - start + 1
            with path.open("rb") as handle:
                handle.seek(start)
                while remaining is None or remaining > 0:
                    wanted = _READ_CHUNK if remaining is None else min(_READ_CHUNK, remaining)
                    chunk = await asyncio.to_thread(handle.read, wanted)
                    if not chunk:
                        return
                    if remaining is not None:
                        remaining -= len(chunk)
                    yield chunk

    def local_path(self, key: str) -> str:
        """The file of `key` on this host's disk, for a server to send itself (ASGI pathsend)."""
        return str(self._path(key))

    async def size(self, key: str) -> int:
        with _unavailable_on_os_error():
            path = self._path(key)
            if not path.is_file():
                raise ObjectMissing(key)
            return path.stat().st_size

    async def delete(self, key: str) -> None:
        with _unavailable_on_os_error():
            self._path(key).unlink(missing_ok=True)

    async def check(self) -> None:
        with _unavailable_on_os_error():
            self._root.mkdir(parents=True, exist_ok=True)
            probe = self._root / f".health-{secrets.token_hex(4)}"
            probe.write_bytes(b"ok")
            try:
                if probe.read_bytes() != b"ok":
                    raise OSError("storage read back different bytes")
            finally:
                probe.unlink(missing_ok=True)
