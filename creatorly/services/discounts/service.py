"""Discount use cases: a creator creates, lists and deactivates codes; checkout redeems one in its transaction.

Every management use case resolves the creator from the session token, so another creator's code is
simply not found; a buyer typing someone else's code gets the same answer as for a code that never existed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import InvalidInput, NotFound
from creatorly.kit.clock import as_utc
from creatorly.kit.money import format_money, parse_amount
from creatorly.models import Creator, DiscountCode, Product
from creatorly.services.accounts import authorization
from creatorly.services.catalog.rules import minimum_charge
from creatorly.services.creators import service as creators
from creatorly.services.discounts import repository, rules

MAX_REDEMPTIONS_LIMIT = 1_000_000


class DiscountInvalid(InvalidInput):
    """The code can't be used for this purchase; the message says why without naming other creators' codes."""

    code = "discount_invalid"
    default_message = "This discount code isn't valid."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, field="discount_code")


class DiscountNotFound(NotFound):
    code = "discount_not_found"
    default_message = "We couldn't find that discount code."


class DiscountCodeTaken(InvalidInput):
    code = "discount_code_taken"


@dataclass(frozen=True, slots=True)
class Redemption:
    discount_code_id: int
    amount_after: int


@dataclass(frozen=True, slots=True)
class DiscountRow:
    """One code as the creator's list shows it."""

    id: int
    code: str
    kind: str
    value_label: str
    scope_label: str
    starts_at: datetime | None
    ends_at: datetime | None
    window_label: str
    redemptions: int
    max_redemptions: int | None
    redemptions_label: str
    is_active: bool
    status_label: str


# --- Creator management --------------------------------------------------------------------------------


async def _mine(session: AsyncSession, session_token: str) -> Creator:
    user = await authorization.require_user(session_token)
    return await creators.creator_of(session, user.id)


async def create_discount(
    *,
    session_token: str,
    code: str,
    kind: str,
    value_text: str,
    product_slug: str | None = None,
    starts_at: str = "",
    ends_at: str = "",
    max_redemptions: str = "",
) -> int:
    """A new active code; dates are 'YYYY-MM-DD' days in the creator's timezone (the end day included)."""
    async with db.transaction() as session:
        creator = await _mine(session, session_token)
        assert creator.id is not None
        product = await _scoped_product(session, creator, product_slug)
        currency = product.currency if product is not None else creator.default_currency
        discount = DiscountCode(
            creator_id=creator.id,
            code=rules.checked_code(code),
            kind=rules.checked_kind(kind),
            value=0,
            currency=currency,
            product_id=None if product is None else product.id,
            max_redemptions=_checked_max_redemptions(max_redemptions),
        )
        discount.value = _checked_value(discount.kind, value_text, currency)
        discount.starts_at, discount.ends_at = _checked_window(starts_at, ends_at, creator.timezone)
        if await repository.get_by_code(session, creator.id, discount.code) is not None:
            raise DiscountCodeTaken("You already have a code with this name.", field="code")
        try:
            await repository.add(session, discount)
        except IntegrityError:  # the same code created twice at once
            raise DiscountCodeTaken("You already have a code with this name.", field="code") from None
        assert discount.id is not None
        return discount.id


async def list_discounts(*, session_token: str) -> list[DiscountRow]:
    async with db.transaction() as session:
        creator = await _mine(session, session_token)
        assert creator.id is not None
        rows = await repository.list_with_products(session, creator.id)
    return [_row(discount, product, creator.timezone) for discount, product in rows]


async def deactivate_discount(*, session_token: str, discount_id: int) -> None:
    """Stop a code from working for new checkouts; orders that used it keep their price."""
    async with db.transaction() as session:
        creator = await _mine(session, session_token)
        assert creator.id is not None
        discount = await repository.get_of_creator(session, creator.id, discount_id)
        if discount is None:
            raise DiscountNotFound()
        discount.is_active = False
        session.add(discount)


async def _scoped_product(session: AsyncSession, creator: Creator, product_slug: str | None) -> Product | None:
    slug = (product_slug or "").strip().lower()
    if not slug:
        return None
    assert creator.id is not None
    product = await repository.get_product_by_slug(session, creator.id, slug)
    if product is None:
        raise InvalidInput("Choose one of your products, or leave it empty for your whole store.", field="product")
    return product


def _checked_value(kind: str, value_text: str, currency: str) -> int:
    if kind == rules.PERCENT:
        return rules.parse_percent(value_text)
    try:
        amount = parse_amount(value_text, currency)
    except ValueError:
        raise InvalidInput("Enter an amount, like 5.00.", field="value") from None
    if amount <= 0:
        raise InvalidInput("Enter an amount above 0.", field="value")
    return amount


def _checked_max_redemptions(text: str) -> int | None:
    cleaned = text.strip()
    if not cleaned:
        return None
    if not cleaned.isdigit() or not 1 <= int(cleaned) <= MAX_REDEMPTIONS_LIMIT:
        raise InvalidInput(f"Enter a whole number from 1 to {MAX_REDEMPTIONS_LIMIT:,}.", field="max_redemptions")
    return int(cleaned)


def _zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _day(text: str, field: str) -> date | None:
    cleaned = text.strip()
    if not cleaned:
        return None
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        raise InvalidInput("Enter a date like 2025-06-30.", field=field) from None


def _checked_window(starts: str, ends: str, timezone: str) -> tuple[datetime | None, datetime | None]:
    """Start of the first day to the end of the last day, in the creator's timezone, stored as UTC."""
    zone = _zone(timezone)
    first, last = _day(starts, "starts_at"), _day(ends, "ends_at")
    if first is not None and last is not None and last < first:
        raise InvalidInput("The end date must be on or after the start date.", field="ends_at")
    starts_at = None if first is None else as_utc(datetime.combine(first, time.min, tzinfo=zone))
    ends_at = None if last is None else as_utc(datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone))
    return starts_at, ends_at


def _row(discount: DiscountCode, product: Product | None, timezone: str) -> DiscountRow:
    assert discount.id is not None
    cap = discount.max_redemptions
    return DiscountRow(
        id=discount.id,
        code=discount.code,
        kind=discount.kind,
        value_label=_value_label(discount),
        scope_label="All products" if product is None else product.title,
        starts_at=discount.starts_at,
        ends_at=discount.ends_at,
        window_label=_window_label(discount, _zone(timezone)),
        redemptions=discount.redemptions,
        max_redemptions=cap,
        redemptions_label=f"{discount.redemptions} / {'∞' if cap is None else cap}",
        is_active=discount.is_active,
        status_label=_status_label(discount),
    )


def _value_label(discount: DiscountCode) -> str:
    if discount.kind == rules.PERCENT:
        return f"{rules.percent_label(discount.value)} off"
    return f"{format_money(discount.value, discount.currency)} off"


def _window_label(discount: DiscountCode, zone: ZoneInfo) -> str:
    def day(moment: datetime) -> str:
        return f"{as_utc(moment).astimezone(zone):%d %b %Y}"

    first = "" if discount.starts_at is None else day(discount.starts_at)
    # ends_at is the start of the day after the last one.
    last = "" if discount.ends_at is None else day(as_utc(discount.ends_at) - timedelta(seconds=1))
    if first and last:
        return f"{first} – {last}"
    if first:
        return f"From {first}"
    return f"Until {last}" if last else "Always"


def _status_label(discount: DiscountCode) -> str:
    if not discount.is_active:
        return "Deactivated"
    if discount.max_redemptions is not None and discount.redemptions >= discount.max_redemptions:
        return "Used up"
    return "Active"


# --- Checkout --------------------------------------------------------------------------------------------


async def redeem(
    session: AsyncSession,
    *,
    creator_id: int,
    product_id: int,
    code: str,
    currency: str,
    amount: int,
    now: datetime,
) -> Redemption:
    """Check the code for this purchase and take one redemption, in the caller's transaction.

    The cap holds under concurrency: the count only moves through one conditional UPDATE, and a
    rolled-back checkout gives its redemption back with everything else it wrote.
    """
    discount = await repository.get_by_code(session, creator_id, rules.normalized_code(code))
    if discount is None or discount.id is None:
        raise DiscountInvalid()
    _check_usable(discount, product_id=product_id, currency=currency, now=now)
    amount_after = rules.apply_discount(amount, discount.kind, discount.value)
    if 0 < amount_after < minimum_charge(currency):
        raise DiscountInvalid(
            f"With this code the price would be below the smallest card payment "
            f"({format_money(minimum_charge(currency), currency)}), so it can't be used on this product."
        )
    if not await repository.take_redemption(session, discount.id):
        raise DiscountInvalid("This discount code has been fully redeemed.")
    return Redemption(discount_code_id=discount.id, amount_after=amount_after)


def _check_usable(discount: DiscountCode, *, product_id: int, currency: str, now: datetime) -> None:
    if not discount.is_active:
        raise DiscountInvalid("This discount code is no longer active.")
    if discount.starts_at is not None and now < as_utc(discount.starts_at):
        raise DiscountInvalid("This discount code isn't active yet.")
    if discount.ends_at is not None and now >= as_utc(discount.ends_at):
        raise DiscountInvalid("This discount code has expired.")
    if discount.product_id is not None and discount.product_id != product_id:
        raise DiscountInvalid("This discount code doesn't apply to this product.")
    if discount.kind == rules.FIXED and discount.currency != currency:
        raise DiscountInvalid("This discount code can't be used with this product's currency.")
    if discount.max_redemptions is not None and discount.redemptions >= discount.max_redemptions:
        raise DiscountInvalid("This discount code has been fully redeemed.")


async def release_redemption(session: AsyncSession, discount_code_id: int) -> None:
    """An abandoned checkout gives its redemption back, so a capped code is not used up by people who never paid."""
    await repository.give_back_redemption(session, discount_code_id)


async def reclaim_redemption(session: AsyncSession, discount_code_id: int) -> None:
    """A checkout that expired (its redemption given back) was paid after all: it counts again."""
    await repository.retake_redemption(session, discount_code_id)
