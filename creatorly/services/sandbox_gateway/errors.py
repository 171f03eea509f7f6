"""Failures of the sandbox gateway's API."""

from __future__ import annotations

from creatorly.errors import CreatorlyError


class SandboxApiKeyInvalid(CreatorlyError):
    code = "unauthorized"
    status = 401
    default_message = "Invalid API key."


class SandboxIdempotencyConflict(CreatorlyError):
    """The idempotency key was used before for a different payment."""

    code = "idempotency_conflict"
    status = 409
    default_message = "This idempotency key was already used with different parameters."
