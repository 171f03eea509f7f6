"""Creator profile inputs and views: plain data."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ProfileInput:
    handle: str
    display_name: str
    bio: str = ""
    social_links: str = ""  # one URL per line, as typed
    accent_color: str = "#6E56CF"
    currency: str = "USD"
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True)
class CreatorProfile:
    id: int
    handle: str
    display_name: str
    bio: str
    bio_html: str
    social_links: list[str] = field(default_factory=list)
    accent_color: str = "#6E56CF"
    currency: str = "USD"
    timezone: str = "UTC"
    avatar_url: str = ""
    banner_url: str = ""
