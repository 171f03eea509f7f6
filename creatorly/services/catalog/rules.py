"""Pure catalog rules: price labels and checks of everything a creator types into a product."""

from __future__ import annotations

import re

from creatorly.errors import InvalidInput
from creatorly.kit.money import exponent_of, format_money, parse_amount
from creatorly.models.enums import PricingModel

CATEGORIES: dict[str, str] = {
    "ebooks": "E-books & guides",
    "templates": "Templates",
    "art": "Art & illustration",
    "photography": "Photography",
    "music": "Music & audio",
    "video": "Video",
    "software": "Software & code",
    "courses": "Courses",
    "other": "Other",
}
MAX_TITLE = 120
MAX_SUMMARY = 280
MAX_DESCRIPTION = 20_000
MAX_TAGS = 10
_TAG = re.compile(r"^[a-z0-9][a-z0-9 -]{0,23}$")


def price_label(pricing: str, amount: int, currency: str) -> str:
    """'$15.00', 'Free' or 'Pay what you want (from $5.00)'."""
    if pricing == PricingModel.FREE:
        return "Free"
    if pricing == PricingModel.PAY_WHAT_YOU_WANT:
        return f"Pay what you want (from {format_money(amount, currency)})" if amount else "Pay what you want"
    return format_money(amount, currency)


def minimum_charge(currency: str) -> int:
    """The smallest paid price: 1.00 in the currency's main unit (¥100 for yen)."""
    return 100 if exponent_of(currency) == 0 else 10 ** exponent_of(currency)


def check_title(raw: str) -> str:
    title = " ".join(raw.split())
    if not title or len(title) > MAX_TITLE:
        raise InvalidInput(f"Give it a title of 1–{MAX_TITLE} characters.", field="title")
    return title


def check_text(raw: str, *, field: str, limit: int) -> str:
    text = raw.strip()
    if len(text) > limit:
        raise InvalidInput(f"Keep this under {limit:,} characters.", field=field)
    return text


def check_category(raw: str) -> str:
    if raw not in CATEGORIES:
        raise InvalidInput("Choose a category.", field="category")
    return raw


def check_tags(raw: str) -> str:
    tags = [" ".join(tag.split()).lower() for tag in raw.split(",") if tag.strip()]
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"Use at most {MAX_TAGS} tags.", field="tags")
    for tag in tags:
        if not _TAG.match(tag):
            raise InvalidInput("Tags use letters, digits, spaces and -, up to 24 characters each.", field="tags")
    return ",".join(dict.fromkeys(tags))


def check_prices(pricing: str, price: str, suggested: str, currency: str) -> tuple[int, int | None]:
    """(price or minimum, suggested) in minor units for the pricing model."""
    if pricing == PricingModel.FREE:
        return 0, None
    amount = _amount(price or "0", currency, field="price")
    if pricing == PricingModel.FIXED:
        if amount < minimum_charge(currency):
            raise InvalidInput(
                f"The price must be at least {format_money(minimum_charge(currency), currency)}.", field="price"
            )
        return amount, None
    if pricing != PricingModel.PAY_WHAT_YOU_WANT:
        raise InvalidInput("Choose how to price it.", field="pricing")
    if 0 < amount < minimum_charge(currency):
        raise InvalidInput(
            f"A minimum must be 0 or at least {format_money(minimum_charge(currency), currency)}.", field="price"
        )
    suggested_amount = _amount(suggested, currency, field="suggested_price") if suggested.strip() else None
    if suggested_amount is not None and suggested_amount < amount:
        raise InvalidInput("The suggested amount can't be below the minimum.", field="suggested_price")
    return amount, suggested_amount


def _amount(text: str, currency: str, *, field: str) -> int:
    try:
        amount = parse_amount(text, currency)
    except ValueError as error:
        raise InvalidInput(str(error).replace("'", "“", 1).replace("'", "”", 1), field=field) from None
    if amount < 0 or amount > 100_000_000 * 10 ** exponent_of(currency):
        raise InvalidInput("Enter an amount between 0 and 1,000,000.", field=field)
    return amount


def check_whole_number(raw: str, *, field: str, low: int, high: int, optional: bool = False) -> int | None:
    text = raw.strip()
    if not text and optional:
        return None
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidInput(f"Enter a whole number from {low} to {high:,}.", field=field)
    return int(text)
