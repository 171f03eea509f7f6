"""Reading payout outcome events: every provider's recorded payload becomes the notice its handler applies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from creatorly.providers.payouts import razorpay as razorpay_payouts
from creatorly.providers.payouts import stripe as stripe_payouts
from creatorly.services.external_events.schemas import InboundEvent
from creatorly.services.payouts.events import (
    PayoutEventGarbled,
    PayoutNotice,
    razorpay_notice,
    sandbox_notice,
    stripe_notice,
)

PAYLOADS = Path(__file__).parent.parent / "payloads"


def _recorded(provider: str, event_type: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PAYLOADS / provider / f"{event_type}.json").read_text())
    return loaded


def _event(provider: str, event_type: str, payload: dict[str, Any]) -> InboundEvent:
    return InboundEvent(provider=provider, event_id="evt_1", event_type=event_type, payload=payload)


def test_a_sandbox_payout_event_names_both_references_and_the_failure_message() -> None:
    payout = {
        "reference": "po_abc",
        "merchant_reference": "po_ours",
        "failure_code": "no_account",
        "failure_message": "The bank account doesn't exist.",
    }

    failed = sandbox_notice(_event("sandbox", "payout.failed", {"data": {"payout": payout}}))
    paid = sandbox_notice(_event("sandbox", "payout.paid", {"data": {"payout": {**payout, "failure_code": None}}}))

    assert failed == PayoutNotice("po_abc", "po_ours", "failed", "The bank account doesn't exist.")
    assert paid == PayoutNotice("po_abc", "po_ours", "paid", "")


@pytest.mark.parametrize(
    "payload",
    [{}, {"data": []}, {"data": {"payout": {"reference": "po_abc"}}}, {"data": {"payout": {"reference": 7}}}],
)
def test_a_garbled_sandbox_payout_event_is_refused(payload: dict[str, Any]) -> None:
    with pytest.raises(PayoutEventGarbled):
        sandbox_notice(_event("sandbox", "payout.paid", payload))


def test_stripes_recorded_payout_events_become_notices() -> None:
    paid = _recorded("stripe", "payout.paid")
    failed = _recorded("stripe", "payout.failed")
    for payload in (paid, failed):
        payload["data"]["object"]["metadata"] = {"merchant_reference": "po_ours"}

    assert stripe_notice(_event("stripe", "payout.paid", paid)) == PayoutNotice(
        "po_1OaFDbEcg9tTZuTgNYmX0PKB", "po_ours", "paid", ""
    )
    assert stripe_notice(_event("stripe", "payout.failed", failed)) == PayoutNotice(
        "po_1OaFDbEcg9tTZuTgNYmX0PKB", "po_ours", "failed", "The bank account has been closed."
    )
    assert stripe_notice(_event("stripe", "payout.canceled", paid)) == PayoutNotice(
        "po_1OaFDbEcg9tTZuTgNYmX0PKB", "po_ours", "failed", "The payout was canceled."
    )


def test_a_stripe_payout_creatorly_did_not_make_is_not_ours() -> None:
    # The platform's own payouts to its bank carry no merchant reference.
    assert stripe_notice(_event("stripe", "payout.paid", _recorded("stripe", "payout.paid"))) is None
    with pytest.raises(PayoutEventGarbled):
        stripe_notice(_event("stripe", "payout.paid", {"data": {"object": {"object": "transfer", "id": "tr_1"}}}))


@pytest.mark.parametrize(
    ("event_type", "outcome", "reason"),
    [
        ("payout.processed", "paid", ""),
        ("payout.reversed", "failed", "Beneficiary bank systems are offline, please retry after 30 min"),
        ("payout.rejected", "failed", "Payout rejected by beneficiary bank. Please contact beneficiary bank"),
    ],
)
def test_razorpays_recorded_payout_webhooks_become_notices(event_type: str, outcome: str, reason: str) -> None:
    payload = _recorded("razorpay", event_type)
    entity = payload["payload"]["payout"]["entity"]

    notice = razorpay_notice(_event("razorpay", event_type, payload))

    # The documented payloads have reference_id null: the payout is found by Razorpay's id alone.
    assert notice == PayoutNotice(entity["id"], None, outcome, reason)  # type: ignore[arg-type]


def test_a_razorpay_payout_names_our_payout_by_reference_id_or_note() -> None:
    payload = _recorded("razorpay", "payout.processed")
    entity = payload["payload"]["payout"]["entity"]
    entity["notes"] = {"merchant_reference": "po_from_note"}
    assert razorpay_notice(_event("razorpay", "payout.processed", payload)).merchant_reference == "po_from_note"
    entity["reference_id"] = "po_from_reference"
    assert razorpay_notice(_event("razorpay", "payout.processed", payload)).merchant_reference == "po_from_reference"


def test_provider_statuses_map_to_our_outcomes() -> None:
    assert [
        stripe_payouts.outcome_of(status) for status in ("pending", "in_transit", "paid", "failed", "canceled")
    ] == [
        "in_transit",
        "in_transit",
        "paid",
        "failed",
        "failed",
    ]
    razorpay_statuses = ("queued", "pending", "processing", "processed", "reversed", "failed", "rejected", "cancelled")
    assert [razorpay_payouts.outcome_of(status) for status in razorpay_statuses] == [
        "in_transit",
        "in_transit",
        "in_transit",
        "paid",
        "failed",
        "failed",
        "failed",
        "failed",
    ]
