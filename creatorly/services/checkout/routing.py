"""Which payment provider takes a sale: the operator's routing by currency, else the sensible default."""

from __future__ import annotations

from creatorly.config import parse_payment_routing, settings
from creatorly.models.enums import PaymentProviderName

RAZORPAY_CURRENCY = "INR"


def provider_for(currency: str) -> PaymentProviderName:
    """CREATORLY_PAYMENT_ROUTING when set (its `*` for the rest, the sandbox when nothing matches);
    otherwise INR → Razorpay when configured, anything else → Stripe when configured, else the sandbox.

    Settings refuse a route to a provider whose keys are unset, so the answer is always a provider that is on.
    """
    code = currency.upper()
    routes = parse_payment_routing(settings.payment_routing)
    if routes:
        return PaymentProviderName(routes.get(code) or routes.get("*") or PaymentProviderName.SANDBOX)
    if code == RAZORPAY_CURRENCY and settings.is_razorpay_enabled:
        return PaymentProviderName.RAZORPAY
    if settings.is_stripe_enabled:
        return PaymentProviderName.STRIPE
    return PaymentProviderName.SANDBOX


def membership_provider_for(currency: str) -> PaymentProviderName:
    """The provider of a membership (a subscription charged again and again): the routing's choice, except that
    Creatorly has no PayPal subscriptions, so a currency routed to PayPal takes memberships through the default
    choice instead (INR → Razorpay when configured, else Stripe when configured, else the sandbox)."""
    routed = provider_for(currency)
    if routed != PaymentProviderName.PAYPAL:
        return routed
    if currency.upper() == RAZORPAY_CURRENCY and settings.is_razorpay_enabled:
        return PaymentProviderName.RAZORPAY
    if settings.is_stripe_enabled:
        return PaymentProviderName.STRIPE
    return PaymentProviderName.SANDBOX
