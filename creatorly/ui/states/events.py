"""The type of a handler that yields state updates, toasts, redirects or further events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

Events = AsyncIterator[Any]
