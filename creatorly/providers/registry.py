"""The one place that picks each outside-system implementation from settings."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from creatorly.config import settings
from creatorly.providers.email.base import Mailer
from creatorly.providers.email.outbox import OutboxMailer
from creatorly.providers.email.smtp import SmtpMailer
from creatorly.providers.identity.google import GoogleClientConfig, GoogleIdentityProvider
from creatorly.providers.payments.base import PaymentProvider
from creatorly.providers.payments.paypal import PayPalPaymentProvider
from creatorly.providers.payments.paypal_client import PayPalClient
from creatorly.providers.payments.razorpay import RazorpayPaymentProvider, RazorpaySubscriptions
from creatorly.providers.payments.sandbox import SandboxPaymentProvider
from creatorly.providers.payments.stripe import StripePaymentProvider
from creatorly.providers.payments.stripe_subscriptions import StripeSubscriptions
from creatorly.providers.payouts.base import PayoutProvider
from creatorly.providers.payouts.paypal import PayPalPayoutProvider
from creatorly.providers.payouts.razorpay import RazorpayPayoutProvider
from creatorly.providers.payouts.sandbox import SandboxPayoutProvider
from creatorly.providers.payouts.stripe import StripePayoutProvider
from creatorly.providers.ratelimit import RateLimiter
from creatorly.providers.scanning.base import FileScanner
from creatorly.providers.scanning.clamd import ClamdScanner
from creatorly.providers.storage.base import FileStorage
from creatorly.providers.storage.local import LocalFileStorage
from creatorly.providers.storage.s3 import S3FileStorage


def get_mailer() -> Mailer:
    if settings.smtp_url:
        return SmtpMailer(settings.smtp_url, timeout_seconds=settings.smtp_timeout_seconds)
    return OutboxMailer()


@cache
def _storage(kind: str, location: str) -> FileStorage:
    if kind == "s3":
        return S3FileStorage(
            bucket=location,
            region=settings.s3_region,
            endpoint_url=settings.s3_endpoint_url,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key.get_secret_value(),
        )
    return LocalFileStorage(settings.files_dir)


def get_storage() -> FileStorage:
    # Keyed by the data folder as configured: resolving it (a system call per path part) happens once per storage.
    location = settings.s3_bucket if settings.storage == "s3" else str(settings.data_dir)
    return _storage(settings.storage, location)


def get_scanner() -> FileScanner | None:
    """clamd when CREATORLY_CLAMAV_URL is set; None: product files are not scanned (clean on upload)."""
    if not settings.is_scanning_enabled:
        return None
    return ClamdScanner(settings.clamav_url, timeout_seconds=settings.clamav_timeout_seconds)


# The async Redis client belongs to the event loop that made it: one limiter per running loop.
_rate_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, RateLimiter]] = (
    weakref.WeakKeyDictionary()
)


def get_rate_limiter() -> RateLimiter:
    limiters = _rate_limiters.setdefault(asyncio.get_running_loop(), {})
    limiter = limiters.get(settings.redis_url)
    if limiter is None:
        limiter = limiters[settings.redis_url] = RateLimiter(settings.redis_url)
    return limiter


def get_google_identity(*, redirect_uri: str) -> GoogleIdentityProvider | None:
    """Google sign-in when its client id and secret are set; None turns the feature off."""
    if not settings.is_google_enabled:
        return None
    return GoogleIdentityProvider(
        GoogleClientConfig(
            client_id=settings.google_client_id,
            client_secret=settings.google_client_secret.get_secret_value(),
            discovery_url=settings.google_discovery_url,
            redirect_uri=redirect_uri,
        )
    )


_SANDBOX_API_KEY_LABEL = b"creatorly:payments:sandbox:api-key"


def sandbox_api_key() -> str:
    """The built-in sandbox gateway's API key, derived from the app secret so it needs no setting of its own."""
    return hmac.new(settings.resolved_secret_key.encode(), _SANDBOX_API_KEY_LABEL, hashlib.sha256).hexdigest()


# The sandbox gateway reached without HTTP (payments, payouts), set by `sandbox_in_process` for the current task.
_in_process_sandbox: ContextVar[tuple[PaymentProvider, PayoutProvider] | None] = ContextVar(
    "creatorly_in_process_sandbox", default=None
)


@contextmanager
def sandbox_in_process(payments: PaymentProvider, payouts: PayoutProvider) -> Iterator[None]:
    """Within the block, the sandbox providers are these clients of the gateway in this process (no web server is
    running while the demo's history is loaded); every other provider is chosen from settings as usual."""
    token = _in_process_sandbox.set((payments, payouts))
    try:
        yield
    finally:
        _in_process_sandbox.reset(token)


def get_payment_provider(name: str) -> PaymentProvider:
    """The payment provider called `name`; raise LookupError for one Creatorly does not have."""
    if name == "sandbox" and (in_process := _in_process_sandbox.get()) is not None:
        return in_process[0]
    if name == "sandbox":
        return SandboxPaymentProvider(base_url=settings.resolved_public_url, api_key=sandbox_api_key())
    if name == "razorpay" and (razorpay := get_razorpay_provider()) is not None:
        return razorpay
    if name == "stripe" and (stripe_provider := get_stripe_provider()) is not None:
        return stripe_provider
    if name == "paypal" and (paypal := get_paypal_provider()) is not None:
        return paypal
    raise LookupError(f"no payment provider named {name!r}")


def get_paypal_client() -> PayPalClient | None:
    """PayPal's REST API when its client id and secret are set; None turns PayPal off."""
    if not settings.is_paypal_enabled:
        return None
    return PayPalClient(
        client_id=settings.paypal_client_id,
        client_secret=settings.paypal_client_secret.get_secret_value(),
        api_url=settings.paypal_api_url,
    )


def get_paypal_provider() -> PayPalPaymentProvider | None:
    """PayPal Orders when PayPal is on; None otherwise."""
    client = get_paypal_client()
    if client is None:
        return None
    return PayPalPaymentProvider(client, public_url=settings.resolved_public_url, webhook_id=settings.paypal_webhook_id)


def get_razorpay_provider() -> RazorpayPaymentProvider | None:
    """Razorpay when its keys and webhook secret are set; None turns it off."""
    if not settings.is_razorpay_enabled:
        return None
    return RazorpayPaymentProvider(
        key_id=settings.razorpay_key_id,
        key_secret=settings.razorpay_key_secret.get_secret_value(),
        api_base=settings.razorpay_api_base or None,
        public_url=settings.resolved_public_url,
    )


def get_stripe_provider() -> StripePaymentProvider | None:
    """Stripe when its secret key and webhook secret are set; None turns it off."""
    if not settings.is_stripe_enabled:
        return None
    return StripePaymentProvider(
        settings.stripe_secret_key.get_secret_value(),
        settings.stripe_api_base or None,
        public_url=settings.resolved_public_url,
        publishable_key=settings.stripe_publishable_key,
    )


def is_razorpay_payouts_enabled() -> bool:
    """RazorpayX payouts need the Razorpay keys, its webhook secret (for their outcome) and the account to pay from."""
    return settings.is_razorpay_enabled and bool(settings.razorpay_payout_account_number)


def payout_provider_name_for(kind: str, currency: str) -> str:
    """Which provider pays a payout account of this kind and currency; the sandbox when the real one is off.

    A connected Stripe account goes to Stripe; a UPI id, or a bank account in INR, to RazorpayX; a PayPal email to
    PayPal Payouts.
    """
    if kind == "stripe" and settings.is_stripe_enabled:
        return "stripe"
    if (kind == "upi" or (kind == "bank" and currency.upper() == "INR")) and is_razorpay_payouts_enabled():
        return "razorpay"
    if kind == "paypal" and settings.is_paypal_enabled:
        return "paypal"
    return "sandbox"


def get_payout_provider(name: str) -> PayoutProvider:
    """The payout provider called `name`; raise LookupError for one Creatorly does not have or that is off."""
    if name == "sandbox" and (in_process := _in_process_sandbox.get()) is not None:
        return in_process[1]
    if name == "sandbox":
        return SandboxPayoutProvider(base_url=settings.resolved_public_url, api_key=sandbox_api_key())
    if name == "stripe" and settings.is_stripe_enabled:
        return StripePayoutProvider(settings.stripe_secret_key.get_secret_value(), settings.stripe_api_base or None)
    if name == "razorpay" and is_razorpay_payouts_enabled():
        return RazorpayPayoutProvider(
            key_id=settings.razorpay_key_id,
            key_secret=settings.razorpay_key_secret.get_secret_value(),
            api_base=settings.razorpay_api_base or None,
            account_number=settings.razorpay_payout_account_number,
        )
    if name == "paypal" and (paypal := get_paypal_client()) is not None:
        return PayPalPayoutProvider(paypal)
    raise LookupError(f"no payout provider named {name!r}")


def get_stripe_subscriptions() -> StripeSubscriptions | None:
    """Stripe Billing for memberships, when Stripe is on."""
    provider = get_stripe_provider()
    return StripeSubscriptions(provider) if provider is not None else None


def get_razorpay_subscriptions() -> RazorpaySubscriptions | None:
    """Razorpay Subscriptions for memberships, when Razorpay is on."""
    provider = get_razorpay_provider()
    return RazorpaySubscriptions(provider) if provider is not None else None
