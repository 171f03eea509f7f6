"""What account use cases take and return: plain data, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Requester:
    """Who is asking, for rate limits and the sessions list: never stored raw beyond the user agent."""

    ip: str = ""
    user_agent: str = ""


@dataclass(frozen=True, slots=True)
class CurrentUser:
    id: int
    email: str
    display_name: str
    role: str
    is_email_verified: bool
    has_two_factor: bool

    @property
    def needs_two_factor_setup(self) -> bool:
        return self.role == "admin" and not self.has_two_factor


@dataclass(frozen=True, slots=True)
class SignedIn:
    session_token: str
    user: CurrentUser


@dataclass(frozen=True, slots=True)
class TwoFactorChallenge:
    challenge_token: str


SignInResult = SignedIn | TwoFactorChallenge


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id: int
    user_agent: str
    created_at: datetime
    last_seen_at: datetime
    is_current: bool


@dataclass(frozen=True, slots=True)
class TwoFactorSetup:
    secret: str
    provisioning_uri: str
    qr_svg_data_uri: str
