"""Paid 1:1 sessions: what a creator offers, when they are free, and each fan's booking of a slot.

Times are stored in UTC; weekly availability is kept as minutes after midnight in the creator's timezone
(`Creator.timezone`), so "Mondays 09:00–12:00" stays 09:00 across daylight-saving changes.

Double booking is refused by the database, not by a read before a write: on PostgreSQL an exclusion
constraint (migration 0025, btree_gist) forbids two live bookings of one creator whose `[starts_at,
blocked_until)` ranges overlap; SQLite (the single-process development default) has a partial unique index
on the start of live bookings, and its writes are serialised anyway.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from creatorly.kit.clock import utc_now
from creatorly.models.base import UTCDateTime
from creatorly.models.enums import BookingStatus

# Bookings that hold their slot: paid and not yet cancelled (or settled after taking place).
LIVE_BOOKING = text("status IN ('booked', 'completed', 'disputed')")


class SessionType(SQLModel, table=True):
    """One kind of session a creator sells: length, price, buffer, daily cap, place and cancellation policy."""

    __tablename__ = "session_types"
    __table_args__ = (Index("ix_session_types_creator_active", "creator_id", "is_active"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    creator_id: int = Field(sa_column=Column(Integer, ForeignKey("creators.id", ondelete="CASCADE"), nullable=False))
    title: str = Field(max_length=120)
    description: str = Field(default="", sa_type=Text)
    duration_minutes: int
    price: int = Field(sa_type=BigInteger)  # minor units of `currency`
    currency: str = Field(max_length=3)
    buffer_minutes: int = Field(default=0)  # kept free after each booking
    max_per_day: int | None = Field(default=None)  # bookings of this type per day in the creator's timezone
    location: str = Field(default="", max_length=500)  # a video link or a place
    free_cancel_hours: int = Field(default=24)  # cancelling at least this long before the start is free
    late_fee_percent: int = Field(default=50)  # what a late cancel or a fan no-show costs the fan, 0–100
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class WeeklyAvailability(SQLModel, table=True):
    """One window of a weekday in the creator's timezone (several per day allowed, not overlapping)."""

    __tablename__ = "session_availability"

    id: int | None = Field(default=None, primary_key=True)
    creator_id: int = Field(
        sa_column=Column(Integer, ForeignKey("creators.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    weekday: int  # 0 = Monday … 6 = Sunday
    start_minute: int  # minutes after midnight, 0–1439
    end_minute: int  # 1–1440, after start_minute


class AvailabilityException(SQLModel, table=True):
    """A date whose hours differ from the week: a day off (no window) or a day's own windows."""

    __tablename__ = "session_availability_exceptions"
    __table_args__ = (Index("ix_session_availability_exceptions_creator_day", "creator_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    creator_id: int = Field(sa_column=Column(Integer, ForeignKey("creators.id", ondelete="CASCADE"), nullable=False))
    day: date = Field(sa_type=Date)  # in the creator's timezone
    start_minute: int | None = Field(default=None)  # both None: unavailable all day
    end_minute: int | None = Field(default=None)


class SessionBooking(SQLModel, table=True):
    """A fan's booking of one slot, from the unpaid request to settlement.

    `blocked_until` is the end plus the type's buffer: the range the creator is unavailable for.
    """

    __tablename__ = "session_bookings"
    __table_args__ = (
        UniqueConstraint("order_id", name="uq_session_bookings_order"),
        Index("ix_session_bookings_creator_starts", "creator_id", "starts_at"),
        Index("ix_session_bookings_status_ends", "status", "ends_at"),
        Index("ix_session_bookings_fan_user", "fan_user_id"),
        Index(
            "uq_session_bookings_live_start",
            "creator_id",
            "starts_at",
            unique=True,
            sqlite_where=LIVE_BOOKING,
            postgresql_where=LIVE_BOOKING,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    creator_id: int = Field(sa_column=Column(Integer, ForeignKey("creators.id", ondelete="RESTRICT"), nullable=False))
    session_type_id: int = Field(
        sa_column=Column(Integer, ForeignKey("session_types.id", ondelete="RESTRICT"), nullable=False)
    )
    order_id: int = Field(sa_column=Column(Integer, ForeignKey("orders.id", ondelete="RESTRICT"), nullable=False))
    fan_user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    )
    fan_email: str = Field(max_length=320)
    fan_name: str = Field(default="", max_length=120)
    fan_timezone: str = Field(default="UTC", max_length=64)
    note: str = Field(default="", sa_type=Text)  # what the fan wants to talk about
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    blocked_until: datetime = Field(sa_type=UTCDateTime)
    status: BookingStatus = Field(default=BookingStatus.REQUESTED, sa_type=String(20))
    invite_sequence: int = Field(default=0)  # the .ics SEQUENCE: bumped by each reschedule
    reschedules: int = Field(default=0)
    cancelled_by: str | None = Field(default=None, max_length=10)  # creator | fan
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    creator_report: str | None = Field(default=None, max_length=20)  # completed | fan_no_show | creator_no_show
    creator_reported_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    fan_confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    satisfaction: int | None = Field(default=None)  # 1–5, the fan's rating
    dispute_reason: str | None = Field(default=None, sa_type=Text)
    disputed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    admin_creator_percent: int | None = Field(default=None)  # an admin's decided split of a dispute
    admin_decision_reason: str | None = Field(default=None, max_length=500)
    outcome: str | None = Field(default=None, max_length=30)
    penalty: int = Field(default=0, sa_type=BigInteger)  # recorded against the creator (no-show, late cancel)
    settled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminded_24h_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminded_1h_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
