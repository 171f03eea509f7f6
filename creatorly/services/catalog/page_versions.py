"""A counter of changes to what public pages show, for caches of rendered storefront and product pages.

Every SQL statement this process sends that writes the creators, products, posts or reviews tables (ORM flushes, bulk
`update()`s, raw SQL, TRUNCATE) moves the counter on when it runs and again when its transaction ends, so a page
rendered before a change committed is never served after it: a cache stores the counter read *before* its database
reads and drops the entry once the counter has moved. Writes made by other processes (another web worker, the job
worker, a command) are not seen here; caches also expire after a short time for those (see creatorly/api/seo.py).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

WATCHED_TABLES = ("creators", "products", "posts", "reviews")  # reviews: ratings in the structured data
_names = "|".join(WATCHED_TABLES)
_WRITES_WATCHED = re.compile(
    rf"""\s*(?:(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+["`]?(?:{_names})["`]?(?![\w])"""
    rf"""|TRUNCATE\b[^;]*?\b(?:{_names})\b)""",
    re.IGNORECASE,
)
_WRITE_STARTS = frozenset("IUDTiudt \n\t")
_PENDING = "creatorly_public_pages_written"
_generation = 0


def current() -> int:
    """The number of changes seen so far; read it before reading what a cached page is built from."""
    return _generation


def note_change() -> None:
    """Something public pages show has changed (called by the statement hooks below, or directly)."""
    global _generation
    _generation += 1


def writes_public_pages(statement: str) -> bool:
    return bool(statement) and statement[0] in _WRITE_STARTS and _WRITES_WATCHED.match(statement) is not None


def _before_cursor_execute(
    connection: Any, _cursor: Any, statement: str, _parameters: Any, _context: Any, _executemany: bool
) -> None:
    if writes_public_pages(statement):
        note_change()
        connection.info[_PENDING] = True


def _after_transaction(connection: Any) -> None:
    if connection.invalidated:
        # The database connection was lost mid-transaction (nothing of it was committed); its info is gone with
        # it, and asking for it would raise over the error that is on its way to the caller.
        return
    if connection.info.pop(_PENDING, False):
        note_change()


event.listen(Engine, "before_cursor_execute", _before_cursor_execute)
event.listen(Engine, "commit", _after_transaction)
event.listen(Engine, "rollback", _after_transaction)
