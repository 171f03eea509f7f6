"""The archive's manifest: what it holds (every member with its size and SHA-256) and where it came from."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from creatorly.services.backup.errors import ArchiveInvalid

FORMAT = "creatorly-backup"
FORMAT_VERSION = 1
MANIFEST_MEMBER = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database/creatorly.sqlite3", "postgresql": "database/creatorly.pgdump"}
FILES_PREFIX = "files/"
SECRET_KEY_MEMBER = "secret/secret_key"  # noqa: S105 (a member name, not a secret)
S3_INVENTORY_MEMBER = "storage/s3-inventory.json"
S3_NOTE = (
    "Storage is S3: the archive lists the bucket's objects (key, size, ETag) instead of holding their bytes; "
    "keep the bucket's own versioning or replication for the files themselves."
)
LOCAL_NOTE = "Storage is the local files folder: every private file is in the archive under files/."

# The keys local storage accepts, so a member name can never reach outside the files folder.
_SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-/.]{0,199}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def is_safe_key(key: str) -> bool:
    return bool(_SAFE_KEY.match(key)) and ".." not in key.split("/") and "//" not in key


@dataclass(frozen=True, slots=True)
class Member:
    """One file in the archive: its name there, its exact size and the SHA-256 of its bytes."""

    name: str
    size_bytes: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Manifest:
    created_at: str
    app_version: str
    alembic_revision: str
    database_kind: str  # "sqlite" or "postgresql"
    database: Member
    storage_kind: str  # "local" or "s3"
    files: tuple[Member, ...] = ()
    s3_inventory: Member | None = None
    s3_object_count: int = 0
    secret_key: Member | None = None
    format_version: int = FORMAT_VERSION

    @property
    def members(self) -> tuple[Member, ...]:
        """Every member but the manifest itself, each exactly once."""
        optional = tuple(member for member in (self.s3_inventory, self.secret_key) if member is not None)
        return (self.database, *self.files, *optional)

    @property
    def total_file_bytes(self) -> int:
        return sum(member.size_bytes for member in self.files)

    def to_json(self) -> bytes:
        document = {
            "format": FORMAT,
            "format_version": self.format_version,
            "created_at": self.created_at,
            "app_version": self.app_version,
            "alembic_revision": self.alembic_revision,
            "database": {"kind": self.database_kind, **asdict(self.database)},
            "storage": {
                "kind": self.storage_kind,
                "files_included": self.storage_kind == "local",
                "note": S3_NOTE if self.storage_kind == "s3" else LOCAL_NOTE,
                "s3_inventory": None
                if self.s3_inventory is None
                else {**asdict(self.s3_inventory), "object_count": self.s3_object_count},
            },
            "files": {
                "count": len(self.files),
                "total_bytes": self.total_file_bytes,
                "items": [{"key": key_of(member), **asdict(member)} for member in self.files],
            },
            "secret_key": None if self.secret_key is None else asdict(self.secret_key),
        }
        return json.dumps(document, indent=2, sort_keys=False).encode()


def key_of(member: Member) -> str:
    """The storage key a files/ member is restored under."""
    return member.name.removeprefix(FILES_PREFIX)


def parse_manifest(raw: bytes) -> Manifest:
    """The manifest of an archive, or ArchiveInvalid naming what is wrong with it."""
    try:
        document = json.loads(raw)
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ArchiveInvalid("The archive's manifest is not a Creatorly backup manifest.")
        if document.get("format_version") != FORMAT_VERSION:
            raise ArchiveInvalid(
                f"The archive has format version {document.get('format_version')!r}; this Creatorly reads version "
                f"{FORMAT_VERSION}."
            )
        return _manifest_of(document)
    except (ValueError, KeyError, TypeError) as error:
        raise ArchiveInvalid(f"The archive's manifest is damaged ({type(error).__name__}: {error}).") from None


def _manifest_of(document: dict[str, Any]) -> Manifest:
    database = document["database"]
    kind = str(database["kind"])
    if kind not in DATABASE_MEMBERS:
        raise ArchiveInvalid(f"The archive holds an unknown kind of database: {kind!r}.")
    storage = document["storage"]
    storage_kind = str(storage["kind"])
    if storage_kind not in {"local", "s3"}:
        raise ArchiveInvalid(f"The archive names an unknown kind of storage: {storage_kind!r}.")
    files = tuple(_member(item, prefix=FILES_PREFIX) for item in document["files"]["items"])
    if len(files) != int(document["files"]["count"]) or len({member.name for member in files}) != len(files):
        raise ArchiveInvalid("The archive's manifest lists its files inconsistently.")
    inventory = storage.get("s3_inventory")
    secret_key = document.get("secret_key")
    return Manifest(
        created_at=str(document["created_at"]),
        app_version=str(document["app_version"]),
        alembic_revision=str(document["alembic_revision"]),
        database_kind=kind,
        database=_member(database, exact=DATABASE_MEMBERS[kind]),
        storage_kind=storage_kind,
        files=files,
        s3_inventory=None if inventory is None else _member(inventory, exact=S3_INVENTORY_MEMBER),
        s3_object_count=0 if inventory is None else int(inventory["object_count"]),
        secret_key=None if secret_key is None else _member(secret_key, exact=SECRET_KEY_MEMBER),
    )


def _member(item: dict[str, Any], *, exact: str | None = None, prefix: str | None = None) -> Member:
    member = Member(name=str(item["name"]), size_bytes=int(item["size_bytes"]), sha256=str(item["sha256"]))
    is_named_right = member.name == exact if exact is not None else False
    if prefix is not None:
        is_named_right = member.name.startswith(prefix) and is_safe_key(member.name.removeprefix(prefix))
    if not is_named_right or member.size_bytes < 0 or not _SHA256.match(member.sha256):
        raise ArchiveInvalid(f"The archive's manifest lists an unusable member: {member.name!r}.")
    return member
