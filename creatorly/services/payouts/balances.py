"""A creator's balances per currency, computed from the ledger (never stored), with their release timeline."""

from __future__ import annotations

from creatorly import db
from creatorly.kit.clock import utc_now
from creatorly.services.ledger import service as ledger
from creatorly.services.payouts import rules
from creatorly.services.payouts.schemas import CurrencyBalance, ReleaseItem


def to_currency_balance(balance: ledger.CreatorBalance) -> CurrencyBalance:
    releases = [ReleaseItem(release_on=release.available_at, amount=release.amount) for release in balance.releases]
    return CurrencyBalance(
        currency=balance.currency,
        pending=balance.pending,
        available=balance.available,
        in_payout=balance.in_payout,
        paid_out=balance.paid_out,
        lifetime_earnings=balance.lifetime_earnings,
        next_release=releases[0] if releases else None,
        releases=releases,
        minimum_payout=rules.minimum_payout(balance.currency),
        is_negative=balance.available < 0,
    )


async def balances_of(creator_id: int) -> list[CurrencyBalance]:
    """Pending, available, in payout, paid out and lifetime earnings per currency the creator has earned in.

    Read in one query; available + pending + in_payout + paid_out == lifetime_earnings in every currency.
    """
    async with db.transaction() as session:
        balances = await ledger.balances_of_creator(session, creator_id, now=utc_now())
    return [to_currency_balance(balance) for balance in balances]
