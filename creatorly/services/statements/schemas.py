"""What statements return: plain data for the dashboard page and the PDF."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One ledger transaction as the creator reads it; amounts in minor units, positive = to the creator."""

    posted_at: datetime
    label: str
    description: str
    gross: int
    fees: int
    net: int
    gross_label: str
    fees_label: str
    net_label: str


@dataclass(frozen=True, slots=True)
class CurrencyStatement:
    currency: str
    opening: int
    sales: int
    refunds: int
    fees: int
    payouts: int
    closing: int
    lines: list[StatementLine]
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Statement:
    creator_name: str
    handle: str
    month: str  # YYYY-MM
    month_label: str  # November 2026
    timezone: str
    generated_at: datetime
    currencies: list[CurrencyStatement]
