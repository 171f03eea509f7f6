"""Pure comparisons: what the ledger, our orders and payouts, and the providers' records must agree on."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from creatorly.kit.money import UnsupportedCurrency, format_money
from creatorly.models.enums import OrderStatus, PayoutStatus
from creatorly.providers.payments.base import PaymentRecord
from creatorly.providers.payouts.base import PayoutRecord
from creatorly.services.ledger import rules as ledger_rules
from creatorly.services.reconciliation.schemas import (
    ALL_REFERENCES,
    AREA_LEDGER,
    AREA_ORDERS,
    AREA_PAYMENT_PROVIDER,
    AREA_PAYOUT_PROVIDER,
    AREA_PAYOUTS,
    Mismatch,
    OrderFacts,
    PayoutFacts,
    PayoutPosting,
    SalePosting,
)

# Orders that were paid, even if refunded since: each has its sale posted and a payment at its provider.
PAID_ORDER_STATUSES: frozenset[str] = frozenset(
    {OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED}
)
OPEN_PAYOUT_STATUSES: frozenset[str] = frozenset({PayoutStatus.PENDING, PayoutStatus.IN_TRANSIT})
PAYOUT_KINDS = (
    ledger_rules.PAYOUT,
    ledger_rules.PAYOUT_PAID,
    ledger_rules.PAYOUT_FAILED,
    ledger_rules.PAYOUT_REVERSED,
)
_OPENED = frozenset({ledger_rules.PAYOUT})
_PAID_OUT = frozenset({ledger_rules.PAYOUT, ledger_rules.PAYOUT_PAID})
# The ledger transactions each payout status may have: opened (payout), then paid out or returned; a failed
# payout either failed before it was paid, or was paid and then reversed by the bank.
_EXPECTED_PAYOUT_KINDS: dict[str, tuple[frozenset[str], ...]] = {
    PayoutStatus.PENDING: (_OPENED,),
    PayoutStatus.IN_TRANSIT: (_OPENED,),
    PayoutStatus.PAID: (_PAID_OUT,),
    PayoutStatus.FAILED: (_OPENED | {ledger_rules.PAYOUT_FAILED}, _PAID_OUT | {ledger_rules.PAYOUT_REVERSED}),
}
NONE = "none"


def money(amount: int, currency: str) -> str:
    """An amount as people read it; an unknown currency (a corrupt row) still shows, as minor units."""
    try:
        return format_money(amount, currency)
    except UnsupportedCurrency:
        return f"{amount} {currency} (minor units)"


def order_id_of(reference: str) -> int | None:
    """The order id of a sale ("order:12") or refund ("order:12:refund:re_1") reference; None for anything else."""
    parts = reference.split(":", 2)
    if len(parts) < 2 or parts[0] != "order" or not parts[1].isdigit():
        return None
    if len(parts) == 3 and not parts[2].startswith("refund:"):
        return None
    return int(parts[1])


def payout_id_of(reference: str) -> str | None:
    """The payout public id of a "payout:{public_id}" reference."""
    prefix, _, public_id = reference.partition(":")
    return public_id if prefix == "payout" and public_id else None


def sales_of(gross_legs: Iterable[tuple[str, str, str, int]]) -> list[SalePosting]:
    """Sale postings from the (reference, currency, account, amount) of each sale's gross leg."""
    return [
        SalePosting(order_id=order_id, currency=currency, clearing_account=account, gross=amount)
        for reference, currency, account, amount in gross_legs
        if (order_id := order_id_of(reference)) is not None
    ]


def refunds_by_order(refund_legs: Iterable[tuple[str, str, str, int]]) -> dict[int, int]:
    """What was refunded per order, from each refund's leg on the provider's clearing account (a credit)."""
    totals: dict[int, int] = defaultdict(int)
    for reference, _currency, _account, amount in refund_legs:
        if (order_id := order_id_of(reference)) is not None:
            totals[order_id] -= amount
    return dict(totals)


def payout_postings_of(moved: Iterable[tuple[str, str, str, int]]) -> list[PayoutPosting]:
    """Payout postings from the (kind, reference, currency, amount moved) of each payout transaction."""
    return [
        PayoutPosting(kind=kind, public_id=public_id, currency=currency, amount=amount)
        for kind, reference, currency, amount in moved
        if (public_id := payout_id_of(reference)) is not None
    ]


def expects_sale(order: OrderFacts) -> bool:
    """A paid (even if later refunded) order of a positive amount is posted as a sale; a free one posts nothing."""
    return order.status in PAID_ORDER_STATUSES and order.amount > 0


def trial_balance_mismatches(totals: dict[str, int]) -> list[Mismatch]:
    return [
        Mismatch(AREA_LEDGER, currency, "", "the trial balance is not zero", ours=money(total, currency), theirs="0")
        for currency, total in sorted(totals.items())
        if total != 0
    ]


def order_mismatches(
    orders: Sequence[OrderFacts], sales: Sequence[SalePosting], refunds_by_order: dict[int, int]
) -> list[Mismatch]:
    """Each order against its sale posting and the refunds posted for it."""
    sales_by_order: dict[int, list[SalePosting]] = defaultdict(list)
    for sale in sales:
        sales_by_order[sale.order_id].append(sale)
    found: list[Mismatch] = []
    for order in orders:
        found.extend(_sale_mismatches(order, sales_by_order.get(order.id, [])))
        posted_refunds = refunds_by_order.get(order.id, 0)
        if posted_refunds != order.refunded_amount:
            found.append(
                _order_row(
                    order,
                    "the refunds posted differ from the order's refunded amount",
                    ours=money(order.refunded_amount, order.currency),
                    theirs=money(posted_refunds, order.currency),
                )
            )
    return found


def _sale_mismatches(order: OrderFacts, sales: list[SalePosting]) -> list[Mismatch]:
    if not expects_sale(order):
        if not sales:
            return []
        return [
            _order_row(order, f"a sale is posted but the order is {order.status}", ours=order.status, theirs="sale")
        ]
    if not sales:
        return [_order_row(order, "the paid order has no sale posting", ours=_amount_of(order), theirs=NONE)]
    if len(sales) > 1:
        return [_order_row(order, "the order has more than one sale gross leg", ours="1", theirs=str(len(sales)))]
    [sale] = sales
    found: list[Mismatch] = []
    if sale.gross != order.amount or sale.currency != order.currency:
        found.append(
            _order_row(
                order,
                "the sale's gross differs from the order amount",
                ours=_amount_of(order),
                theirs=money(sale.gross, sale.currency),
            )
        )
    if sale.clearing_account != _clearing_account(order.provider):
        found.append(
            _order_row(
                order,
                "the sale is posted to another provider's clearing account",
                ours=order.provider,
                theirs=sale.clearing_account,
            )
        )
    return found


def _clearing_account(provider: str) -> str:
    try:
        return ledger_rules.provider_clearing_account(provider)
    except ValueError:
        return ""


def _amount_of(order: OrderFacts) -> str:
    return money(order.amount, order.currency)


def _order_row(order: OrderFacts, problem: str, *, ours: str, theirs: str) -> Mismatch:
    return Mismatch(AREA_ORDERS, order.public_id, order.provider, problem, ours=ours, theirs=theirs)


def unknown_order_mismatches(order_ids: Iterable[int]) -> list[Mismatch]:
    return [
        Mismatch(AREA_LEDGER, ledger_rules.sale_reference(order_id), "", "postings for an order that does not exist")
        for order_id in sorted(order_ids)
    ]


def unknown_payout_mismatches(public_ids: Iterable[str]) -> list[Mismatch]:
    return [
        Mismatch(AREA_LEDGER, ledger_rules.payout_reference(public_id), "", "postings for a payout that does not exist")
        for public_id in sorted(public_ids)
    ]


def payout_mismatches(payouts: Sequence[PayoutFacts], postings: Sequence[PayoutPosting]) -> list[Mismatch]:
    """Each payout has the postings of its status, each of the payout's amount, and no others."""
    by_payout: dict[str, dict[str, PayoutPosting]] = defaultdict(dict)
    for item in postings:
        by_payout[item.public_id][item.kind] = item
    found: list[Mismatch] = []
    for payout in payouts:
        posted = by_payout.get(payout.public_id, {})
        expected = _expected_kinds(payout.status, frozenset(posted))
        for kind in PAYOUT_KINDS:
            posting = posted.get(kind)
            if kind in expected and posting is None:
                found.append(_payout_row(payout, f"no {kind} posting", ours=payout.status, theirs=NONE))
            elif kind not in expected and posting is not None:
                problem = f"a {kind} posting for a {payout.status} payout"
                found.append(_payout_row(payout, problem, ours=payout.status, theirs=kind))
            elif posting is not None and (posting.amount, posting.currency) != (payout.amount, payout.currency):
                found.append(
                    _payout_row(
                        payout,
                        f"the {kind} posting differs from the payout amount",
                        ours=money(payout.amount, payout.currency),
                        theirs=money(posting.amount, posting.currency),
                    )
                )
    return found


def _expected_kinds(status: str, posted: frozenset[str]) -> frozenset[str]:
    """Of the postings a status may have, those closest to what is posted (the first on a tie)."""
    options = _EXPECTED_PAYOUT_KINDS.get(status, (frozenset(),))
    return min(options, key=lambda option: len(option ^ posted))


def _payout_row(payout: PayoutFacts, problem: str, *, ours: str, theirs: str) -> Mismatch:
    return Mismatch(AREA_PAYOUTS, payout.public_id, payout.provider, problem, ours=ours, theirs=theirs)


def provider_unavailable(area: str, provider: str, problem: str, *, count: int, what: str) -> Mismatch:
    """One row for a whole provider that could not be compared."""
    return Mismatch(area, ALL_REFERENCES, provider, f"{problem}: {count} {what} not checked")


def statuses_agree(ours: str, theirs: str) -> bool:
    """An open payout may be in transit at the provider; a settled one must have settled the same way there."""
    if ours in OPEN_PAYOUT_STATUSES:
        return theirs == "in_transit"
    return ours == theirs


def payout_provider_mismatches(
    provider: str, payouts: Sequence[PayoutFacts], records: Sequence[PayoutRecord]
) -> list[Mismatch]:
    """Our payouts against the provider's records of them (found by our public id, the merchant reference)."""
    by_reference: dict[str, list[PayoutRecord]] = defaultdict(list)
    for record in records:
        by_reference[record.merchant_reference].append(record)
    found: list[Mismatch] = []
    for payout in payouts:
        found.extend(_payout_record_mismatches(provider, payout, by_reference.get(payout.public_id, [])))
    return found


def _payout_record_mismatches(provider: str, payout: PayoutFacts, records: list[PayoutRecord]) -> list[Mismatch]:
    def row(problem: str, ours: str, theirs: str) -> Mismatch:
        return Mismatch(AREA_PAYOUT_PROVIDER, payout.public_id, provider, problem, ours=ours, theirs=theirs)

    if not records:
        # Never handed over (still waiting for its submission, or refused at once): nothing to find there.
        if payout.provider_reference is None:
            return []
        return [row("missing at the provider", payout.provider_reference, NONE)]
    if len(records) > 1:
        return [row("the provider holds more than one payout for it", "1", str(len(records)))]
    [record] = records
    found: list[Mismatch] = []
    if (record.amount, record.currency.upper()) != (payout.amount, payout.currency):
        found.append(
            row(
                "the provider's amount differs",
                money(payout.amount, payout.currency),
                money(record.amount, record.currency.upper()),
            )
        )
    if not statuses_agree(payout.status, record.status):
        found.append(row("the provider's status differs", payout.status, record.status))
    return found


def payment_mismatches(provider: str, orders: Sequence[OrderFacts], records: Sequence[PaymentRecord]) -> list[Mismatch]:
    """Paid orders against the provider's payments (found by our provider reference, the provider's id)."""
    by_reference = {record.provider_reference: record for record in records}
    found: list[Mismatch] = []
    for order in orders:
        record = by_reference.get(order.provider_reference or "")
        found.extend(_payment_record_mismatches(provider, order, record))
    return found


def _payment_record_mismatches(provider: str, order: OrderFacts, record: PaymentRecord | None) -> list[Mismatch]:
    def row(problem: str, ours: str, theirs: str) -> Mismatch:
        return Mismatch(AREA_PAYMENT_PROVIDER, order.public_id, provider, problem, ours=ours, theirs=theirs)

    if record is None:
        return [row("missing at the provider", order.provider_reference or "", NONE)]
    found: list[Mismatch] = []
    if (record.amount, record.currency) != (order.amount, order.currency):
        found.append(row("the provider's amount differs", _amount_of(order), money(record.amount, record.currency)))
    if record.status != "succeeded":
        found.append(row("the provider's payment did not succeed", order.status, record.status))
    if record.amount_refunded != order.refunded_amount:
        found.append(
            row(
                "the provider's refunded amount differs",
                money(order.refunded_amount, order.currency),
                money(record.amount_refunded, order.currency),
            )
        )
    return found


def one_line(mismatch: Mismatch) -> str:
    """A mismatch on one line, for the command's output."""
    provider = f" [{mismatch.provider}]" if mismatch.provider else ""
    detail = (
        f" (ours: {mismatch.ours or '—'}, theirs: {mismatch.theirs or '—'})" if mismatch.ours or mismatch.theirs else ""
    )
    return f"{mismatch.area}{provider} {mismatch.reference}: {mismatch.problem}{detail}"
