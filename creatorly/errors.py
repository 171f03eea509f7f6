"""Errors with a stable code and a message that is safe to show to a person."""

from __future__ import annotations


class CreatorlyError(Exception):
    """Base for every expected failure: `code` is stable, `message` is shown, `status` is the HTTP answer."""

    code = "error"
    status = 400
    default_message = "Something went wrong."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class NotFound(CreatorlyError):
    """The thing does not exist, or the caller may not know that it does."""

    code = "not_found"
    status = 404
    default_message = "Not found."


class InvalidInput(CreatorlyError):
    """A field failed validation; `field` names it for the form."""

    code = "invalid_input"
    status = 422
    default_message = "Please check the highlighted field."

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Forbidden(CreatorlyError):
    """The caller is known but not allowed."""

    code = "forbidden"
    status = 403
    default_message = "You are not allowed to do that."


class ProviderError(CreatorlyError):
    """An outside system failed; `is_retryable` tells the caller whether trying again can help."""

    code = "provider_error"
    status = 502
    default_message = "An outside service did not answer as expected. Please try again."

    def __init__(self, message: str | None = None, *, is_retryable: bool) -> None:
        super().__init__(message)
        self.is_retryable = is_retryable
