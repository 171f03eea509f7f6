"""Analytics rules: visitor ids, bots, referrers, UTM tags, the creator's day and rollup dimensions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from creatorly.services.analytics import rules

OWN = frozenset({"creatorly.example", "localhost"})
BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari"


def test_a_visitor_id_is_stable_within_a_day_and_differs_per_salt_creator_ip_and_agent() -> None:
    base = {"salt": "s1", "ip": "198.51.100.1", "user_agent": BROWSER, "creator_id": 1}
    same = rules.visitor_id(**base)  # type: ignore[arg-type]
    assert same == rules.visitor_id(**base) and len(same) == 32  # type: ignore[arg-type]
    for change in ({"salt": "s2"}, {"ip": "198.51.100.2"}, {"user_agent": BROWSER + "x"}, {"creator_id": 2}):
        assert rules.visitor_id(**{**base, **change}) != same  # type: ignore[arg-type]
    assert "198.51.100.1" not in same


@pytest.mark.parametrize(
    ("agent", "is_bot"),
    [
        (BROWSER, False),
        ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", True),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", True),
        ("python-requests/2.32", True),
        ("", True),
        ("   ", True),
    ],
)
def test_bots_are_recognised(agent: str, is_bot: bool) -> None:
    assert rules.is_bot(agent) is is_bot


@pytest.mark.parametrize(
    ("referrer", "domain"),
    [
        ("https://www.Google.com/search?q=x", "google.com"),
        ("http://news.ycombinator.com/item?id=1", "news.ycombinator.com"),
        ("https://creatorly.example/discover", None),
        ("http://localhost:3000/x", None),
        ("", None),
        ("android-app://com.google.android.gm/", None),
        ("not a url", None),
        ("https://[::1", None),
    ],
)
def test_the_referrer_is_a_bare_domain_or_nothing(referrer: str, domain: str | None) -> None:
    assert rules.referrer_domain(referrer, own_hosts=OWN) == domain


def test_utm_tags_are_cleaned_and_cut() -> None:
    source = rules.source_of(
        page_url="https://creatorly.example/mira?utm_source=%20Insta%0A&utm_medium=Social&utm_campaign=" + "x" * 300,
        referrer="",
        own_hosts=OWN,
    )
    assert (source.utm_source, source.utm_medium) == ("insta", "social")
    assert source.utm_campaign == "x" * rules.MAX_TAG_LENGTH
    assert rules.source_of(page_url="::", referrer="", own_hosts=OWN) == rules.Source()


def test_the_day_is_the_creators_and_an_unknown_timezone_means_utc() -> None:
    moment = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
    assert rules.local_day(moment, "Asia/Tokyo") == date(2027, 1, 1)
    assert rules.local_day(moment, "America/Los_Angeles") == date(2026, 12, 31)
    assert rules.local_day(moment, "Not/AZone") == date(2026, 12, 31)


def test_an_event_adds_to_the_total_and_each_of_its_dimensions() -> None:
    source = rules.Source(referrer_domain="t.co", utm_source="news", utm_campaign="launch")
    assert rules.dimensions(product_id=7, source=source) == ["", "product:7", "referrer:t.co", "campaign:news//launch"]
    assert rules.dimensions(product_id=None, source=rules.Source()) == [""]
