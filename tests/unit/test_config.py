"""Settings: embedded defaults, URL translation and start-up refusal that names the setting."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from creatorly.config import InvalidSettings, Settings, load_settings, parse_payment_routing


def _environment(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name in list(os.environ):
        if name.startswith("CREATORLY_"):
            monkeypatch.delenv(name)
    for name, value in values.items():
        monkeypatch.setenv(f"CREATORLY_{name.upper()}", value)


def _settings(monkeypatch: pytest.MonkeyPatch, **values: str) -> Settings:
    _environment(monkeypatch, **values)
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_embedded_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = _settings(monkeypatch, data_dir=str(tmp_path))
    assert settings.port == 3000
    assert settings.storage == "local"
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path / 'creatorly.db'}"
    assert settings.files_dir == tmp_path / "files"
    assert settings.resolved_public_url == "http://localhost:3000"
    assert settings.is_sandbox_mode is True
    assert settings.redis_url == ""


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@db:5432/app", "postgresql+asyncpg://u@db:5432/app"),
        ("postgres://u@db/app", "postgresql+asyncpg://u@db/app"),
        ("sqlite:////var/lib/app.db", "sqlite+aiosqlite:////var/lib/app.db"),
    ],
)
def test_database_urls_get_async_drivers(monkeypatch: pytest.MonkeyPatch, given: str, expected: str) -> None:
    assert _settings(monkeypatch, database_url=given).resolved_database_url == expected


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"port": "70000"}, "CREATORLY_PORT"),
        ({"storage": "ftp"}, "CREATORLY_STORAGE"),
        ({"database_url": "mysql://x"}, "CREATORLY_DATABASE_URL"),
        ({"redis_url": "http://x"}, "CREATORLY_REDIS_URL"),
        ({"public_url": "localhost"}, "CREATORLY_PUBLIC_URL"),
        ({"smtp_url": "mail.example.com"}, "CREATORLY_SMTP_URL"),
    ],
)
def test_invalid_settings_stop_the_start_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, values: dict[str, str], named: str
) -> None:
    _environment(monkeypatch, **values)
    with pytest.raises(InvalidSettings) as stopped:
        load_settings()
    assert named in str(stopped.value)


@pytest.mark.parametrize("secret", ["", "change-me", "short"])
def test_production_refuses_a_missing_or_default_secret_key(monkeypatch: pytest.MonkeyPatch, secret: str) -> None:
    _environment(monkeypatch, env="production", public_url="https://shop.example.com", secret_key=secret)
    with pytest.raises(InvalidSettings, match="CREATORLY_SECRET_KEY"):
        load_settings()


def test_production_accepts_a_real_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    key = "k" * 48
    settings = _settings(monkeypatch, env="production", public_url="https://shop.example.com", secret_key=key)
    assert settings.resolved_secret_key == key
    assert settings.is_sandbox_mode is False


def test_s3_storage_needs_a_bucket(monkeypatch: pytest.MonkeyPatch) -> None:
    _environment(monkeypatch, storage="s3")
    with pytest.raises(InvalidSettings, match="CREATORLY_S3_BUCKET"):
        load_settings()


def test_development_secret_key_is_generated_once_and_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    first = _settings(monkeypatch, data_dir=str(tmp_path)).resolved_secret_key
    second = _settings(monkeypatch, data_dir=str(tmp_path)).resolved_secret_key
    assert first == second
    assert len(first) >= 48
    assert (tmp_path / ".secret_key").stat().st_mode & 0o777 == 0o600


def test_payment_routing_is_parsed_case_insensitively() -> None:
    assert parse_payment_routing(" inr:Razorpay , *:stripe,EUR:sandbox ") == {
        "INR": "razorpay",
        "*": "stripe",
        "EUR": "sandbox",
    }
    assert parse_payment_routing("") == {}


@pytest.mark.parametrize(
    ("routing", "complaint"),
    [
        ("USD:paytm", "must look like CUR:provider"),
        ("USD:paypal", "sends USD to paypal, whose keys"),  # PayPal without its client id and secret
        ("US:stripe", "must look like CUR:provider"),
        ("USD:stripe,usd:sandbox", "routed twice"),
        ("USD:razorpay", "Razorpay takes INR only"),
        ("EUR:stripe", "whose keys and webhook secret are unset"),
    ],
)
def test_bad_payment_routing_stops_the_start(monkeypatch: pytest.MonkeyPatch, routing: str, complaint: str) -> None:
    _environment(monkeypatch, payment_routing=routing)
    with pytest.raises(InvalidSettings, match=complaint):
        load_settings()


@pytest.mark.parametrize(
    ("routing", "stripe_on", "razorpay_on", "expected"),
    [
        ("", False, False, {"USD": "sandbox", "INR": "sandbox"}),
        ("", True, False, {"USD": "stripe", "INR": "stripe"}),
        ("", False, True, {"USD": "sandbox", "INR": "razorpay"}),
        ("", True, True, {"USD": "stripe", "INR": "razorpay"}),
        ("EUR:stripe,*:sandbox", True, True, {"EUR": "stripe", "USD": "sandbox", "INR": "sandbox"}),
        ("INR:razorpay", True, True, {"INR": "razorpay", "USD": "sandbox"}),
    ],
)
def test_a_sale_goes_to_the_provider_its_currency_is_routed_to(
    monkeypatch: pytest.MonkeyPatch, routing: str, stripe_on: bool, razorpay_on: bool, expected: dict[str, str]
) -> None:
    from creatorly.services.checkout import routing as checkout_routing

    monkeypatch.setattr(checkout_routing.settings, "payment_routing", routing)
    monkeypatch.setattr(type(checkout_routing.settings), "is_stripe_enabled", property(lambda _: stripe_on))
    monkeypatch.setattr(type(checkout_routing.settings), "is_razorpay_enabled", property(lambda _: razorpay_on))
    assert {currency: checkout_routing.provider_for(currency) for currency in expected} == expected


def test_one_web_process_keeps_twenty_database_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(monkeypatch)
    assert settings.database_pool_size_per_process == 20


def test_web_processes_behind_redis_share_forty_eight_database_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given Redis, Reflex runs min(2·CPU+1, 8) web processes on the host
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    settings = _settings(monkeypatch, redis_url="redis://127.0.0.1:6379/0")
    # Then each keeps 48 // 5, so together they stay well under PostgreSQL's default 100
    assert settings.database_pool_size_per_process == 9
    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    assert settings.database_pool_size_per_process == 6


def test_a_database_pool_size_that_is_set_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(monkeypatch, redis_url="redis://127.0.0.1:6379/0", database_pool_size="30")
    assert settings.database_pool_size_per_process == 30


def test_paypal_is_on_with_its_client_id_and_secret_and_may_be_routed_to(monkeypatch: pytest.MonkeyPatch) -> None:
    configured = _settings(
        monkeypatch,
        paypal_client_id="AClient",
        paypal_client_secret="ESecret",
        paypal_api_url="http://127.0.0.1:9999/",
        payment_routing="USD:paypal,*:sandbox",
    )

    assert configured.is_paypal_enabled
    assert configured.paypal_api_url == "http://127.0.0.1:9999"
    assert parse_payment_routing(configured.payment_routing) == {"USD": "paypal", "*": "sandbox"}
    assert not _settings(monkeypatch, paypal_client_id="AClient").is_paypal_enabled
    assert _settings(monkeypatch).paypal_api_url == "https://api-m.sandbox.paypal.com"
