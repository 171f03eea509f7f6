"""Symmetric encryption of small secrets at rest (Fernet), with a key derived from the app secret."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


def _fernet(secret: str, purpose: str) -> Fernet:
    digest = hashlib.sha256(f"creatorly:{purpose}:{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(plaintext: str, *, secret: str, purpose: str) -> str:
    return _fernet(secret, purpose).encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str, *, secret: str, purpose: str) -> str:
    """Raise ValueError when the ciphertext was tampered with or made with another key."""
    try:
        return _fernet(secret, purpose).decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise ValueError("cannot decrypt: wrong key or tampered data") from None


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
