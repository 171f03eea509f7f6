"""Orders: one purchase attempt by a buyer, from creation to payment, refund or expiry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from creatorly.kit.clock import utc_now
from creatorly.models.base import UTCDateTime
from creatorly.models.enums import OrderStatus, PaymentProviderName


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_creator_created_at", "creator_id", "created_at"),
        Index("ix_orders_status_created_at", "status", "created_at"),
        Index("ix_orders_provider_reference", "provider", "provider_reference"),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    creator_id: int = Field(sa_column=Column(Integer, ForeignKey("creators.id", ondelete="RESTRICT"), nullable=False))
    product_id: int = Field(sa_column=Column(Integer, ForeignKey("products.id", ondelete="RESTRICT"), nullable=False))
    buyer_user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    )
    buyer_email: str = Field(max_length=320)
    amount: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    status: OrderStatus = Field(default=OrderStatus.CREATED, sa_type=String(30))
    provider: PaymentProviderName = Field(default=PaymentProviderName.SANDBOX, sa_type=String(20))
    provider_reference: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
