"""What tip use cases take and return: plain data for states and tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class NewTip:
    """A fan's tip as typed in the form; every field is checked by the service."""

    handle: str
    amount_text: str
    buyer_email: str
    checkout_key: str
    message: str = ""
    display_name: str = ""
    is_public: bool = False
    is_anonymous: bool = False
    buyer_user_id: int | None = None


@dataclass(frozen=True, slots=True)
class PresetOption:
    amount: int
    label: str  # "$5.00"
    text: str  # "5", what the amount field receives


@dataclass(frozen=True, slots=True)
class GoalProgress:
    title: str
    goal_label: str
    raised_label: str
    percent: int


@dataclass(frozen=True, slots=True)
class TipJar:
    """A creator's tip jar as the storefront shows it."""

    handle: str
    creator_name: str
    currency: str
    presets: list[PresetOption]
    minimum_label: str
    goal: GoalProgress | None = None


@dataclass(frozen=True, slots=True)
class WallEntry:
    supporter: str  # the display name, or "Anonymous"
    message: str  # plain text: render it escaped
    amount_label: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class WallPage:
    items: list[WallEntry]
    page: int
    has_more: bool


@dataclass(frozen=True, slots=True)
class TipRow:
    order_public_id: str
    created_at: datetime
    amount_label: str
    supporter: str
    buyer_email: str
    message: str
    is_public: bool
    status: str


@dataclass(frozen=True, slots=True)
class TipTotal:
    currency: str
    count: int
    amount_label: str  # received, net of refunds


@dataclass(frozen=True, slots=True)
class TipsPage:
    items: list[TipRow]
    totals: list[TipTotal]
    total: int
    page: int
    page_count: int


@dataclass(frozen=True, slots=True)
class TipSettingsView:
    currency: str
    presets_text: str  # "3 5 10"
    goal_title: str
    goal_amount_text: str  # "" when there is no goal


@dataclass(frozen=True, slots=True)
class TipSettingsInput:
    presets_text: str
    goal_title: str = ""
    goal_amount_text: str = ""


@dataclass(frozen=True, slots=True)
class TipReceipt:
    """A tip order as the fan's order page shows it."""

    order_public_id: str
    status: str  # an OrderStatus value
    creator_name: str
    handle: str
    amount_label: str
    message: str
    is_public: bool
    paid_at: datetime | None


@dataclass(frozen=True, slots=True)
class SentTip:
    """A tip as the fan who sent it sees it in their library."""

    order_public_id: str
    creator_name: str
    handle: str
    amount_label: str
    message: str
    is_public: bool
    status: str  # an OrderStatus value
    sent_at: datetime
    order_url: str
