"""Pure discount math and input parsing: integer minor units and basis points, never floats."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from creatorly.errors import InvalidInput

PERCENT = "percent"
FIXED = "fixed"
KINDS = (PERCENT, FIXED)
FULL_PERCENT_BASIS_POINTS = 10_000  # 100 %
MAX_CODE_LENGTH = 40
CODE_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def percent_discount(amount: int, basis_points: int) -> int:
    """The discount in minor units: `amount × basis_points / 10 000`, rounded half up, at most the amount."""
    if amount <= 0 or basis_points <= 0:
        return 0
    # Half up with integers only: add half the divisor before the floor division.
    discount = (amount * basis_points + FULL_PERCENT_BASIS_POINTS // 2) // FULL_PERCENT_BASIS_POINTS
    return min(discount, amount)


def apply_discount(amount: int, kind: str, value: int) -> int:
    """What is left to pay after the discount; never below 0. Fixed values are in the order's currency."""
    if kind == PERCENT:
        return amount - percent_discount(amount, value)
    if kind == FIXED:
        return max(0, amount - max(0, value))
    raise ValueError(f"unknown discount kind {kind!r}")


def normalized_code(raw: str) -> str:
    """Codes compare case-insensitively: stored and looked up upper case, without surrounding spaces."""
    return raw.strip().upper()


def checked_code(raw: str) -> str:
    code = normalized_code(raw)
    if not code or len(code) > MAX_CODE_LENGTH or not set(code) <= CODE_ALPHABET:
        raise InvalidInput(
            f"Use 1–{MAX_CODE_LENGTH} letters, digits, dashes or underscores, like SPRING25.", field="code"
        )
    return code


def checked_kind(raw: str) -> str:
    kind = raw.strip().lower()
    if kind not in KINDS:
        raise InvalidInput("Choose percent or fixed amount.", field="kind")
    return kind


def parse_percent(text: str) -> int:
    """'12.5' → 1250 basis points; more than 0 and at most 100 %, at most two decimals."""
    try:
        value = Decimal(text.strip().rstrip("%").strip())
    except InvalidOperation:
        raise InvalidInput("Enter a percentage, like 10 or 12.5.", field="value") from None
    if not value.is_finite():
        raise InvalidInput("Enter a percentage, like 10 or 12.5.", field="value")
    scaled = value * 100
    if scaled != scaled.to_integral_value():
        raise InvalidInput("Use at most two decimals, like 12.25.", field="value")
    basis_points = int(scaled)
    if not 0 < basis_points <= FULL_PERCENT_BASIS_POINTS:
        raise InvalidInput("Enter a percentage above 0 and at most 100.", field="value")
    return basis_points


def percent_label(basis_points: int) -> str:
    """1000 → '10 %', 1250 → '12.5 %'."""
    value = (Decimal(basis_points) / 100).normalize()
    return f"{value:f} %"
