"""Test settings come first: a private data folder and the database and Redis chosen for this run.

Integration tests use SQLite by default, PostgreSQL when CREATORLY_TEST_DATABASE_URL is set, and Redis
when CREATORLY_TEST_REDIS_URL is set. The environment is set here, before creatorly is imported.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TEST_DATA_DIR = Path(tempfile.mkdtemp(prefix="creatorly-test-"))
os.environ["CREATORLY_ENV"] = "test"
os.environ["CREATORLY_DATA_DIR"] = str(TEST_DATA_DIR)
os.environ["CREATORLY_DATABASE_URL"] = os.environ.get(
    "CREATORLY_TEST_DATABASE_URL", f"sqlite:///{TEST_DATA_DIR / 'creatorly.db'}"
)
os.environ["CREATORLY_REDIS_URL"] = os.environ.get("CREATORLY_TEST_REDIS_URL", "")
for name in ("CREATORLY_SMTP_URL", "CREATORLY_STORAGE", "CREATORLY_PUBLIC_URL", "CREATORLY_SECRET_KEY"):
    os.environ.pop(name, None)
os.environ["CREATORLY_LOG_LEVEL"] = "WARNING"
