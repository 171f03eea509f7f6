"""A year in the demo creator's life, replayed through the real use cases with the clock pinned to each moment:
sales paid on the sandbox gateway and applied by its webhook, tips, memberships and their renewals, payouts,
and the storefront's visits recorded through analytics."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from creatorly import db
from creatorly.kit.clock import pinned_at, utc_now
from creatorly.models import Creator
from creatorly.models.enums import BillingInterval
from creatorly.services.analytics import tracking
from creatorly.services.analytics.rules import EventKind, source_of
from creatorly.services.checkout import service as checkout
from creatorly.services.demo import content
from creatorly.services.demo.gateway import TEST_CARD, InProcessSandbox
from creatorly.services.memberships import join, renewals
from creatorly.services.payouts import withdrawals
from creatorly.services.payouts.rules import PayoutRefused
from creatorly.services.sandbox_gateway import service as gateway
from creatorly.services.tips import service as tips
from creatorly.services.tips.schemas import NewTip

HISTORY_DAYS = 365
SALES = 250
ABANDONED_CHECKOUTS = 140  # started, never paid: the funnel narrows, and the expiry job closes them
TIPS = 30
MEMBERS = 35
VISITORS = 16_000
# The worker's round (renewals, payouts in transit) is replayed every few days, and a payout every four weeks.
ROUND_EVERY_DAYS = 3
PAYOUT_EVERY_DAYS = 28
PRODUCT_VIEW_SHARE = 0.45
OWN_HOST = "creatorly.local"


@dataclass(frozen=True, slots=True)
class Shop:
    """What the history needs to know about the demo storefront."""

    creator: Creator
    handle: str
    product_slugs: dict[str, str]  # title -> slug
    product_ids: dict[str, int]
    tier_public_ids: list[str]


@dataclass(slots=True)
class Figures:
    """What was loaded, for the command's summary."""

    sales: int = 0
    tips: int = 0
    members: int = 0
    renewals: int = 0
    payouts: int = 0
    visits: int = 0
    free_downloads: int = 0
    abandoned: int = 0
    notes: list[str] = field(default_factory=list)


def _growing_moments(rng: random.Random, count: int, start: datetime, *, days: int) -> list[datetime]:
    """`count` moments over `days`, busier as the year goes on and at weekends, during waking hours."""
    moments: list[datetime] = []
    while len(moments) < count:
        day = rng.randrange(days)
        weight = 0.45 + day / days + (0.25 if (start + timedelta(days=day)).weekday() >= 5 else 0)
        if rng.random() * 1.8 < weight:
            seconds = rng.randint(8 * 3600, 23 * 3600)
            moments.append(start + timedelta(days=day, seconds=seconds))
    return sorted(moments)


def _buyer(rng: random.Random, number: int) -> tuple[str, str]:
    """A made-up fan: a name, and an address at example.com (which never receives mail)."""
    first, last = rng.choice(content.FIRST_NAMES), rng.choice(content.LAST_NAMES)
    local = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode().lower()
    return f"{first} {last}", f"{local}.{number}@example.com"


async def _pay(started_redirect_url: str, name: str, sandbox: InProcessSandbox) -> None:
    """The fan pays on the gateway's hosted page with the test card; its webhook applies the payment."""
    reference = started_redirect_url.rstrip("/").rsplit("/", 1)[-1]
    if reference.startswith("pay_"):
        await gateway.pay(reference=reference, card_number=TEST_CARD, expiry="12/34", cvc="123", name=name)
    await sandbox.run_jobs()


async def _start_checkout(shop: Shop, rng: random.Random, email: str, key: str) -> str:
    """A fan picks a product and starts its checkout; where the gateway's payment page is."""
    titles = list(content.SALE_WEIGHTS)
    title = rng.choices(titles, weights=[content.SALE_WEIGHTS[name] for name in titles])[0]
    is_pay_what_you_want = title == "Field Guide to Film Photography"
    started = await checkout.start_checkout(
        handle=shop.handle,
        slug=shop.product_slugs[title],
        buyer_email=email,
        amount_text=rng.choice(content.PAY_WHAT_YOU_WANT_AMOUNTS) if is_pay_what_you_want else "",
        checkout_key=key,
    )
    return started.redirect_url


async def _sell(shop: Shop, rng: random.Random, number: int, sandbox: InProcessSandbox, figures: Figures) -> None:
    name, email = _buyer(rng, number)
    await _pay(await _start_checkout(shop, rng, email, f"demo-sale-{number:05d}"), name, sandbox)
    figures.sales += 1


async def _abandon(shop: Shop, rng: random.Random, number: int, figures: Figures) -> None:
    _, email = _buyer(rng, 8000 + number)
    await _start_checkout(shop, rng, email, f"demo-abandoned-{number:05d}")
    figures.abandoned += 1


async def _free_download(shop: Shop, rng: random.Random, number: int, figures: Figures) -> None:
    _, email = _buyer(rng, number)
    await checkout.start_checkout(
        handle=shop.handle,
        slug=shop.product_slugs["Lisbon Wallpapers"],
        buyer_email=email,
        checkout_key=f"demo-free-{number:05d}",
    )
    figures.free_downloads += 1


async def _tip(shop: Shop, rng: random.Random, number: int, sandbox: InProcessSandbox, figures: Figures) -> None:
    name, email = _buyer(rng, number)
    message = content.TIP_MESSAGES[number % len(content.TIP_MESSAGES)]
    started = await tips.start_tip(
        NewTip(
            handle=shop.handle,
            amount_text=rng.choice(content.TIP_AMOUNTS),
            buyer_email=email,
            checkout_key=f"demo-tip-{number:05d}",
            message=message,
            display_name=name,
            is_public=bool(message) and rng.random() < 0.8,
        )
    )
    await _pay(started.redirect_url, name, sandbox)
    figures.tips += 1


async def _join(shop: Shop, rng: random.Random, number: int, sandbox: InProcessSandbox, figures: Figures) -> None:
    name, email = _buyer(rng, 5000 + number)
    tier = shop.tier_public_ids[0 if rng.random() < 0.7 else 1]
    started = await join.start_join(
        handle=shop.handle,
        tier_public_id=tier,
        interval=BillingInterval.MONTHLY,
        buyer_email=email,
        checkout_key=f"demo-member-{number:05d}",
    )
    await _pay(started.redirect_url, name, sandbox)
    figures.members += 1


async def _day_end(shop: Shop, sandbox: InProcessSandbox, figures: Figures, *, is_payout_day: bool) -> None:
    """The worker's daily round: renew what is due, settle payouts in transit, and on payout days withdraw."""
    figures.renewals += await renewals.run_due()
    await checkout.expire_abandoned_orders()
    await sandbox.run_jobs()
    if not is_payout_day:
        return
    assert shop.creator.id is not None
    try:
        await withdrawals.withdraw(shop.creator.id, shop.creator.default_currency, trigger="manual")
    except PayoutRefused as error:
        figures.notes.append(f"payout refused: {error.message}")
        return
    await sandbox.run_jobs()
    figures.payouts += 1


def _timeline(rng: random.Random, start: datetime) -> list[tuple[datetime, str, int]]:
    """Every money event of the year in order: (moment, kind, number)."""
    events: list[tuple[datetime, str, int]] = []
    for kind, count in (
        ("sale", SALES),
        ("tip", TIPS),
        ("member", MEMBERS),
        ("free", SALES // 5),
        ("abandon", ABANDONED_CHECKOUTS),
    ):
        events += [
            (moment, kind, number)
            for number, moment in enumerate(_growing_moments(rng, count, start, days=HISTORY_DAYS - 3))
        ]
    for day in [*range(ROUND_EVERY_DAYS - 1, HISTORY_DAYS, ROUND_EVERY_DAYS), HISTORY_DAYS - 1]:
        events.append((start + timedelta(days=day, hours=23, minutes=30), "day_end", day))
    return sorted(events)


async def replay_money(shop: Shop, sandbox: InProcessSandbox, *, start: datetime, seed: int) -> Figures:
    """Sales, free downloads, tips, joins, renewals and payouts from `start` to now, each at its own moment."""
    rng = random.Random(f"{seed}:money")
    figures = Figures()
    last_payout_period = 0
    for moment, kind, number in _timeline(rng, start):
        with pinned_at(moment):
            if kind == "sale":
                await _sell(shop, rng, number, sandbox, figures)
            elif kind == "tip":
                await _tip(shop, rng, number, sandbox, figures)
            elif kind == "member":
                await _join(shop, rng, number, sandbox, figures)
            elif kind == "free":
                await _free_download(shop, rng, number, figures)
            elif kind == "abandon":
                await _abandon(shop, rng, number, figures)
            else:
                is_payout_day = number // PAYOUT_EVERY_DAYS > last_payout_period
                last_payout_period = number // PAYOUT_EVERY_DAYS
                await _day_end(shop, sandbox, figures, is_payout_day=is_payout_day)
    return figures


def _views_of_visitor(
    shop: Shop, rng: random.Random, number: int, moment: datetime, sources: list[tuple[int, str, str]]
) -> list[tracking.RecordedView]:
    _, referrer, query = rng.choices(sources, weights=[weight for weight, _, _ in sources])[0]
    source = source_of(
        page_url=f"https://{OWN_HOST}/{shop.handle}{query}", referrer=referrer, own_hosts=frozenset({OWN_HOST})
    )
    visitor = f"demo{number:028d}"
    views = [tracking.RecordedView(kind=EventKind.STOREFRONT_VIEW, at=moment, visitor=visitor, source=source)]
    if rng.random() < PRODUCT_VIEW_SHARE:
        product_id = rng.choice(list(shop.product_ids.values()))
        views.append(
            tracking.RecordedView(
                kind=EventKind.PRODUCT_VIEW,
                at=moment + timedelta(seconds=rng.randint(5, 120)),
                visitor=visitor,
                product_id=product_id,
                source=source,
            )
        )
    return views


async def record_visits(shop: Shop, *, start: datetime, seed: int) -> int:
    """The year's visitors: storefront views, some product views, from social sites, search and campaigns."""
    rng = random.Random(f"{seed}:visits")
    views: list[tracking.RecordedView] = []
    now = utc_now()
    moments = _growing_moments(rng, VISITORS, start, days=HISTORY_DAYS + 1)
    for number, moment in enumerate(moment for moment in moments if moment <= now):  # today's visits so far
        views += _views_of_visitor(shop, rng, number, moment, content.SOURCES)
    async with db.transaction() as session:
        creator = await session.get(Creator, shop.creator.id)
        assert creator is not None
        await tracking.record_page_views(session, creator, views)
    await tracking.expire()  # as the nightly job does: raw events past 90 days and finished days' marks go
    return len({view.visitor for view in views})
