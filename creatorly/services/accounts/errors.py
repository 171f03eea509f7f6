"""Account errors: stable codes, messages safe to show, and none that reveal whether an email exists."""

from __future__ import annotations

from creatorly.errors import CreatorlyError, Forbidden, InvalidInput


class InvalidCredentials(CreatorlyError):
    code = "invalid_credentials"
    status = 401
    default_message = "That email and password don't match an account."


class NotAuthenticated(CreatorlyError):
    code = "not_authenticated"
    status = 401
    default_message = "Please sign in to continue."


class TooManyAttempts(CreatorlyError):
    code = "too_many_attempts"
    status = 429
    default_message = "Too many attempts. Please wait a few minutes and try again."


class PasswordRejected(InvalidInput):
    code = "password_rejected"


class EmailRejected(InvalidInput):
    code = "email_rejected"


class LinkInvalid(CreatorlyError):
    code = "link_invalid"
    status = 400
    default_message = "This link is invalid, expired or already used. Request a new one."


class TwoFactorInvalid(CreatorlyError):
    code = "two_factor_invalid"
    status = 401
    default_message = "That code didn't work. Try the current code from your app or a backup code."


class TwoFactorSetupRequired(Forbidden):
    code = "two_factor_setup_required"
    default_message = "Admins must turn on two-factor authentication first."


class TermsNotAccepted(InvalidInput):
    code = "terms_not_accepted"
    default_message = "Please accept the Terms of Service and Privacy Policy to create an account."
