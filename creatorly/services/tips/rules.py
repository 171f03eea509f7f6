"""Pure tip rules: minimum and default amounts per currency, parsing amounts and presets, cleaning messages."""

from __future__ import annotations

import html
import re
import unicodedata

import nh3

from creatorly.errors import InvalidInput
from creatorly.kit.money import CURRENCY_EXPONENTS, exponent_of, format_money, parse_amount

MAX_MESSAGE_LENGTH = 500
MAX_DISPLAY_NAME_LENGTH = 60
MAX_GOAL_TITLE_LENGTH = 120
MAX_PRESETS = 6
# The smallest tip per currency, in minor units; others: one whole unit of the currency.
MINIMUM_TIPS: dict[str, int] = {"USD": 100, "EUR": 100, "GBP": 100, "CAD": 100, "AUD": 100, "INR": 1000, "JPY": 100}
# What the tip buttons offer until the creator sets their own, in minor units.
DEFAULT_PRESETS: dict[str, tuple[int, ...]] = {
    "USD": (300, 500, 1000),
    "EUR": (300, 500, 1000),
    "GBP": (300, 500, 1000),
    "CAD": (300, 500, 1000),
    "AUD": (300, 500, 1000),
    "INR": (5000, 10000, 25000),
    "JPY": (300, 500, 1000),
}
# A tip may be at most this many times the minimum (10,000.00 USD, 100,000.00 INR).
MAXIMUM_TIP_MULTIPLE = 10_000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t]+")


def minimum_tip(currency: str) -> int:
    code = currency.upper()
    return MINIMUM_TIPS.get(code, int(10 ** exponent_of(code)))


def maximum_tip(currency: str) -> int:
    return minimum_tip(currency) * MAXIMUM_TIP_MULTIPLE


def default_presets(currency: str) -> list[int]:
    code = currency.upper()
    unit = int(10 ** exponent_of(code))
    return list(DEFAULT_PRESETS.get(code, (3 * unit, 5 * unit, 10 * unit)))


def supported_currency(currency: str) -> str:
    """The upper-cased ISO code, or InvalidInput(field="currency") for one Creatorly does not handle."""
    code = currency.strip().upper()
    if code not in CURRENCY_EXPONENTS:
        raise InvalidInput("Choose a supported currency.", field="currency")
    return code


def parse_tip_amount(text: str, currency: str, *, field: str = "amount") -> int:
    """What the fan typed (or the preset they picked), in minor units, within the currency's minimum and maximum."""
    if not text.strip():
        raise InvalidInput("Choose or enter an amount.", field=field)
    try:
        amount = parse_amount(text, currency)
    except ValueError:
        raise InvalidInput("Enter an amount, like 5 or 12.50.", field=field) from None
    low, high = minimum_tip(currency), maximum_tip(currency)
    if amount < low:
        raise InvalidInput(f"The smallest tip is {format_money(low, currency)}.", field=field)
    if amount > high:
        raise InvalidInput(f"The largest tip is {format_money(high, currency)}.", field=field)
    return amount


def plain_text(text: str) -> str:
    """Fan-written text as plain text: tags (and script/style contents) dropped, entities decoded, controls gone.

    It is stored like this and always rendered escaped, so nothing in it can become markup.
    """
    normalized = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    without_tags = html.unescape(nh3.clean(normalized, tags=set(), strip_comments=True))
    lines = [_SPACES.sub(" ", line).strip() for line in _CONTROL.sub("", without_tags).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def clean_message(text: str) -> str:
    """The optional message, at most MAX_MESSAGE_LENGTH characters as typed and as stored."""
    if len(text.strip()) > MAX_MESSAGE_LENGTH:
        raise InvalidInput(f"Keep your message under {MAX_MESSAGE_LENGTH} characters.", field="message")
    return plain_text(text)[:MAX_MESSAGE_LENGTH]


def clean_display_name(text: str, *, is_anonymous: bool) -> str:
    """The name shown with the tip; empty means "Anonymous"."""
    if is_anonymous:
        return ""
    if len(text.strip()) > MAX_DISPLAY_NAME_LENGTH:
        raise InvalidInput(f"Keep your name under {MAX_DISPLAY_NAME_LENGTH} characters.", field="display_name")
    return " ".join(plain_text(text).split())[:MAX_DISPLAY_NAME_LENGTH]


def parse_presets(text: str, currency: str) -> list[int]:
    """'3, 5, 10' → [300, 500, 1000]: one to six distinct amounts, each a valid tip, smallest first.

    Commas separate amounts here, so they are never thousands separators.
    """
    parts = [part for part in re.split(r"[\s,;]+", text.strip()) if part]
    if not parts:
        raise InvalidInput("Enter at least one amount, like 3 5 10.", field="presets")
    if len(parts) > MAX_PRESETS:
        raise InvalidInput(f"Offer at most {MAX_PRESETS} amounts.", field="presets")
    amounts = {parse_tip_amount(part, currency, field="presets") for part in parts}
    return sorted(amounts)


def parse_goal_amount(text: str, currency: str) -> int | None:
    """The goal in minor units, or None when left empty (no goal)."""
    if not text.strip():
        return None
    try:
        amount = parse_amount(text, currency)
    except ValueError:
        raise InvalidInput("Enter the goal as an amount, like 500.", field="goal_amount") from None
    if amount <= 0:
        raise InvalidInput("Enter a goal above zero.", field="goal_amount")
    if amount > maximum_tip(currency) * 100:
        raise InvalidInput("That goal is too large.", field="goal_amount")
    return amount


def clean_goal_title(text: str) -> str:
    title = " ".join(plain_text(text).split())
    if len(title) > MAX_GOAL_TITLE_LENGTH:
        raise InvalidInput(f"Keep the goal's title under {MAX_GOAL_TITLE_LENGTH} characters.", field="goal_title")
    return title


def goal_percent(raised: int, goal: int) -> int:
    """Whole percent of the goal reached, 0 to 100 (integer arithmetic, rounded down)."""
    if goal <= 0:
        return 0
    return max(0, min(100, raised * 100 // goal))


def amount_text(amount: int, currency: str) -> str:
    """Minor units as the plain text a person would type: 500 USD → '5', 1250 USD → '12.50', 300 JPY → '300'."""
    exponent = exponent_of(currency)
    whole, fraction = divmod(amount, 10**exponent)
    return str(whole) if fraction == 0 or exponent == 0 else f"{whole}.{fraction:0{exponent}d}"
