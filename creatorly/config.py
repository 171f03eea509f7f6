"""The one settings object: every CREATORLY_* value, validated at start."""

from __future__ import annotations

import os
import re
import secrets
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_RATE = re.compile(r"^\d+\s*(/|per)\s*(\d+\s*)?(second|minute|hour|day)s?$")
DEFAULT_SECRET_KEY = "change-me"  # noqa: S105 (the value production refuses)
MINIMUM_SECRET_KEY_LENGTH = 32
# Database pool sizes per process: one web process alone keeps 20; several on one host (Redis) share 48, 5 at least.
SINGLE_PROCESS_POOL_SIZE = 20
SHARED_POOL_CONNECTIONS = 48
MINIMUM_POOL_SIZE = 5


_ROUTE_CURRENCY = re.compile(r"^(\*|[A-Z]{3})$")
PAYMENT_PROVIDER_NAMES = ("sandbox", "stripe", "razorpay", "paypal")


def parse_payment_routing(value: str) -> dict[str, str]:
    """ "INR:razorpay, *:stripe" → {"INR": "razorpay", "*": "stripe"}; ValueError naming the bad part."""
    routes: dict[str, str] = {}
    for part in filter(None, (piece.strip() for piece in value.split(","))):
        currency, _, provider = (piece.strip() for piece in part.partition(":"))
        currency, provider = currency.upper(), provider.lower()
        if not _ROUTE_CURRENCY.match(currency) or provider not in PAYMENT_PROVIDER_NAMES:
            raise ValueError(f"{part!r} must look like CUR:provider (USD:stripe, INR:razorpay, USD:paypal, *:sandbox)")
        if currency in routes:
            raise ValueError(f"{currency} is routed twice")
        if provider == "razorpay" and currency != "INR":
            raise ValueError(f"Razorpay takes INR only, not {currency}")
        routes[currency] = provider
    return routes


class InvalidSettings(SystemExit):
    """Raised at start when a setting is missing or wrong; the message names the setting."""


class Settings(BaseSettings):
    """Creatorly configuration read from the environment and `.env` (prefix CREATORLY_)."""

    model_config = SettingsConfigDict(
        env_prefix="CREATORLY_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    env: Literal["development", "production", "test"] = "development"
    data_dir: Path = Path("data")
    database_url: str = ""
    # PostgreSQL connections each web process keeps; 0 picks one from the number of processes (see
    # database_pool_size_per_process).
    database_pool_size: int = Field(default=0, ge=0, le=200)
    redis_url: str = ""
    public_url: str = ""
    port: int = Field(default=3000, ge=1, le=65535)
    # How long a web process answers a rendered storefront or product page from memory when nothing it shows has
    # changed in that process (another process's change shows within this long); 0 renders every request.
    page_cache_seconds: float = Field(default=2.0, ge=0, le=300)
    secret_key: SecretStr = SecretStr("")

    storage: Literal["local", "s3"] = "local"
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: SecretStr = SecretStr("")

    platform_fee_percent: Decimal = Field(default=Decimal(10), ge=0, le=50, decimal_places=2)
    hold_period_days: int = Field(default=7, ge=0, le=90)
    webhook_tolerance_seconds: int = Field(default=300, ge=30, le=3600)

    max_upload_bytes: int = Field(default=2 * 1024**3, ge=1024, le=50 * 1024**3)
    # clamd reached over TCP (tcp://host:port): every product file is scanned before it can be sold or
    # downloaded; empty: files are not scanned.
    clamav_url: str = ""
    clamav_timeout_seconds: float = Field(default=30.0, gt=0, le=600)

    smtp_url: str = ""
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    email_from: str = "Creatorly <no-reply@creatorly.localhost>"
    email_max_attempts: int = Field(default=8, ge=1, le=50)
    email_retry_base_seconds: float = Field(default=30.0, ge=0, le=3600)

    google_client_id: str = ""
    google_client_secret: SecretStr = SecretStr("")
    google_discovery_url: str = "https://accounts.google.com/.well-known/openid-configuration"

    stripe_secret_key: SecretStr = SecretStr("")
    stripe_publishable_key: str = ""
    stripe_webhook_secret: SecretStr = SecretStr("")
    stripe_api_base: str = ""  # empty: Stripe itself; set to a localstripe URL in tests and offline setups

    razorpay_key_id: str = ""
    razorpay_key_secret: SecretStr = SecretStr("")
    razorpay_webhook_secret: SecretStr = SecretStr("")
    razorpay_api_base: str = ""
    razorpay_payout_account_number: str = ""
    # PayPal (REST API v2 orders, v1 payouts): on when the client id and secret are set; webhooks need the webhook id.
    paypal_client_id: str = ""
    paypal_client_secret: SecretStr = SecretStr("")
    paypal_webhook_id: str = ""
    paypal_api_url: str = "https://api-m.sandbox.paypal.com"  # https://api-m.paypal.com in production
    # Which provider takes payments in which currency, e.g. "INR:razorpay,*:stripe"; empty: INR → Razorpay when
    # configured, anything else → Stripe when configured, otherwise the built-in sandbox.
    payment_routing: str = ""  # the RazorpayX account payouts are sent from; empty: no Razorpay payouts

    # Bank account numbers are encrypted at rest with this key (any long random string); empty: the secret key.
    payout_encryption_key: SecretStr = SecretStr("")
    sandbox_payout_settle_seconds: int = Field(default=10, ge=0, le=86400)  # the sandbox pays a payout this late

    rate_limit_sign_in: str = "5/5 minutes"
    rate_limit_sign_up: str = "3/hour"
    rate_limit_account_email: str = "3/hour"
    rate_limit_analytics: str = "120/minute"  # page-view beacons per IP
    rate_limit_report: str = "5/hour"  # content reports, counted per IP and per reporter email

    sweeper_interval_minutes: int = Field(default=1, ge=1, le=60)
    # The sweeper stops retrying a stored webhook event whose handler failed this many times (reconcile lists it).
    webhook_max_attempts: int = Field(default=25, ge=3, le=1000)
    # A delivery of an event another attempt is applying waits this long for it, then answers 503 (retry).
    webhook_lock_wait_seconds: int = Field(default=10, ge=1, le=60)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["console", "json"] = "console"
    # GET /metrics answers only with `Authorization: Bearer <this token>`; empty: /metrics is off (404).
    metrics_token: SecretStr = SecretStr("")
    sentry_dsn: SecretStr = SecretStr("")  # errors go to Sentry (or a compatible service) when set
    sentry_traces_sample_rate: float = Field(default=0.0, ge=0, le=1)
    # The worker writes a heartbeat this often; /health calls it down when the newest is three times older.
    worker_heartbeat_seconds: int = Field(default=10, ge=1, le=300)

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql", "postgres")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @field_validator(
        "rate_limit_sign_in",
        "rate_limit_sign_up",
        "rate_limit_account_email",
        "rate_limit_analytics",
        "rate_limit_report",
    )
    @classmethod
    def _check_rate(cls, value: str) -> str:
        if not _RATE.match(value):
            raise ValueError("must look like '5/5 minutes' or '3/hour'")
        return value

    @field_validator("payment_routing")
    @classmethod
    def _check_payment_routing(cls, value: str) -> str:
        parse_payment_routing(value)
        return value.strip()

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str) -> str:
        if value and urlsplit(value).scheme not in {"redis", "rediss", "unix"}:
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value

    @field_validator("public_url", "s3_endpoint_url", "google_discovery_url", "stripe_api_base", "paypal_api_url")
    @classmethod
    def _check_http_url(cls, value: str) -> str:
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host")
        return value.rstrip("/")

    @field_validator("smtp_url")
    @classmethod
    def _check_smtp_url(cls, value: str) -> str:
        if value:
            parts = urlsplit(value)
            if parts.scheme not in {"smtp", "smtps", "smtp+starttls"} or not parts.hostname:
                raise ValueError("must look like smtp://user:password@host:port (or smtps://, smtp+starttls://)")
        return value

    @field_validator("clamav_url")
    @classmethod
    def _check_clamav_url(cls, value: str) -> str:
        if value:
            parts = urlsplit(value.strip())
            if parts.scheme != "tcp" or not parts.hostname or parts.port is None:
                raise ValueError("must look like tcp://127.0.0.1:3310 (clamd's TCPAddr and TCPSocket)")
        return value.strip()

    @model_validator(mode="after")
    def _check_combinations(self) -> Settings:
        if self.storage == "s3" and not self.s3_bucket:
            raise ValueError("CREATORLY_S3_BUCKET is required when CREATORLY_STORAGE=s3")
        if self.env == "production":
            key = self.secret_key.get_secret_value()
            if not key or key == DEFAULT_SECRET_KEY or len(key) < MINIMUM_SECRET_KEY_LENGTH:
                raise ValueError(
                    "CREATORLY_SECRET_KEY must be set to a random value of at least "
                    f"{MINIMUM_SECRET_KEY_LENGTH} characters in production"
                )
            if not self.public_url:
                raise ValueError("CREATORLY_PUBLIC_URL is required in production")
        enabled = {
            "sandbox": True,
            "stripe": self.is_stripe_enabled,
            "razorpay": self.is_razorpay_enabled,
            "paypal": self.is_paypal_enabled,
        }
        for currency, provider in parse_payment_routing(self.payment_routing).items():
            if not enabled[provider]:
                raise ValueError(
                    f"CREATORLY_PAYMENT_ROUTING sends {currency} to {provider}, whose keys and webhook secret are unset"
                )
        return self

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()

    @property
    def files_dir(self) -> Path:
        return self.resolved_data_dir / "files"

    @property
    def resolved_public_url(self) -> str:
        return self.public_url or f"http://localhost:{self.port}"

    @property
    def resolved_database_url(self) -> str:
        """The async SQLAlchemy URL: aiosqlite for SQLite, asyncpg for PostgreSQL."""
        url = self.database_url or f"sqlite:///{self.resolved_data_dir / 'creatorly.db'}"
        for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+asyncpg://" + url[len(prefix) :]
        for prefix in ("sqlite+aiosqlite://", "sqlite://"):
            if url.startswith(prefix):
                return "sqlite+aiosqlite://" + url[len(prefix) :]
        return url

    @property
    def database_pool_size_per_process(self) -> int:
        """Connections each process's pool keeps. With Redis, Reflex runs min(2·CPU+1, 8) web processes on a host,
        and 20 each (right for the single process without Redis) would be 100 to 160: PostgreSQL's default
        max_connections is 100, so the later ones were refused and dashboards failed to load. They share 48."""
        if self.database_pool_size:
            return self.database_pool_size
        if not self.redis_url:
            return SINGLE_PROCESS_POOL_SIZE
        web_processes = min(2 * (os.cpu_count() or 1) + 1, 8)
        return max(MINIMUM_POOL_SIZE, SHARED_POOL_CONNECTIONS // web_processes)

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def is_scanning_enabled(self) -> bool:
        return bool(self.clamav_url)

    @property
    def is_google_enabled(self) -> bool:
        return bool(self.google_client_id and self.google_client_secret.get_secret_value())

    @property
    def is_razorpay_enabled(self) -> bool:
        """Razorpay takes INR payments once its API key pair and webhook secret are all set."""
        return bool(
            self.razorpay_key_id
            and self.razorpay_key_secret.get_secret_value()
            and self.razorpay_webhook_secret.get_secret_value()
        )

    @property
    def is_stripe_enabled(self) -> bool:
        """Stripe takes payments when its secret key and webhook signing secret are both set."""
        return bool(self.stripe_secret_key.get_secret_value() and self.stripe_webhook_secret.get_secret_value())

    @property
    def is_paypal_enabled(self) -> bool:
        """PayPal takes payments (and pays PayPal-email payout accounts) when its client id and secret are set."""
        return bool(self.paypal_client_id and self.paypal_client_secret.get_secret_value())

    @property
    def resolved_payout_encryption_key(self) -> str:
        return self.payout_encryption_key.get_secret_value() or self.resolved_secret_key

    @property
    def is_sandbox_mode(self) -> bool:
        """True on the embedded default: outbox email, so the Dev mailbox may be shown."""
        return not self.smtp_url and self.env != "production"

    @cached_property
    def resolved_secret_key(self) -> str:
        """The configured key, or outside production a random one kept in the data folder."""
        configured = self.secret_key.get_secret_value()
        if configured:
            return configured
        key_file = self.resolved_data_dir / ".secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key


def describe_validation_error(error: ValidationError) -> str:
    """One line per bad setting, each naming the environment variable an operator must fix."""
    lines = []
    for problem in error.errors():
        location = [str(part) for part in problem.get("loc", ()) if part]
        name = f"CREATORLY_{location[0].upper()}" if location else "settings"
        lines.append(f"Invalid setting {name}: {problem['msg'].removeprefix('Value error, ')}")
    return "\n".join(lines)


def load_settings() -> Settings:
    """Read settings or stop the process with a message naming each bad setting."""
    try:
        return Settings()
    except ValidationError as error:
        raise InvalidSettings(describe_validation_error(error)) from None


settings = load_settings()
