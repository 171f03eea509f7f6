"""A creator's monthly earnings statement, read from the ledger, and CSV exports of their ledger and payouts.

The statement's balance is what the platform owes the creator (the earnings account: held and available money);
a payout request moves money out of it, a failed payout brings it back. Months follow the creator's timezone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from datetime import date, datetime
from zoneinfo import ZoneInfo

from creatorly import db
from creatorly.errors import InvalidInput
from creatorly.kit.clock import as_utc, utc_now
from creatorly.kit.csvfile import csv_text, decimal_text, iso_utc
from creatorly.kit.money import format_money
from creatorly.models import Creator, LedgerEntry, LedgerTransaction
from creatorly.services.accounts.authorization import require_user
from creatorly.services.creators import service as creators
from creatorly.services.statements import repository
from creatorly.services.statements.pdf import render_statement_pdf
from creatorly.services.statements.schemas import CurrencyStatement, Statement, StatementLine
from creatorly.services.tips import service as tips

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_MONTHS_LISTED = 60
KIND_LABELS = {
    "sale": "Sale",
    "tip": "Tip",  # a sale whose order is a tip
    "refund": "Refund",
    "provider_fee": "Payment provider fee",
    "payout": "Payout requested",
    "payout_paid": "Payout paid",
    "payout_failed": "Payout returned",
}
LEDGER_CSV_HEADER = [
    "posted_at",
    "kind",
    "reference",
    "description",
    "account",
    "memo",
    "amount",
    "currency",
    "available_at",
]
PAYOUTS_CSV_HEADER = [
    "payout",
    "created_at",
    "status",
    "amount",
    "currency",
    "account",
    "provider",
    "provider_reference",
    "paid_at",
    "failed_at",
    "failure_reason",
]


def parse_month(text: str) -> tuple[int, int]:
    match = _MONTH.match(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise InvalidInput("Choose a month as YYYY-MM.", field="month")
    return int(match.group(1)), int(match.group(2))


def _bounds(year: int, month: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return as_utc(start), as_utc(end)


def _zone(creator: Creator) -> ZoneInfo:
    try:
        return ZoneInfo(creator.timezone or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


async def _creator(session_token: str) -> Creator:
    user = await require_user(session_token)
    async with db.transaction() as session:
        return await creators.creator_of(session, user.id)


async def monthly_statement(*, session_token: str, month: str) -> Statement:
    """The signed-in creator's statement for one calendar month (YYYY-MM) in their timezone."""
    year, number = parse_month(month)
    creator = await _creator(session_token)
    assert creator.id is not None
    zone = _zone(creator)
    start, end = _bounds(year, number, zone)
    async with db.transaction() as session:
        opening = await repository.earnings_before(session, creator.id, start)
        rows = await repository.transactions_between(session, creator.id, start, end)
        order_ids = {order_id for transaction, _ in rows if (order_id := _order_id(transaction)) is not None}
        labels = await repository.order_labels(session, order_ids)
        tip_labels = await tips.tip_order_labels(session, order_ids)
    return Statement(
        creator_name=creator.display_name,
        handle=creator.handle,
        month=f"{year:04d}-{number:02d}",
        month_label=date(year, number, 1).strftime("%B %Y"),
        timezone=str(zone),
        generated_at=utc_now(),
        currencies=_currency_statements(creator.id, opening, rows, labels | tip_labels, tip_orders=set(tip_labels)),
    )


def _order_id(transaction: LedgerTransaction) -> int | None:
    """The order a sale, refund or fee posting belongs to (its reference starts "order:{id}")."""
    prefix, _, rest = transaction.reference.partition(":")
    number = rest.split(":", 1)[0]
    return int(number) if prefix == "order" and number.isdigit() else None


def _currency_statements(
    creator_id: int,
    opening: dict[str, int],
    rows: Sequence[tuple[LedgerTransaction, LedgerEntry]],
    labels: dict[int, str],
    *,
    tip_orders: AbstractSet[int] = frozenset(),
) -> list[CurrencyStatement]:
    grouped: dict[int, tuple[LedgerTransaction, list[LedgerEntry]]] = {}
    for transaction, entry in rows:
        assert transaction.id is not None
        grouped.setdefault(transaction.id, (transaction, []))[1].append(entry)
    lines: dict[str, list[StatementLine]] = defaultdict(list)
    for transaction, entries in grouped.values():
        order_id = _order_id(transaction)
        description = labels.get(order_id, transaction.description) if order_id is not None else transaction.description
        kind_label = KIND_LABELS["tip"] if transaction.kind == "sale" and order_id in tip_orders else None
        lines[transaction.currency].append(_line(creator_id, transaction, entries, description, kind_label))
    currencies = sorted(set(lines) | {currency for currency, amount in opening.items() if amount != 0})
    return [_currency_statement(currency, opening.get(currency, 0), lines.get(currency, [])) for currency in currencies]


def _line(
    creator_id: int,
    transaction: LedgerTransaction,
    entries: list[LedgerEntry],
    description: str,
    kind_label: str | None = None,
) -> StatementLine:
    earnings = f"creator:{creator_id}:earnings"
    net = -sum(entry.amount for entry in entries if entry.account == earnings)
    currency = transaction.currency
    gross = fees = 0
    if transaction.kind == "sale":
        gross = sum(entry.amount for entry in entries if entry.memo == "gross")
        fees = gross - net
    elif transaction.kind == "refund":
        gross = sum(entry.amount for entry in entries if entry.memo == "refund")  # negative: money given back
        fees = gross - net  # negative: the platform fee returned with it
    elif transaction.kind == "provider_fee":
        fees = -net
    return StatementLine(
        posted_at=as_utc(transaction.created_at),
        label=kind_label or KIND_LABELS.get(transaction.kind, transaction.kind.replace("_", " ").capitalize()),
        description=description,
        gross=gross,
        fees=fees,
        net=net,
        gross_label=format_money(gross, currency) if gross else "",
        fees_label=format_money(fees, currency) if fees else "",
        net_label=format_money(net, currency),
    )


def _currency_statement(currency: str, opening: int, lines: list[StatementLine]) -> CurrencyStatement:
    sales = sum(line.gross for line in lines if line.label in (KIND_LABELS["sale"], KIND_LABELS["tip"]))
    refunds = -sum(line.gross for line in lines if line.label == KIND_LABELS["refund"])
    fees = sum(line.fees for line in lines)
    payouts = -sum(line.net for line in lines if line.label in (KIND_LABELS["payout"], KIND_LABELS["payout_failed"]))
    closing = opening + sum(line.net for line in lines)
    totals = {"opening": opening, "sales": sales, "refunds": refunds, "fees": fees, "payouts": payouts}
    labels = {name: format_money(amount, currency) for name, amount in {**totals, "closing": closing}.items()}
    return CurrencyStatement(currency=currency, closing=closing, lines=lines, labels=labels, **totals)


async def statement_pdf(*, session_token: str, month: str) -> bytes:
    """The same statement as a PDF document."""
    return render_statement_pdf(await monthly_statement(session_token=session_token, month=month))


async def statement_months(*, session_token: str) -> list[str]:
    """YYYY-MM of every month from the creator's first ledger activity to now, newest first (this month at least)."""
    creator = await _creator(session_token)
    assert creator.id is not None
    zone = _zone(creator)
    async with db.transaction() as session:
        first = await repository.first_activity(session, creator.id)
    today = utc_now().astimezone(zone).date()
    start = as_utc(first).astimezone(zone).date() if first is not None else today
    months: list[str] = []
    year, month = today.year, today.month
    while (year, month) >= (start.year, start.month) and len(months) < MAX_MONTHS_LISTED:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


async def ledger_csv(*, session_token: str) -> str:
    """Every entry on the creator's own accounts (earnings, payouts in transit), oldest first."""
    creator = await _creator(session_token)
    assert creator.id is not None
    async with db.transaction() as session:
        rows = await repository.entries_on_creator_accounts(session, creator.id)
    prefix = f"creator:{creator.id}:"
    return csv_text(
        LEDGER_CSV_HEADER,
        (
            [
                iso_utc(transaction.created_at),
                transaction.kind,
                transaction.reference,
                transaction.description,
                entry.account.removeprefix(prefix),
                entry.memo,
                decimal_text(-entry.amount, entry.currency),  # positive: owed to the creator
                entry.currency,
                iso_utc(entry.available_at),
            ]
            for transaction, entry in rows
        ),
    )


async def payouts_csv(*, session_token: str) -> str:
    """Every payout of the creator, newest first; the account shown only by its kind and last 4."""
    creator = await _creator(session_token)
    assert creator.id is not None
    async with db.transaction() as session:
        rows = await repository.payouts_with_accounts(session, creator.id)
    return csv_text(
        PAYOUTS_CSV_HEADER,
        (
            [
                payout.public_id,
                iso_utc(payout.created_at),
                str(payout.status),
                decimal_text(payout.amount, payout.currency),
                payout.currency,
                _account_label(account.kind, account.account_last4, account.upi_id, account.stripe_account_id)
                if account.kind != "paypal"
                else f"PayPal {account.paypal_email}",
                payout.provider,
                payout.provider_reference or "",
                iso_utc(payout.paid_at),
                iso_utc(payout.failed_at),
                payout.failure_reason,
            ]
            for payout, account in rows
        ),
    )


def _account_label(kind: str, last4: str, upi_id: str, stripe_account_id: str) -> str:
    if kind == "upi":
        return f"UPI {upi_id}"
    if kind == "stripe":
        return f"Stripe {stripe_account_id}"
    return f"Bank ····{last4}"
