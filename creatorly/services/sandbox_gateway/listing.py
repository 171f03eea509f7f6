"""The sandbox gateway's payment listing: what it holds for given payments and how much of each it refunded."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from creatorly import db
from creatorly.errors import InvalidInput
from creatorly.services.sandbox_gateway import repository
from creatorly.services.sandbox_gateway.refunds import REFUND_SUCCEEDED
from creatorly.services.sandbox_gateway.service import authenticate

MAX_LISTED_PAYMENTS = 100


@dataclass(frozen=True, slots=True)
class SandboxPaymentListing:
    """One payment as the gateway's API answers it for reconciliation."""

    reference: str
    merchant_reference: str
    amount: int
    currency: str
    status: str
    amount_refunded: int


async def list_payments(*, api_key: str, references: Sequence[str]) -> list[SandboxPaymentListing]:
    """The payments among these references (1 to 100; unknown ones are left out), oldest first."""
    authenticate(api_key)
    wanted = list(dict.fromkeys(references))
    if not 0 < len(wanted) <= MAX_LISTED_PAYMENTS:
        raise InvalidInput("Name 1 to 100 payment references.", field="reference")
    async with db.transaction() as session:
        payments = await repository.payments_with_references(session, wanted)
        payloads = await repository.refund_payloads_of_payments(
            session, event_type=REFUND_SUCCEEDED, payment_references=[payment.reference for payment in payments]
        )
    refunded = _refunded_per_payment(payloads)
    return [
        SandboxPaymentListing(
            reference=payment.reference,
            merchant_reference=payment.merchant_reference,
            amount=payment.amount,
            currency=payment.currency,
            status=payment.status,
            amount_refunded=refunded.get(payment.reference, 0),
        )
        for payment in payments
    ]


def _refunded_per_payment(payloads: Sequence[str]) -> dict[str, int]:
    """Each refund event names its payment and amount; the substring query may over-match, the JSON decides."""
    totals: dict[str, int] = defaultdict(int)
    for payload in payloads:
        refund = json.loads(payload)["data"]["refund"]
        totals[str(refund["payment_reference"])] += int(refund["amount"])
    return dict(totals)
