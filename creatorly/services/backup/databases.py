"""Database snapshots: SQLite's online backup API, PostgreSQL's pg_dump and pg_restore (custom format)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from creatorly.services.backup.errors import BackupDependencyError, BackupRefused

# A dump or restore of a large store takes a while; one that hangs this long has a problem worth reporting.
_TOOL_TIMEOUT_SECONDS = 6 * 3600
_CLIENT_PACKAGE_HINT = "install the PostgreSQL client tools (Debian/Ubuntu: apt-get install postgresql-client)"


def sqlite_path(url: str) -> Path:
    """The file of a sqlite(+aiosqlite):/// URL."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupRefused(f"Only a SQLite database in a file can be backed up or restored, not {url!r}.")
    return Path(database).expanduser().resolve()


def backup_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (WAL included) through its online backup API, as one file."""
    if not source.is_file():
        raise BackupRefused(f"There is no SQLite database at {source}.")
    origin = sqlite3.connect(source)
    copy = sqlite3.connect(target)
    try:
        origin.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # the copy stands alone: no -wal file beside it
        (verdict,) = copy.execute("PRAGMA quick_check").fetchone()
    finally:
        copy.close()
        origin.close()
    if verdict != "ok":
        raise BackupRefused(f"The SQLite database failed its integrity check ({verdict}); fix it before a backup.")


def restore_sqlite(staged: Path, target: Path) -> None:
    """Replace the database at `target` with the staged copy in one step, through the backup API: a reader sees
    the old database or the new one, and its -wal file is handled by SQLite itself."""
    target.parent.mkdir(parents=True, exist_ok=True)
    origin = sqlite3.connect(f"file:{staged}?mode=ro", uri=True)
    destination = sqlite3.connect(target)
    try:
        origin.backup(destination)
        destination.execute("PRAGMA journal_mode=WAL")  # as the app runs it
    finally:
        destination.close()
        origin.close()


@dataclass(frozen=True, slots=True)
class LibpqTarget:
    """A libpq connection URL without its password, and the environment that carries the password."""

    url: str
    environment: dict[str, str]


def libpq_target(async_url: str) -> LibpqTarget:
    """postgresql+asyncpg://user:pw@host/db?ssl=require → postgresql://user@host/db?sslmode=require, PGPASSWORD=pw
    (a password on the command line would show in the process list)."""
    url = make_url(async_url)
    query = dict(url.query)
    if "ssl" in query and "sslmode" not in query:
        query["sslmode"] = query.pop("ssl")
    plain = url.set(drivername="postgresql", password=None, query=query)
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    return LibpqTarget(url=plain.render_as_string(hide_password=False), environment=environment)


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupDependencyError(f"{name} was not found on PATH: {_CLIENT_PACKAGE_HINT}.")
    return path


def dump_postgresql(async_url: str, target: Path) -> None:
    """pg_dump's custom format: one consistent snapshot, compressed, restorable table by table."""
    tool = require_tool("pg_dump")
    connection = libpq_target(async_url)
    _run(
        [tool, "--format=custom", "--no-owner", f"--file={target}", f"--dbname={connection.url}"],
        connection.environment,
        what="pg_dump",
    )


def restore_postgresql(async_url: str, dump: Path, *, is_replacing: bool) -> None:
    """pg_restore in a single transaction: it applies the whole dump or (on any error) nothing at all;
    `is_replacing` first drops the objects the dump recreates."""
    tool = require_tool("pg_restore")
    connection = libpq_target(async_url)
    arguments = [tool, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    if is_replacing:
        arguments += ["--clean", "--if-exists"]
    _run([*arguments, f"--dbname={connection.url}", str(dump)], connection.environment, what="pg_restore")


def _run(arguments: list[str], environment: dict[str, str], *, what: str) -> None:
    try:
        finished = subprocess.run(  # noqa: S603 (our own argument list, no shell)
            arguments, env=environment, capture_output=True, text=True, timeout=_TOOL_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BackupDependencyError(f"{what} could not run: {error}") from None
    if finished.returncode != 0:
        detail = " ".join(finished.stderr.strip().splitlines()[-3:]) or f"exit status {finished.returncode}"
        raise BackupDependencyError(f"{what} failed: {detail}")
