"""Pure creator rules: handles (normalised, confusable-safe, reserved), links, colours, currencies, timezones."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from unidecode import unidecode

from creatorly.errors import InvalidInput

HANDLE_PATTERN = re.compile(r"^[a-z0-9_-]{3,30}$")
CREATOR_CURRENCIES = ("USD", "EUR", "GBP", "INR", "JPY")
MAX_SOCIAL_LINKS = 5
MAX_BIO_LENGTH = 2000
MAX_DISPLAY_NAME_LENGTH = 60
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")

# Every static route, Reflex's own paths and names people could use to impersonate the platform.
RESERVED_HANDLES = frozenset(
    {
        "_event",
        "_upload",
        "_health",
        "_next",
        "ping",
        "api",
        "static",
        "assets",
        "public",
        "media",
        "health",
        "sitemap.xml",
        "robots.txt",
        "favicon.ico",
        "404",
        "signin",
        "signup",
        "signout",
        "login",
        "logout",
        "register",
        "account",
        "accounts",
        "dashboard",
        "discover",
        "legal",
        "dev",
        "reset-password",
        "verify-email",
        "audience",
        "library",
        "checkout",
        "orders",
        "bookings",
        "order",
        "sandbox",
        "admin",
        "administrator",
        "root",
        "support",
        "help",
        "about",
        "terms",
        "privacy",
        "settings",
        "security",
        "creatorly",
        "official",
        "staff",
        "team",
        "www",
        "mail",
        "email",
        "billing",
        "payments",
        "payouts",
        "webhooks",
        "download",
        "downloads",
        "null",
        "undefined",
        "system",
        "status",
        "blog",
        "news",
        "explore",
        "search",
        "shop",
        "store",
        "new",
        "edit",
    }
)


def normalize_handle(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip().casefold()


def handle_skeleton(handle: str) -> str:
    """What a handle looks like to a person: Cyrillic 'а' reads as 'a', and '_' and '-' are ignored."""
    latin = unidecode(unicodedata.normalize("NFKC", handle).casefold())
    return re.sub(r"[^a-z0-9.]", "", latin.lower())


@cache
def _reserved_skeletons() -> frozenset[str]:
    return frozenset(handle_skeleton(handle) for handle in RESERVED_HANDLES)


class HandleUnavailable(InvalidInput):
    code = "handle_unavailable"


def handle_and_skeleton(raw: str) -> tuple[str, str]:
    """(normalised handle, skeleton); a reserved look-alike is refused here, before any other check."""
    handle = normalize_handle(raw)
    skeleton = handle_skeleton(handle)
    if skeleton in _reserved_skeletons():
        raise HandleUnavailable("That handle is reserved. Try another one.", field="handle")
    return handle, skeleton


def check_handle_characters(handle: str) -> None:
    if not HANDLE_PATTERN.match(handle):
        raise InvalidInput("Use 3–30 characters: lowercase letters, digits, _ and -.", field="handle")


def check_display_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name or len(name) > MAX_DISPLAY_NAME_LENGTH:
        raise InvalidInput(f"Use 1–{MAX_DISPLAY_NAME_LENGTH} characters.", field="display_name")
    return name


def check_bio(raw: str) -> str:
    bio = raw.strip()
    if len(bio) > MAX_BIO_LENGTH:
        raise InvalidInput(f"Keep your bio under {MAX_BIO_LENGTH} characters.", field="bio")
    return bio


def check_social_links(raw: str) -> str:
    """One http(s) URL per line → a JSON list; anything else is refused."""
    links = [line.strip() for line in raw.splitlines() if line.strip()]
    if len(links) > MAX_SOCIAL_LINKS:
        raise InvalidInput(f"Add at most {MAX_SOCIAL_LINKS} links.", field="social_links")
    for link in links:
        parts = urlsplit(link)
        if parts.scheme not in {"http", "https"} or not parts.hostname or len(link) > 200 or " " in link:
            raise InvalidInput(f"“{link[:60]}” is not a web address starting with https://.", field="social_links")
    return json.dumps(links)


def check_accent_color(raw: str) -> str:
    if not _COLOR.match(raw.strip()):
        raise InvalidInput("Pick a colour like #6E56CF.", field="accent_color")
    return raw.strip().upper()


def check_currency(raw: str) -> str:
    currency = raw.strip().upper()
    if currency not in CREATOR_CURRENCIES:
        raise InvalidInput(f"Choose one of {', '.join(CREATOR_CURRENCIES)}.", field="currency")
    return currency


@cache
def timezones() -> tuple[str, ...]:
    return tuple(sorted(zone for zone in available_timezones() if "/" in zone or zone == "UTC"))


def check_timezone(raw: str) -> str:
    if raw not in timezones():
        raise InvalidInput("Choose a timezone from the list.", field="timezone")
    return raw
