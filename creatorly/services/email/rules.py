"""Pure rules for email delivery: when to try again."""

from __future__ import annotations

MAX_BACKOFF_SECONDS = 3600.0


def backoff_seconds(attempt: int, *, base_seconds: float) -> float:
    """Exponential backoff after the given failed attempt (1-based), capped at an hour."""
    if attempt < 1:
        raise ValueError("attempt is 1-based")
    return min(base_seconds * float(2 ** (attempt - 1)), MAX_BACKOFF_SECONDS)
