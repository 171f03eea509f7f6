"""Provider fees learned after the sale: Stripe reports its fee on the charge's balance transaction, not in the
payment event, so the sale posts without it and this adds it once, at the creator's expense like any fee."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import LedgerTransaction
from creatorly.services.ledger import repository, rules
from creatorly.services.ledger.service import _record_once

PROVIDER_FEE = "provider_fee"
MEMO_PROVIDER_FEE_CHARGED = "provider fee charged"


async def post_provider_fee(session: AsyncSession, *, order_id: int, fee: int) -> int | None:
    """Move `fee` from the creator's earnings of this sale to the provider's clearing account, once per order.

    The creator's leg carries the sale's release date, so a fee on held money is taken from what is held.
    None (nothing posted) for a zero fee.
    """
    if type(fee) is not int or fee < 0:
        raise ValueError("a provider fee is a non-negative int of minor units")
    if fee == 0:
        return None
    reference = rules.sale_reference(order_id)
    sale = await repository.lock_transaction(session, rules.SALE, reference)
    if sale is None or sale.id is None or sale.creator_id is None:
        raise rules.SaleNotRecorded()
    existing = await repository.transaction_id_of(session, PROVIDER_FEE, reference)
    if existing is not None:
        return existing
    entries = await repository.entries_of_transaction(session, sale.id)
    recorded = rules.recorded_sale(entries)
    earnings = [entry for entry in entries if entry.memo == rules.MEMO_CREATOR_EARNINGS]
    postings = [
        rules.Posting(recorded.clearing_account, -fee, rules.MEMO_PROVIDER_FEE, currency=sale.currency),
        rules.Posting(
            rules.creator_earnings_account(sale.creator_id),
            fee,
            MEMO_PROVIDER_FEE_CHARGED,
            available_at=earnings[0].available_at if earnings else None,
            currency=sale.currency,
        ),
    ]
    transaction = LedgerTransaction(
        kind=PROVIDER_FEE,
        reference=reference,
        currency=sale.currency,
        creator_id=sale.creator_id,
        description=f"Provider fee of order {order_id}",
    )
    return await _record_once(session, transaction, postings)
