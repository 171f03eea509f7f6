"""The FileStorage interface: private objects under generated keys, streamed in and out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from creatorly.errors import ProviderError


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    size_bytes: int
    sha256: str


@dataclass(frozen=True, slots=True)
class InventoryItem:
    """One object of a bucket as its listing shows it (a backup's record of what S3 held)."""

    key: str
    size_bytes: int
    etag: str


class FileStorage(Protocol):
    name: str

    async def save(self, key: str, chunks: AsyncIterator[bytes], *, max_bytes: int) -> StoredObject:
        """Stream chunks into `key`; refuse (and leave nothing behind) past `max_bytes`."""
        ...

    def read(self, key: str, *, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """Stream the bytes of `key` from `start` up to and including `end`."""
        ...

    async def size(self, key: str) -> int: ...

    async def delete(self, key: str) -> None: ...

    async def check(self) -> None:
        """Raise if the storage cannot be written and read right now."""
        ...


class ObjectTooLarge(ValueError):
    """The stream went past the allowed size; nothing was kept."""


class ObjectMissing(KeyError):
    """No object is stored under that key."""


class StorageUnavailable(ProviderError):
    """The storage could not be reached or written (folder unwritable, S3 endpoint down): try again later."""

    code = "storage_unavailable"
    status = 503
    default_message = "File storage is not answering right now. Please try again in a moment."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, is_retryable=True)
