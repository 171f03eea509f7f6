"""Pure account rules: email normalisation."""

from __future__ import annotations

import unicodedata


def normalize_email(email: str) -> str:
    """Trim, NFKC-normalise and lower-case the address so one mailbox maps to one account."""
    return unicodedata.normalize("NFKC", email).strip().lower()
