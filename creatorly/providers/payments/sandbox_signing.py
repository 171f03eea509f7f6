"""Webhook signatures of the sandbox payment provider: Stripe's scheme, `t=<unix seconds>,v1=<hex HMAC-SHA256>`."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Creatorly-Signature"
SCHEME = "v1"
_MAX_TIMESTAMP_DIGITS = 12


class SignatureInvalid(ValueError):
    """The header is missing or garbled, the signature does not match, or the timestamp is outside tolerance."""


def _digest(raw: bytes, *, secret: str, timestamp: int) -> str:
    signed_payload = str(timestamp).encode() + b"." + raw
    return hmac.new(secret.encode(), signed_payload, hashlib.sha256).hexdigest()


def sign(raw: bytes, *, secret: str, timestamp: int) -> str:
    """The `Creatorly-Signature` header value for this exact body at this moment."""
    return f"t={timestamp},{SCHEME}={_digest(raw, secret=secret, timestamp=timestamp)}"


def _parse(header: str) -> tuple[int, list[str]]:
    timestamps: list[str] = []
    signatures: list[str] = []
    for item in header.split(","):
        key, separator, value = item.strip().partition("=")
        if not separator:
            raise SignatureInvalid("signature header is garbled")
        if key == "t":
            timestamps.append(value)
        elif key == SCHEME:
            signatures.append(value)
    if len(timestamps) != 1 or not signatures:
        raise SignatureInvalid("signature header needs one t= and at least one v1=")
    timestamp = timestamps[0]
    # int() would also take "+5", " 5", "1_0" and non-ASCII digits: accept plain ASCII digits only.
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= _MAX_TIMESTAMP_DIGITS):
        raise SignatureInvalid("signature timestamp is not a number of seconds")
    return int(timestamp), signatures


def verify(raw: bytes, header: str, *, secret: str, now: int, tolerance_seconds: int) -> None:
    """Raise SignatureInvalid unless one v1= signature matches the raw body and t= is within tolerance of now."""
    if not header:
        raise SignatureInvalid("signature header is missing")
    timestamp, candidates = _parse(header)
    expected = _digest(raw, secret=secret, timestamp=timestamp).encode()
    # Compare every candidate, without stopping early, so timing says nothing about which one matched.
    matches = [hmac.compare_digest(expected, candidate.encode("utf-8", "replace")) for candidate in candidates]
    if not any(matches):
        raise SignatureInvalid("no signature matches the body")
    if now - timestamp > tolerance_seconds:
        raise SignatureInvalid("signature timestamp is too old")
    if timestamp - now > tolerance_seconds:
        raise SignatureInvalid("signature timestamp is in the future")
