"""SQLModel tables, one module per aggregate; importing this package registers them all."""

from creatorly.models.accounts import AccountToken, BackupCode, ExternalIdentity, User, UserSession
from creatorly.models.analytics import AnalyticsDaily, AnalyticsDailyVisitor, AnalyticsEvent, AnalyticsSalt
from creatorly.models.audience import Subscriber
from creatorly.models.audit import AuditEntry
from creatorly.models.catalog import Creator, Product, ProductFile
from creatorly.models.email import OutboxAttachment, OutboxEmail
from creatorly.models.external_events import ExternalEvent
from creatorly.models.ledger import LedgerEntry, LedgerTransaction
from creatorly.models.memberships import (
    CommenterBlock,
    Post,
    PostComment,
    Subscription,
    SubscriptionEvent,
    Tier,
    TierPrice,
    Tip,
    TipSettings,
    TrialUse,
)
from creatorly.models.moderation import ModerationCase, Report
from creatorly.models.orders import DiscountCode, Entitlement, Order, OrderEvent, PaymentAttempt, Refund
from creatorly.models.payouts import Payout, PayoutAccount, PayoutEvent, PayoutSettings, SandboxPayoutTransfer
from creatorly.models.reviews import Review, ReviewVote
from creatorly.models.sandbox import SandboxPayment, SandboxWebhook
from creatorly.models.sessions import AvailabilityException, SessionBooking, SessionType, WeeklyAvailability

__all__ = [
    "AccountToken",
    "AnalyticsDaily",
    "AnalyticsDailyVisitor",
    "AnalyticsEvent",
    "AnalyticsSalt",
    "AuditEntry",
    "AvailabilityException",
    "BackupCode",
    "CommenterBlock",
    "Creator",
    "DiscountCode",
    "Entitlement",
    "ExternalEvent",
    "ExternalIdentity",
    "LedgerEntry",
    "LedgerTransaction",
    "ModerationCase",
    "Order",
    "OrderEvent",
    "OutboxAttachment",
    "OutboxEmail",
    "PaymentAttempt",
    "Payout",
    "PayoutAccount",
    "PayoutEvent",
    "PayoutSettings",
    "Post",
    "PostComment",
    "Product",
    "ProductFile",
    "Refund",
    "Report",
    "Review",
    "ReviewVote",
    "SandboxPayment",
    "SandboxPayoutTransfer",
    "SandboxWebhook",
    "SessionBooking",
    "SessionType",
    "Subscriber",
    "Subscription",
    "SubscriptionEvent",
    "Tier",
    "TierPrice",
    "Tip",
    "TipSettings",
    "TrialUse",
    "User",
    "UserSession",
    "WeeklyAvailability",
]
