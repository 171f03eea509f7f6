"""The FileScanner interface: stream a file's bytes to a virus scanner and hear its verdict."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from creatorly.errors import ProviderError


@dataclass(frozen=True, slots=True)
class ScanVerdict:
    """What the scanner found: nothing (`is_infected` False), or the signature it matched."""

    is_infected: bool
    signature: str = ""


class FileScanner(Protocol):
    name: str

    async def scan(self, chunks: AsyncIterator[bytes]) -> ScanVerdict:
        """Stream the file's bytes to the scanner; raise ScannerUnavailable or ScanFailed when there is no verdict."""
        ...

    async def ping(self) -> None:
        """Raise ScannerUnavailable unless the scanner answers right now."""
        ...


class ScannerUnavailable(ProviderError):
    """The scanner could not be reached, or stopped answering: scan again later."""

    code = "scanner_unavailable"
    status = 503
    default_message = "The virus scanner is not answering right now. The file will be checked when it is back."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, is_retryable=True)


class ScanFailed(ProviderError):
    """The scanner answered but gave no verdict on this file (too large for it, unreadable): scanning it again
    the same way would fail the same way, so the file is never treated as clean."""

    code = "scan_failed"
    status = 502
    default_message = "The virus scanner could not check this file."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, is_retryable=False)
