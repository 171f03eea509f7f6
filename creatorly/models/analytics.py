"""Analytics: raw events (kept 90 days), daily rollups per creator (kept), and the daily visitor salt.

No IP address or user agent is ever stored: a visitor is a hash of that day's random salt, the IP and the user
agent, and the salt is deleted once its day is over, so yesterday's visitors cannot be recomputed or followed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Index, Integer, PrimaryKeyConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from creatorly.models.base import UTCDateTime


class AnalyticsEvent(SQLModel, table=True):
    """One thing that happened on a creator's storefront or to their money (raw; deleted after 90 days)."""

    __tablename__ = "analytics_events"
    __table_args__ = (
        Index("ix_analytics_events_creator_occurred_at", "creator_id", "occurred_at"),
        Index("ix_analytics_events_occurred_at", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    creator_id: int = Field(sa_column=Column(Integer, ForeignKey("creators.id", ondelete="CASCADE"), nullable=False))
    kind: str = Field(max_length=32)
    product_id: int | None = Field(default=None)
    visitor_id: str | None = Field(default=None, max_length=32)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    day: date = Field(sa_type=Date)  # in the creator's timezone at the time
    referrer_domain: str | None = Field(default=None, max_length=255)
    utm_source: str | None = Field(default=None, max_length=100)
    utm_medium: str | None = Field(default=None, max_length=100)
    utm_campaign: str | None = Field(default=None, max_length=100)
    amount: int = Field(default=0, sa_type=BigInteger)
    net_amount: int = Field(default=0, sa_type=BigInteger)
    currency: str = Field(default="", max_length=3)


class AnalyticsDaily(SQLModel, table=True):
    """A day's totals of one kind of event for one creator, in total ('') or for one dimension
    ('product:12', 'referrer:example.com', 'campaign:source/medium/name'). Updated as events arrive."""

    __tablename__ = "analytics_daily"
    __table_args__ = (
        UniqueConstraint("creator_id", "day", "kind", "dimension", "currency", name="uq_analytics_daily_key"),
        # The dashboard reads one dimension type over a range of days: totals, products, referrers or campaigns.
        # The index holds every column those reads use, so a year of product rows is read from the index alone.
        Index(
            "ix_analytics_daily_creator_type_day_covering",
            "creator_id",
            "dimension_type",
            "day",
            "dimension",
            "kind",
            "currency",
            "events",
            "visitors",
            "amount",
            "net_amount",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    creator_id: int = Field(sa_column=Column(Integer, ForeignKey("creators.id", ondelete="CASCADE"), nullable=False))
    day: date = Field(sa_type=Date)
    kind: str = Field(max_length=32)
    dimension: str = Field(default="", max_length=320)
    dimension_type: str = Field(default="", max_length=16)  # the part of `dimension` before ':' ('' for totals)
    currency: str = Field(default="", max_length=3)
    events: int = Field(default=0, sa_type=BigInteger)
    visitors: int = Field(default=0, sa_type=BigInteger)
    amount: int = Field(default=0, sa_type=BigInteger)
    net_amount: int = Field(default=0, sa_type=BigInteger)


class AnalyticsDailyVisitor(SQLModel, table=True):
    """Which visitor ids a day's rollup row already counted (deleted two days later, once no event can add to it)."""

    __tablename__ = "analytics_daily_visitors"
    __table_args__ = (
        PrimaryKeyConstraint(
            "creator_id", "day", "kind", "dimension", "visitor_id", name="pk_analytics_daily_visitors"
        ),
    )

    creator_id: int = Field(sa_column=Column(Integer, ForeignKey("creators.id", ondelete="CASCADE"), nullable=False))
    day: date = Field(sa_type=Date, index=True)
    kind: str = Field(max_length=32)
    dimension: str = Field(default="", max_length=320)
    visitor_id: str = Field(max_length=32)


class AnalyticsSalt(SQLModel, table=True):
    """The random salt of one UTC day's visitor ids; deleted the day after."""

    __tablename__ = "analytics_salts"

    day: date = Field(sa_type=Date, primary_key=True)
    salt: str = Field(max_length=64)
