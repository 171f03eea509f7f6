"""Abuse limits on account actions, counted per IP and per account (known or not, so answers match)."""

from __future__ import annotations

from creatorly.config import settings
from creatorly.providers.registry import get_rate_limiter
from creatorly.services.accounts.errors import TooManyAttempts


async def refuse_if_sign_in_blocked(*, ip: str, email: str) -> None:
    limiter = get_rate_limiter()
    rate = settings.rate_limit_sign_in
    if not await limiter.test(rate, "sign-in-ip", ip) or not await limiter.test(rate, "sign-in-account", email):
        raise TooManyAttempts()


async def count_failed_sign_in(*, ip: str, email: str) -> None:
    limiter = get_rate_limiter()
    await limiter.hit(settings.rate_limit_sign_in, "sign-in-ip", ip)
    await limiter.hit(settings.rate_limit_sign_in, "sign-in-account", email)


async def count_sign_up(*, ip: str) -> None:
    if not await get_rate_limiter().hit(settings.rate_limit_sign_up, "sign-up-ip", ip):
        raise TooManyAttempts()


async def count_account_email(*, kind: str, email: str, ip: str) -> None:
    """Verification and reset mails: a few per address and per IP each hour."""
    limiter = get_rate_limiter()
    rate = settings.rate_limit_account_email
    by_email = await limiter.hit(rate, f"{kind}-email", email)
    by_ip = await limiter.hit(f"{_times(rate, 5)}", f"{kind}-ip", ip)
    if not (by_email and by_ip):
        raise TooManyAttempts()


def _times(rate: str, factor: int) -> str:
    amount, _, period = rate.partition("/")
    return f"{int(amount) * factor}/{period}"
