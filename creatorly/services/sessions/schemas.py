"""What session use cases take and give: plain dataclasses, amounts already formatted for display."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class SessionTypeInput:
    """A session type as typed in the dashboard form (every field a string, checked on the server)."""

    title: str
    description: str = ""
    duration_text: str = "30"
    price_text: str = ""
    currency: str = "USD"
    buffer_text: str = "0"
    max_per_day_text: str = ""
    location: str = ""
    free_cancel_hours_text: str = "24"
    late_fee_percent_text: str = "50"
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class SessionTypeView:
    public_id: str
    title: str
    description: str
    duration_minutes: int
    price: int
    currency: str
    price_label: str
    buffer_minutes: int
    max_per_day: int | None
    location: str
    free_cancel_hours: int
    late_fee_percent: int
    policy_text: str
    is_active: bool


@dataclass(frozen=True, slots=True)
class WindowText:
    start: str  # "09:00"
    end: str  # "12:30"


@dataclass(frozen=True, slots=True)
class DayAvailability:
    weekday: int
    name: str
    windows: list[WindowText]


@dataclass(frozen=True, slots=True)
class ExceptionView:
    day: str  # ISO date in the creator's timezone
    windows: list[WindowText]  # empty: a day off


@dataclass(frozen=True, slots=True)
class AvailabilityView:
    timezone: str
    days: list[DayAvailability]
    exceptions: list[ExceptionView]


@dataclass(frozen=True, slots=True)
class Slot:
    starts_at: str  # ISO 8601 in UTC: what the fan's choice sends back
    label: str  # "14:30" in the fan's timezone


@dataclass(frozen=True, slots=True)
class SlotDay:
    day: str  # ISO date in the fan's timezone
    label: str  # "Monday, 8 March"
    slots: list[Slot]


@dataclass(frozen=True, slots=True)
class BookingOffer:
    """The fan's booking page: the creator, the session type, its rules and the free slots in the fan's time."""

    handle: str
    creator_name: str
    session_type: SessionTypeView
    timezone: str
    days: list[SlotDay]
    rules_text: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class NewBooking:
    handle: str
    session_type_id: str
    starts_at: str  # ISO 8601, one of the offered slots
    fan_email: str
    fan_name: str
    fan_timezone: str
    checkout_key: str
    note: str = ""
    buyer_user_id: int | None = None


@dataclass(frozen=True, slots=True)
class BookingView:
    """One booking as either side sees it; times already in the viewer's timezone."""

    public_id: str
    status: str
    status_label: str
    title: str
    creator_name: str
    handle: str
    fan_name: str
    fan_email: str
    starts_at: datetime
    ends_at: datetime
    when_label: str
    timezone: str
    location: str
    price_label: str
    note: str
    policy_text: str
    satisfaction: int | None
    creator_report: str | None
    fan_confirmed: bool
    dispute_reason: str | None
    outcome: str | None
    outcome_label: str
    can_cancel: bool
    cancel_is_late: bool
    can_reschedule: bool
    can_report: bool
    can_confirm: bool
    can_dispute: bool
    page_url: str = ""
    session_type_id: str = ""  # the type's public id: its free slots, for a reschedule
    cancel_refund_text: str = ""  # what a cancel by the fan now would refund
    penalty_label: str = ""  # "$20.00" recorded against the creator (a no-show or a late cancel), else ""


@dataclass(frozen=True, slots=True)
class SessionReceipt:
    """A session order as its signed order-page link shows it, with the way to the booking's own page."""

    order_public_id: str
    status: str  # an OrderStatus value
    status_label: str
    title: str
    creator_name: str
    amount_label: str
    paid_at: datetime | None
    when_label: str
    timezone: str
    booking_status: str
    booking_status_label: str
    booking_path: str  # `/bookings/{public_id}?key=…`, relative: the page links within the site
