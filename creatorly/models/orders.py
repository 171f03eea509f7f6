"""Orders: one purchase attempt by a buyer, from creation to payment, refund or expiry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from creatorly.kit.clock import utc_now
from creatorly.models.base import UTCDateTime
from creatorly.models.enums import OrderKind, OrderStatus, PaymentProviderName


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_creator_created_at", "creator_id", "created_at"),
        Index("ix_orders_status_created_at", "status", "created_at"),
        Index("ix_orders_provider_reference", "provider", "provider_reference"),
        Index("ix_orders_paid_at", "paid_at"),  # the admin overview's date ranges
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    creator_id: int = Field(sa_column=Column(Integer, ForeignKey("creators.id", ondelete="RESTRICT"), nullable=False))
    kind: OrderKind = Field(
        default=OrderKind.PRODUCT, sa_column=Column(String(20), nullable=False, server_default="product")
    )
    product_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("products.id", ondelete="RESTRICT"), nullable=True)
    )  # set for kind "product"
    subscription_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("subscriptions.id", ondelete="RESTRICT"), nullable=True, index=True),
    )  # set for kind "membership": the subscription this charge is for
    buyer_user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    )
    buyer_email: str = Field(max_length=320)
    amount: int = Field(sa_type=BigInteger)  # what the buyer pays, after any discount
    currency: str = Field(max_length=3)
    provider_fee: int = Field(default=0, sa_type=BigInteger)
    refunded_amount: int = Field(default=0, sa_type=BigInteger)
    checkout_key: str | None = Field(default=None, sa_column=Column(String(64), nullable=True, unique=True))
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    list_amount: int | None = Field(default=None, sa_type=BigInteger)  # before the discount, when one applied
    discount_code_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("discount_codes.id", ondelete="SET NULL"), nullable=True)
    )
    status: OrderStatus = Field(default=OrderStatus.CREATED, sa_type=String(30))
    provider: PaymentProviderName = Field(default=PaymentProviderName.SANDBOX, sa_type=String(20))
    provider_reference: str | None = Field(default=None, max_length=255)
    # The provider's id of the captured payment when it differs from provider_reference (Razorpay's pay_…).
    provider_payment_id: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class OrderEvent(SQLModel, table=True):
    """One transition of an order's state machine, with when and why."""

    __tablename__ = "order_events"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(
        sa_column=Column(Integer, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    from_status: str = Field(max_length=30)
    to_status: str = Field(max_length=30)
    cause: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class PaymentAttempt(SQLModel, table=True):
    """The payment log: every call to or from a provider about an order, never with card data."""

    __tablename__ = "payment_attempts"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("orders.id", ondelete="SET NULL"), nullable=True, index=True)
    )
    provider: str = Field(max_length=20)
    action: str = Field(max_length=40)
    outcome: str = Field(max_length=20)
    detail: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Entitlement(SQLModel, table=True):
    """A buyer's right to download one file of a paid order, with its limits."""

    __tablename__ = "entitlements"
    __table_args__ = (UniqueConstraint("order_id", "product_file_id", name="uq_entitlements_order_file"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(sa_column=Column(Integer, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False))
    product_file_id: int = Field(
        sa_column=Column(Integer, ForeignKey("product_files.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    download_count: int = Field(default=0)
    download_limit: int = Field(default=5)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Refund(SQLModel, table=True):
    """A refund of part or all of a paid order, asked of the provider once (idempotency key) and applied once."""

    __tablename__ = "refunds"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(
        sa_column=Column(Integer, ForeignKey("orders.id", ondelete="RESTRICT"), nullable=False, index=True)
    )
    amount: int = Field(sa_type=BigInteger)
    reason: str = Field(default="", max_length=200)
    status: str = Field(default="requested", max_length=20)  # requested | succeeded | failed
    idempotency_key: str = Field(sa_column=Column(String(80), nullable=False, unique=True))
    provider_reference: str | None = Field(default=None, max_length=255, index=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class DiscountCode(SQLModel, table=True):
    """A creator's discount: percent or fixed, store-wide or for one product, with a window and a cap."""

    __tablename__ = "discount_codes"
    __table_args__ = (UniqueConstraint("creator_id", "code", name="uq_discount_codes_creator_code"),)

    id: int | None = Field(default=None, primary_key=True)
    creator_id: int = Field(sa_column=Column(Integer, ForeignKey("creators.id", ondelete="CASCADE"), nullable=False))
    code: str = Field(max_length=40)  # stored upper case
    kind: str = Field(max_length=10)  # percent | fixed
    value: int = Field(sa_type=BigInteger)  # percent in basis points (1000 = 10 %) or minor units
    currency: str = Field(default="USD", max_length=3)
    product_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("products.id", ondelete="CASCADE"), nullable=True)
    )
    starts_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    max_redemptions: int | None = Field(default=None)
    redemptions: int = Field(default=0)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
