"""Pure analytics rules: event kinds, visitor ids, bot detection, referrers, UTM tags, days and dimensions."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crawlerdetect import CrawlerDetect

VISITOR_ID_LENGTH = 32
MAX_TAG_LENGTH = 100
MAX_DOMAIN_LENGTH = 255
MAX_USER_AGENT_LENGTH = 1000
RAW_EVENT_DAYS = 90


class EventKind(StrEnum):
    STOREFRONT_VIEW = "storefront_view"
    PRODUCT_VIEW = "product_view"
    CHECKOUT_STARTED = "checkout_started"
    PURCHASE = "purchase"
    REFUND = "refund"
    DOWNLOAD = "download"
    TIP = "tip"
    MEMBERSHIP_PAYMENT = "membership_payment"
    MEMBERSHIP_STARTED = "membership_started"
    MEMBERSHIP_CANCELLED = "membership_cancelled"
    EMAIL_CAPTURE = "email_capture"
    SESSION_SETTLED = "session_settled"  # the creator's share of a paid session, once settled (gross 0)
    VISIT = "visit"  # rollups only: any page view, so a visitor of several pages counts once a day


# What a browser may report about itself; everything else is recorded by the server where it happens.
PAGE_VIEW_KINDS = frozenset({EventKind.STOREFRONT_VIEW, EventKind.PRODUCT_VIEW})


@dataclass(frozen=True, slots=True)
class Source:
    """Where a visit came from: the referring site's domain and the UTM tags of the landing address."""

    referrer_domain: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None


@lru_cache(maxsize=1)
def _crawler_detect() -> CrawlerDetect:
    return CrawlerDetect()


def is_bot(user_agent: str) -> bool:
    """Crawlers, link previewers, monitoring and scripts (by crawlerdetect's list), and requests without a user
    agent, are not visitors."""
    agent = user_agent.strip()[:MAX_USER_AGENT_LENGTH]
    if not agent:
        return True
    return bool(_crawler_detect().isCrawler(agent))


def visitor_id(*, salt: str, ip: str, user_agent: str, creator_id: int) -> str:
    """A day's pseudonymous visitor: the salt changes every day and is then deleted, so the same person gets a
    new id tomorrow and nobody can recompute today's from an IP address afterwards."""
    material = "\x1f".join((salt, str(creator_id), ip.strip(), user_agent.strip()[:MAX_USER_AGENT_LENGTH]))
    return hashlib.sha256(material.encode()).hexdigest()[:VISITOR_ID_LENGTH]


def _clean_tag(value: str | None) -> str | None:
    if value is None:
        return None
    text = "".join(ch for ch in unicodedata.normalize("NFKC", value) if ch.isprintable()).strip().lower()
    return text[:MAX_TAG_LENGTH] or None


def referrer_domain(referrer: str, *, own_hosts: frozenset[str]) -> str | None:
    """The referring site's host without 'www.', or None for a direct visit, our own pages or a non-web URL."""
    try:
        parts = urlsplit(referrer.strip())
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not host or host in own_hosts:
        return None
    host = host.removeprefix("www.")
    if not host or len(host) > MAX_DOMAIN_LENGTH:
        return None
    return host


def source_of(*, page_url: str, referrer: str, own_hosts: frozenset[str]) -> Source:
    try:
        query = parse_qs(urlsplit(page_url.strip()).query, max_num_fields=50)
    except ValueError:
        query = {}

    def tag(name: str) -> str | None:
        values = query.get(name)
        return _clean_tag(values[0]) if values else None

    return Source(
        referrer_domain=referrer_domain(referrer, own_hosts=own_hosts),
        utm_source=tag("utm_source"),
        utm_medium=tag("utm_medium"),
        utm_campaign=tag("utm_campaign"),
    )


def zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_day(moment: datetime, timezone: str) -> date:
    """The creator's calendar day of a moment: a sale at 23:30 UTC is the next day in Kolkata."""
    return moment.astimezone(zone(timezone)).date()


def dimensions(*, product_id: int | None, source: Source) -> list[str]:
    """The rollup rows an event adds to, besides the total ('')."""
    found = [""]
    if product_id is not None:
        found.append(f"product:{product_id}")
    if source.referrer_domain:
        found.append(f"referrer:{source.referrer_domain}")
    if source.utm_source or source.utm_medium or source.utm_campaign:
        found.append(f"campaign:{source.utm_source or ''}/{source.utm_medium or ''}/{source.utm_campaign or ''}")
    return found
