"""Memberships: tiers with prices per interval, fans' subscriptions to them, posts gated by tier, comments, tips."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from creatorly.kit.clock import utc_now
from creatorly.models.base import UTCDateTime
from creatorly.models.enums import BillingInterval, PostAudience, SubscriptionStatus

_LIVE_SUBSCRIPTION = text("status IN ('incomplete', 'trialing', 'active', 'past_due', 'paused')")


class Tier(SQLModel, table=True):
    """A membership level a creator offers; `position` orders tiers from lowest to highest."""

    __tablename__ = "tiers"
    __table_args__ = (Index("ix_tiers_creator_position", "creator_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    creator_id: int = Field(sa_column=Column(Integer, ForeignKey("creators.id", ondelete="CASCADE"), nullable=False))
    name: str = Field(max_length=80)
    description_markdown: str = Field(default="", sa_type=Text)
    benefits: str = Field(default="[]", sa_type=Text)  # JSON list of short texts
    member_cap: int | None = Field(default=None)
    welcome_message: str = Field(default="", sa_type=Text)
    trial_days: int = Field(default=0)
    position: int = Field(default=0)
    is_published: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class TierPrice(SQLModel, table=True):
    """What a tier costs per interval; a tier may offer several intervals, one price each."""

    __tablename__ = "tier_prices"
    __table_args__ = (UniqueConstraint("tier_id", "interval", name="uq_tier_prices_tier_interval"),)

    id: int | None = Field(default=None, primary_key=True)
    tier_id: int = Field(sa_column=Column(Integer, ForeignKey("tiers.id", ondelete="CASCADE"), nullable=False))
    interval: BillingInterval = Field(sa_type=String(20))
    amount: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    is_active: bool = Field(default=True)


class Subscription(SQLModel, table=True):
    """A fan's membership of one tier at one price, renewed each period through a payment provider."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        Index("ix_subscriptions_creator_status", "creator_id", "status"),
        Index("ix_subscriptions_due", "status", "current_period_end"),
        Index("ix_subscriptions_member_email", "member_email"),
        Index("ix_subscriptions_provider_reference", "provider", "provider_reference"),
        # One live membership per fan (email) and creator.
        Index(
            "uq_subscriptions_one_live",
            "creator_id",
            "member_email",
            unique=True,
            sqlite_where=_LIVE_SUBSCRIPTION,
            postgresql_where=_LIVE_SUBSCRIPTION,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    creator_id: int = Field(sa_column=Column(Integer, ForeignKey("creators.id", ondelete="RESTRICT"), nullable=False))
    tier_id: int = Field(sa_column=Column(Integer, ForeignKey("tiers.id", ondelete="RESTRICT"), nullable=False))
    tier_price_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tier_prices.id", ondelete="RESTRICT"), nullable=False)
    )
    member_user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    )
    member_email: str = Field(max_length=320)
    status: SubscriptionStatus = Field(default=SubscriptionStatus.INCOMPLETE, sa_type=String(20))
    interval: BillingInterval = Field(sa_type=String(20))
    amount: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    provider: str = Field(max_length=20)
    provider_reference: str | None = Field(default=None, max_length=255)
    card_fingerprint: str | None = Field(default=None, max_length=128)
    current_period_start: datetime | None = Field(default=None, sa_type=UTCDateTime)
    current_period_end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    trial_end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancel_at_period_end: bool = Field(default=False)
    pending_tier_price_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("tier_prices.id", ondelete="SET NULL"), nullable=True)
    )  # a downgrade waiting for the renewal
    paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    canceled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failed_attempts: int = Field(default=0)
    next_retry_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    grace_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class SubscriptionEvent(SQLModel, table=True):
    """One change of a subscription (status, tier, renewal, failure), with when and why."""

    __tablename__ = "subscription_events"
    # Work due by one kind of event and done by another (the Razorpay sweeper's anti-join, and has_event).
    __table_args__ = (Index("ix_subscription_events_kind_subscription_detail", "kind", "subscription_id", "detail"),)

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(
        sa_column=Column(Integer, ForeignKey("subscriptions.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    kind: str = Field(max_length=40)
    from_status: str = Field(default="", max_length=20)
    to_status: str = Field(default="", max_length=20)
    detail: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class TrialUse(SQLModel, table=True):
    """A free trial taken with a creator, by email and by card fingerprint: each may take one."""

    __tablename__ = "trial_uses"
    __table_args__ = (UniqueConstraint("creator_id", "identity", name="uq_trial_uses_creator_identity"),)

    id: int | None = Field(default=None, primary_key=True)
    creator_id: int = Field(sa_column=Column(Integer, ForeignKey("creators.id", ondelete="CASCADE"), nullable=False))
    identity: str = Field(max_length=200)  # "email:…" or "card:…"
    subscription_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("subscriptions.id", ondelete="SET NULL"), nullable=True)
    )
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Post(SQLModel, table=True):
    """A creator's post: public, for all members, or for a tier and above; optionally public from a set time."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("creator_id", "slug", name="uq_posts_creator_slug"),
        Index("ix_posts_creator_published", "creator_id", "published_at"),
        Index("ix_posts_public_at", "public_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    creator_id: int = Field(sa_column=Column(Integer, ForeignKey("creators.id", ondelete="CASCADE"), nullable=False))
    slug: str = Field(max_length=80)
    title: str = Field(max_length=160)
    teaser: str = Field(default="", max_length=300)
    body_markdown: str = Field(default="", sa_type=Text)
    image_key: str | None = Field(default=None, max_length=200)
    audience: PostAudience = Field(default=PostAudience.PUBLIC, sa_type=String(20))
    min_tier_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("tiers.id", ondelete="SET NULL"), nullable=True)
    )
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # None: a draft
    public_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # early access ends: everyone may read
    hidden_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # hidden by a moderator: nobody else sees it
    hidden_reason: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class PostComment(SQLModel, table=True):
    __tablename__ = "post_comments"
    __table_args__ = (Index("ix_post_comments_post_created", "post_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(sa_column=Column(Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False))
    author_user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    body: str = Field(sa_type=Text)  # sanitized plain text / Markdown
    is_hidden: bool = Field(default=False)  # hidden by the creator
    hidden_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # hidden by a moderator
    hidden_reason: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class CommenterBlock(SQLModel, table=True):
    """A fan the creator blocked from commenting on their posts."""

    __tablename__ = "commenter_blocks"
    __table_args__ = (UniqueConstraint("creator_id", "user_id", name="uq_commenter_blocks_creator_user"),)

    id: int | None = Field(default=None, primary_key=True)
    creator_id: int = Field(sa_column=Column(Integer, ForeignKey("creators.id", ondelete="CASCADE"), nullable=False))
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Tip(SQLModel, table=True):
    """A one-off tip: paid through its order (kind "tip"); the message shows on the wall when public."""

    __tablename__ = "tips"
    __table_args__ = (Index("ix_tips_creator_created", "creator_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(
        sa_column=Column(Integer, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, unique=True)
    )
    creator_id: int = Field(sa_column=Column(Integer, ForeignKey("creators.id", ondelete="CASCADE"), nullable=False))
    message: str = Field(default="", max_length=500)
    is_public: bool = Field(default=False)
    display_name: str = Field(default="", max_length=60)  # empty: anonymous
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class TipSettings(SQLModel, table=True):
    """A creator's tip jar: preset amounts and an optional goal with a progress bar."""

    __tablename__ = "tip_settings"

    creator_id: int = Field(
        sa_column=Column(Integer, ForeignKey("creators.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    )
    presets: str = Field(default="[]", max_length=200)  # JSON list of minor-unit amounts
    goal_title: str = Field(default="", max_length=120)
    goal_amount: int | None = Field(default=None, sa_type=BigInteger)
    goal_currency: str = Field(default="USD", max_length=3)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
