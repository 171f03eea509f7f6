"""The archive on disk: a tar written under a temporary name and renamed when complete; read back and verified."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import secrets
import tarfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from creatorly.services.backup.errors import ArchiveInvalid, BackupRefused
from creatorly.services.backup.manifest import MANIFEST_MEMBER, Manifest, Member, parse_manifest

_CHUNK = 1024 * 1024
SUFFIXES = (".tar", ".tar.gz", ".tgz")


@dataclass(frozen=True, slots=True)
class Source:
    """A file to put into the archive under `name`; `is_optional` ones that vanish meanwhile are left out."""

    name: str
    path: Path
    is_optional: bool = False


class _HashingReader:
    """Hands tarfile the bytes of a file while counting and hashing them, so each file is read once."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._handle.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk


def _write_mode(path: Path) -> str:
    return "w:gz" if path.name.endswith((".tar.gz", ".tgz")) else "w"


def check_output_path(path: Path) -> None:
    if not path.name.endswith(SUFFIXES):
        raise BackupRefused(f"The archive name must end with .tar or .tar.gz: {path}")
    if path.exists():
        raise BackupRefused(f"{path} already exists; choose another name (a backup is never overwritten).")
    if not path.parent.is_dir():
        raise BackupRefused(f"The folder {path.parent} does not exist.")


def write_archive(path: Path, sources: Iterable[Source], manifest_of: Callable[[list[Member]], Manifest]) -> Manifest:
    """Write every source, then the manifest built from what was written, under a temporary name in the same
    folder; fsync and rename it to `path` only once complete, so `path` is a whole archive or absent."""
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    try:
        with partial.open("xb") as handle:
            os.chmod(partial, 0o600)  # it holds the whole database: readable by its owner only
            with tarfile.open(fileobj=handle, mode=_write_mode(path)) as tar:  # type: ignore[call-overload]
                members = [member for source in sources if (member := _add(tar, source)) is not None]
                manifest = manifest_of(members)
                _add_bytes(tar, MANIFEST_MEMBER, manifest.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)
    return manifest


def _add(tar: tarfile.TarFile, source: Source) -> Member | None:
    try:
        handle = source.path.open("rb")
    except FileNotFoundError:
        if source.is_optional:
            return None  # deleted since it was listed (a replaced cover, a removed file): nothing refers to it now
        raise
    with handle:
        info = tar.gettarinfo(fileobj=handle, arcname=source.name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mode = 0o600
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return Member(name=source.name, size_bytes=reader.size, sha256=reader.digest.hexdigest())


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem lets a folder be opened for fsync
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _open(path: Path) -> tarfile.TarFile:
    if not path.is_file():
        raise ArchiveInvalid(f"There is no archive at {path}.")
    try:
        return tarfile.open(path, mode="r:*")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise ArchiveInvalid(f"{path} is not a readable tar archive ({error}).") from None


def read_manifest(path: Path) -> Manifest:
    """The manifest of the archive at `path`; ArchiveInvalid if there is none or it is damaged."""
    with _open(path) as tar:
        try:
            handle = tar.extractfile(MANIFEST_MEMBER)
            raw = handle.read() if handle is not None else None
        except KeyError:
            raw = None
        except (tarfile.TarError, OSError, EOFError) as error:
            raise ArchiveInvalid(f"{path} is damaged ({error}).") from None
    if raw is None:
        raise ArchiveInvalid(f"{path} has no {MANIFEST_MEMBER}: it is not a Creatorly backup (or was cut short).")
    return parse_manifest(raw)


def extract_verified(path: Path, manifest: Manifest, staging: Path) -> None:
    """Copy every member the manifest lists into `staging` (same relative names), checking each one's size and
    SHA-256 on the way; ArchiveInvalid on any difference, an unlisted member or a missing one."""
    expected = {member.name: member for member in manifest.members}
    seen: set[str] = set()
    with _open(path) as tar:
        try:
            for info in tar:
                if info.name == MANIFEST_MEMBER:
                    continue
                member = expected.get(info.name)
                if member is None or not info.isfile() or info.name in seen:
                    raise ArchiveInvalid(f"The archive holds {info.name!r}, which its manifest does not list.")
                _extract_one(tar, info, member, staging)
                seen.add(info.name)
        except (tarfile.TarError, OSError, EOFError) as error:
            raise ArchiveInvalid(f"{path} is damaged ({error}).") from None
    missing = sorted(set(expected) - seen)
    if missing:
        raise ArchiveInvalid(f"The archive lacks {len(missing)} member(s) its manifest lists, e.g. {missing[0]!r}.")


def _extract_one(tar: tarfile.TarFile, info: tarfile.TarInfo, member: Member, staging: Path) -> None:
    source = tar.extractfile(info)
    assert source is not None  # a regular file always has a body
    target = staging / member.name
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with target.open("xb") as handle:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())
    if size != member.size_bytes or digest.hexdigest() != member.sha256:
        raise ArchiveInvalid(
            f"{member.name} in the archive does not match its SHA-256 in the manifest: the archive is damaged or "
            "was changed. Nothing was restored."
        )
