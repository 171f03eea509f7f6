"""Every status and kind stored in the database, as string enums (stored as plain strings)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    FAN = "fan"
    CREATOR = "creator"
    ADMIN = "admin"


class PricingModel(StrEnum):
    FIXED = "fixed"
    FREE = "free"
    PAY_WHAT_YOU_WANT = "pay_what_you_want"


class ProductStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class ScanStatus(StrEnum):
    """A product file's virus scan: waiting or under way, then clean, infected (quarantined) or failed."""

    PENDING = "pending"
    SCANNING = "scanning"
    CLEAN = "clean"
    INFECTED = "infected"
    ERROR = "error"


class OrderStatus(StrEnum):
    CREATED = "created"
    PENDING = "pending"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    FAILED = "failed"
    EXPIRED = "expired"


class PaymentProviderName(StrEnum):
    SANDBOX = "sandbox"
    STRIPE = "stripe"
    RAZORPAY = "razorpay"
    PAYPAL = "paypal"


class EmailStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class SubscriberStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"


class PayoutAccountKind(StrEnum):
    BANK = "bank"
    UPI = "upi"
    STRIPE = "stripe"
    PAYPAL = "paypal"


class PayoutSchedule(StrEnum):
    MANUAL = "manual"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class PayoutStatus(StrEnum):
    PENDING = "pending"
    IN_TRANSIT = "in_transit"
    PAID = "paid"
    FAILED = "failed"


class OrderKind(StrEnum):
    PRODUCT = "product"
    TIP = "tip"
    MEMBERSHIP = "membership"
    SESSION = "session"


class BillingInterval(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class SubscriptionStatus(StrEnum):
    INCOMPLETE = "incomplete"  # the first payment has not gone through yet
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    PAUSED = "paused"
    CANCELED = "canceled"


class PostAudience(StrEnum):
    PUBLIC = "public"
    MEMBERS = "members"
    TIER = "tier"  # members of `min_tier` or a higher tier


class BookingStatus(StrEnum):
    """A paid 1:1 session's booking, from the unpaid request to settlement."""

    REQUESTED = "requested"  # chosen, its order not paid yet: the slot is not held
    BOOKED = "booked"  # paid: the slot is the fan's
    COMPLETED = "completed"  # the creator reported it took place (or a no-show); waiting for the fan's window
    DISPUTED = "disputed"  # the fan raised a dispute: an admin decides
    CANCELLED = "cancelled"  # by the creator or the fan: the slot is free, settlement refunds per the policy
    SETTLED = "settled"  # the escrow was split and posted
    CONFLICTED = "conflicted"  # paid for a slot another fan's payment took first: refunded in full
    EXPIRED = "expired"  # never paid
