"""Reconciliation use cases: read the ledger, orders and payouts in one transaction, then ask each provider.

Providers are called only after the transaction is closed. A provider that is switched off, cannot be reached
or answers garbage gives one mismatch row for all it should have checked: the rest of the report still runs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import InvalidInput, ProviderError
from creatorly.kit.clock import utc_now
from creatorly.kit.csvfile import csv_text
from creatorly.models.enums import Role
from creatorly.observability import get_logger
from creatorly.providers.payments.base import PaymentLister
from creatorly.providers.registry import get_payment_provider, get_payout_provider
from creatorly.services.accounts.authorization import require_role
from creatorly.services.external_events import service as external_events
from creatorly.services.ledger import escrow_rules
from creatorly.services.ledger import rules as ledger_rules
from creatorly.services.ledger import service as ledger
from creatorly.services.memberships import razorpay_sweep
from creatorly.services.reconciliation import repository, rules
from creatorly.services.reconciliation.schemas import (
    AREA_MEMBERSHIP_WORK,
    AREA_PAYMENT_PROVIDER,
    AREA_PAYOUT_PROVIDER,
    AREA_WEBHOOKS,
    LedgerSnapshot,
    Mismatch,
    OrderFacts,
    PayoutFacts,
    ReconciliationReport,
)

DEFAULT_DAYS = 30
MAX_DAYS = 3650
# Ledger rows are read from a day before the window: a posting written a moment before its order's or payout's
# row (same transaction, earlier clock reading) must not look missing at the window's edge.
LEDGER_MARGIN = timedelta(days=1)
CSV_HEADER = ("area", "reference", "provider", "problem", "ours", "theirs")

logger = get_logger(__name__)
Row = TypeVar("Row", OrderFacts, PayoutFacts)


async def reconcile(*, days: int = DEFAULT_DAYS, now: datetime | None = None) -> ReconciliationReport:
    """Every mismatch between the ledger, our orders and payouts created in the last `days`, and the providers."""
    if isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"Reconcile 1 to {MAX_DAYS} days.", field="days")
    since = (now or utc_now()) - timedelta(days=days)
    async with db.transaction() as session:
        snapshot = await _snapshot(session, since)
    mismatches = _ledger_mismatches(snapshot)
    mismatches += await _payout_provider_mismatches(snapshot.payouts)
    payment_mismatches, notes, checked_payments = await _payment_provider_mismatches(snapshot.orders)
    mismatches += await _stuck_webhooks()
    mismatches += await _overdue_membership_work()
    return ReconciliationReport(
        days=days,
        since=since,
        checked_orders=len(snapshot.orders),
        checked_payouts=len(snapshot.payouts),
        checked_payments=checked_payments,
        mismatches=mismatches + payment_mismatches,
        notes=notes,
    )


async def _stuck_webhooks() -> list[Mismatch]:
    """Provider events we stored but could not apply after every retry: money may be unrecorded until fixed."""
    return [
        Mismatch(
            area=AREA_WEBHOOKS,
            reference=f"{event.event_type} {event.event_id} (#{event.id})",
            provider=event.provider,
            problem=f"not applied after {event.attempts} attempts; fix the cause, then "
            f'`creatorly events retry {event.id} --reason "what you fixed"` (or Retry on its admin page)',
            ours="unhandled",
            theirs=event.last_error,
        )
        for event in await external_events.stuck_events()
    ]


async def _overdue_membership_work() -> list[Mismatch]:
    """Plan changes, cancels and refunds at Razorpay still not done a day after they came due: a member may be
    billed the old price, or charged for a membership that ended, until someone looks."""
    return [
        Mismatch(
            area=AREA_MEMBERSHIP_WORK,
            reference=f"{work.kind.due} {work.key} (subscription #{work.subscription_id})",
            provider="razorpay",
            problem=f"due since {work.due_at:%Y-%m-%d %H:%M} UTC and not done; the sweeper asks again every "
            f"{int(razorpay_sweep.LEASE.total_seconds() // 60)} minutes, see the logs for why it fails",
            ours="due",
            theirs="",
        )
        for work in await razorpay_sweep.overdue_work()
    ]


async def check_access(*, session_token: str) -> None:
    """Raise unless the token is an admin's with two-factor on (NotAuthenticated, Forbidden, TwoFactorSetupRequired)."""
    await require_role(session_token, Role.ADMIN)


async def run_reconciliation(*, session_token: str, days: int) -> ReconciliationReport:
    """The admin page's run: only an admin (with two-factor on) may see the platform's books."""
    await require_role(session_token, Role.ADMIN)
    return await reconcile(days=days)


async def export_mismatches_csv(*, session_token: str, mismatches: Sequence[Mismatch]) -> str:
    """The mismatches the admin is looking at, as CSV safe to open in a spreadsheet."""
    await require_role(session_token, Role.ADMIN)
    return mismatches_csv(mismatches)


def mismatches_csv(mismatches: Sequence[Mismatch]) -> str:
    return csv_text(
        CSV_HEADER,
        ([item.area, item.reference, item.provider, item.problem, item.ours, item.theirs] for item in mismatches),
    )


async def _snapshot(session: AsyncSession, since: datetime) -> LedgerSnapshot:
    ledger_since = since - LEDGER_MARGIN
    orders = await repository.orders_created_since(session, since)
    payouts = await repository.payouts_created_since(session, since)
    # A paid session posts its gross when escrowed and the fan's refund when settled, on the same clearing legs.
    sales = rules.sales_of(
        [
            *await repository.legs_with_memo_since(
                session, kind=ledger_rules.SALE, memo=ledger_rules.MEMO_GROSS, since=ledger_since
            ),
            *await repository.legs_with_memo_since(
                session, kind=escrow_rules.SESSION_ESCROW, memo=ledger_rules.MEMO_GROSS, since=ledger_since
            ),
        ]
    )
    refunds_by_order = rules.refunds_by_order(
        [
            *await repository.legs_with_memo_since(
                session, kind=ledger_rules.REFUND, memo=ledger_rules.MEMO_REFUND, since=ledger_since
            ),
            *await repository.legs_with_memo_since(
                session, kind=escrow_rules.SESSION_SETTLEMENT, memo=ledger_rules.MEMO_REFUND, since=ledger_since
            ),
        ]
    )
    postings = rules.payout_postings_of(
        await repository.moved_amounts_since(session, kinds=rules.PAYOUT_KINDS, since=ledger_since)
    )
    window_orders = {order.id for order in orders}
    posted_orders = sorted(({sale.order_id for sale in sales} | set(refunds_by_order)) - window_orders)
    window_payouts = {payout.public_id for payout in payouts}
    posted_payouts = sorted({posting.public_id for posting in postings} - window_payouts)
    # Postings of orders and payouts made before the window are fine; of ones that do not exist, not.
    known_orders = await repository.existing_order_ids(session, posted_orders)
    known_payouts = await repository.existing_payout_ids(session, posted_payouts)
    return LedgerSnapshot(
        trial_balance=await ledger.trial_balance(session),
        orders=orders,
        sales=[sale for sale in sales if sale.order_id in window_orders],
        refunds_by_order={order_id: total for order_id, total in refunds_by_order.items() if order_id in window_orders},
        payouts=payouts,
        payout_postings=[posting for posting in postings if posting.public_id in window_payouts],
        unknown_order_ids=[order_id for order_id in posted_orders if order_id not in known_orders],
        unknown_payout_ids=[public_id for public_id in posted_payouts if public_id not in known_payouts],
    )


def _ledger_mismatches(snapshot: LedgerSnapshot) -> list[Mismatch]:
    return [
        *rules.trial_balance_mismatches(snapshot.trial_balance),
        *rules.unknown_order_mismatches(snapshot.unknown_order_ids),
        *rules.unknown_payout_mismatches(snapshot.unknown_payout_ids),
        *rules.order_mismatches(snapshot.orders, snapshot.sales, snapshot.refunds_by_order),
        *rules.payout_mismatches(snapshot.payouts, snapshot.payout_postings),
    ]


def _by_provider(rows: Sequence[Row]) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row.provider].append(row)
    return dict(sorted(grouped.items()))


async def _payout_provider_mismatches(payouts: Sequence[PayoutFacts]) -> list[Mismatch]:
    found: list[Mismatch] = []
    for name, group in _by_provider(payouts).items():
        count = len(group)
        try:
            provider = get_payout_provider(name)
        except LookupError:
            found.append(_unavailable(AREA_PAYOUT_PROVIDER, name, "the provider is switched off", count, "payouts"))
            continue
        try:
            records = await provider.list_payouts(merchant_references=[payout.public_id for payout in group])
        except ProviderError as error:
            found.append(_unavailable(AREA_PAYOUT_PROVIDER, name, _unreachable(error), count, "payouts"))
            continue
        except Exception:  # a bug in one provider's client must not hide what the others say
            logger.exception("reconciliation_provider_failed", provider=name, area="payouts")
            found.append(_unavailable(AREA_PAYOUT_PROVIDER, name, _UNEXPECTED, count, "payouts"))
            continue
        found += rules.payout_provider_mismatches(name, group, records)
    return found


async def _payment_provider_mismatches(orders: Sequence[OrderFacts]) -> tuple[list[Mismatch], list[str], int]:
    """Mismatches, notes on what could not be compared, and how many orders were compared."""
    paid = [order for order in orders if rules.expects_sale(order) and order.provider_reference]
    found: list[Mismatch] = []
    notes: list[str] = []
    checked = 0
    for name, group in _by_provider(paid).items():
        count = len(group)
        try:
            provider = get_payment_provider(name)
        except LookupError:
            found.append(_unavailable(AREA_PAYMENT_PROVIDER, name, "the provider is switched off", count, "orders"))
            continue
        if not isinstance(provider, PaymentLister):
            notes.append(f"{name}: its payments cannot be listed yet, so {count} orders were not compared with it")
            continue
        try:
            records = await provider.list_payments([order.provider_reference or "" for order in group])
        except ProviderError as error:
            found.append(_unavailable(AREA_PAYMENT_PROVIDER, name, _unreachable(error), count, "orders"))
            continue
        except Exception:  # a bug in one provider's client must not hide what the others say
            logger.exception("reconciliation_provider_failed", provider=name, area="payments")
            found.append(_unavailable(AREA_PAYMENT_PROVIDER, name, _UNEXPECTED, count, "orders"))
            continue
        checked += count
        found += rules.payment_mismatches(name, group, records)
    return found, notes, checked


_UNEXPECTED = "the provider's records could not be read (an unexpected error, see the logs)"


def _unreachable(error: ProviderError) -> str:
    return f"the provider's records could not be read ({error.message})"


def _unavailable(area: str, provider: str, problem: str, count: int, what: str) -> Mismatch:
    return rules.provider_unavailable(area, provider, problem, count=count, what=what)
