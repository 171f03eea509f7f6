"""A local stand-in for Razorpay's Orders, Subscriptions and RazorpayX payouts, answering as its docs show.

Orders: POST /v1/orders. RazorpayX: POST /v1/contacts, POST /v1/fund_accounts, POST /v1/payouts (with the
X-Payout-Idempotency header), GET /v1/payouts?account_number=…&reference_id=… and GET /v1/payouts/{id}.
Subscriptions: POST /v1/plans, POST /v1/subscriptions (with a future start_at / expire_by), …/{id}/cancel (an
ended one refused, as Razorpay does), /pause, /resume, PATCH and GET; `authenticate_subscription` is the fan
authorising one on its short_url. Identical contacts and fund accounts are answered with the existing one, as
Razorpay does. `settle_payout` moves a payout
to its final status and `payout_webhook` builds that status's webhook from Razorpay's documented payload, signed
with the webhook secret (hex HMAC-SHA256 of the exact body, X-Razorpay-Signature); `subscription_webhook` and
`payment_webhook` do the same for a subscription's events and for the payment of an order made here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from tests.processes import serving

SHARED_API = Path("/work/shared/razorpay/api")
WEBHOOK_PAYLOADS = Path(__file__).parent.parent / "payloads" / "razorpay"
KEY_ID = "rzp_test_standin"
KEY_SECRET = "standin_key_secret"
MINIMUM_AMOUNT = 100
MAX_RECEIPT_LENGTH = 40
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _template(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SHARED_API / name).read_text())
    return loaded


def _webhook_template(event: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((WEBHOOK_PAYLOADS / f"{event}.json").read_text())
    return loaded


def _random_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(14))


@dataclass
class RazorpayStandIn:
    """The running stand-in: its base URL, the orders it made, and a switch to make the next call fail."""

    base_url: str
    orders: list[dict[str, Any]] = field(default_factory=list)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    fail_next_with_status: int | None = None
    contacts: list[dict[str, Any]] = field(default_factory=list)
    fund_accounts: list[dict[str, Any]] = field(default_factory=list)
    payouts: list[dict[str, Any]] = field(default_factory=list)
    # X-Payout-Idempotency → the payout it made and the body it came with
    payout_requests: dict[str, tuple[str, Any]] = field(default_factory=dict)
    # Every cancel it took: (sub_… id, at the cycle's end); a refused one is not here
    subscription_cancels: list[tuple[str, bool]] = field(default_factory=list)

    def clear_payouts(self) -> None:
        self.contacts.clear()
        self.fund_accounts.clear()
        self.payouts.clear()
        self.payout_requests.clear()

    def payout(self, payout_id: str) -> dict[str, Any]:
        return next(payout for payout in self.payouts if payout["id"] == payout_id)

    def settle_payout(self, payout_id: str, event: str) -> dict[str, Any]:
        """Move a payout to the final status of `event` (payout.processed, .reversed, .failed, .rejected)."""
        template = _webhook_template(event)["payload"]["payout"]["entity"]
        payout = self.payout(payout_id)
        payout.update(
            status=template["status"],
            status_details=template.get("status_details"),
            utr=template.get("utr"),
            failure_reason=template.get("failure_reason"),
        )
        return payout

    def payout_webhook(self, event: str, payout_id: str, *, secret: str) -> tuple[bytes, dict[str, str]]:
        """Razorpay's documented webhook for `event` about this payout as held here, signed with `secret`."""
        payload = _webhook_template(event)
        payload["payload"]["payout"]["entity"] = dict(self.payout(payout_id))
        return signed_webhook(payload, secret=secret)


def signed_webhook(payload: dict[str, Any], *, secret: str) -> tuple[bytes, dict[str, str]]:
    """The webhook's body as Razorpay sends it (stamped now) and its headers: the hex HMAC-SHA256 of the exact body
    with `secret`, and a fresh event id."""
    payload["created_at"] = int(time.time())
    raw = json.dumps(payload, indent=2).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Razorpay-Signature": hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest(),
        "X-Razorpay-Event-Id": f"evt_{_random_id()}",
    }
    return raw, headers


def _error(status: int, *, code: str, description: str, field_name: str | None = None) -> JSONResponse:
    body = _template("error_create_order_bad_request.json")
    body["error"].update({"code": code, "description": description, "field": field_name})
    if field_name is None:
        body["error"].update({"source": "NA", "step": "NA", "reason": "NA"})
    return JSONResponse(body, status_code=status)


def _is_authorized(request: Request) -> bool:
    expected = "Basic " + base64.b64encode(f"{KEY_ID}:{KEY_SECRET}".encode()).decode()
    return secrets.compare_digest(request.headers.get("authorization", ""), expected)


def _input_error(body: Any) -> JSONResponse | None:
    if not isinstance(body, dict):
        return _error(400, code="BAD_REQUEST_ERROR", description="The request body is invalid")
    amount, currency, receipt = body.get("amount"), body.get("currency"), body.get("receipt")
    if type(amount) is not int:
        return _error(400, code="BAD_REQUEST_ERROR", description="The amount must be an integer.", field_name="amount")
    if amount < MINIMUM_AMOUNT:
        return _error(
            400, code="BAD_REQUEST_ERROR", description="The amount must be at least INR 1.00", field_name="amount"
        )
    if not (isinstance(currency, str) and len(currency) == 3):
        return _error(400, code="BAD_REQUEST_ERROR", description="The currency is invalid.", field_name="currency")
    if receipt is not None and not (isinstance(receipt, str) and len(receipt) <= MAX_RECEIPT_LENGTH):
        return _error(
            400,
            code="BAD_REQUEST_ERROR",
            description="The receipt may not be greater than 40 characters.",
            field_name="receipt",
        )
    return None


def _app(stand_in: RazorpayStandIn) -> Starlette:
    async def create_order(request: Request) -> JSONResponse:
        if stand_in.fail_next_with_status is not None:
            status, stand_in.fail_next_with_status = stand_in.fail_next_with_status, None
            return _error(status, code="SERVER_ERROR", description="The server encountered an error.")
        if not _is_authorized(request):
            return _error(401, code="BAD_REQUEST_ERROR", description="Authentication failed")
        try:
            body: Any = json.loads(await request.body())
        except ValueError:
            body = None
        problem = _input_error(body)
        if problem is not None:
            return problem
        order = _template("create_order.json")
        order.update(
            {
                "id": "order_" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(14)),
                "amount": body["amount"],
                "amount_due": body["amount"],
                "currency": body["currency"],
                "receipt": body.get("receipt"),
                "notes": body.get("notes") or [],
                "created_at": int(time.time()),
            }
        )
        stand_in.orders.append(order)
        return JSONResponse(order)

    return Starlette(
        routes=[
            Route("/v1/orders", create_order, methods=["POST"]),
            *_refund_routes(stand_in),
            *_payout_routes(stand_in),
            *_subscription_routes(stand_in),
        ]
    )


# --- Refunds ----------------------------------------------------------------------------------------------


def _refund_routes(stand_in: RazorpayStandIn) -> list[Route]:
    async def create_refund(request: Request) -> JSONResponse:
        """POST /v1/payments/{id}/refund: a normal refund, processed at once, as the docs' sample answers."""
        if not _is_authorized(request):
            return _error(401, code="BAD_REQUEST_ERROR", description="Authentication failed")
        body: Any = json.loads(await request.body() or b"{}")
        amount = body.get("amount") if isinstance(body, dict) else None
        if type(amount) is not int or amount < MINIMUM_AMOUNT:
            return _error(400, code="BAD_REQUEST_ERROR", description="The amount is invalid.", field_name="amount")
        refund = _template("create_refund.json")
        refund.update(
            {
                "id": "rfnd_" + _random_id(),
                "amount": amount,
                "payment_id": request.path_params["payment_id"],
                "notes": body.get("notes") or [],
                "created_at": int(time.time()),
            }
        )
        stand_in.refunds.append(refund)
        return JSONResponse(refund)

    async def list_refunds(request: Request) -> JSONResponse:
        """GET /v1/payments/{id}/refunds: the payment's refunds as a collection."""
        if not _is_authorized(request):
            return _error(401, code="BAD_REQUEST_ERROR", description="Authentication failed")
        items = [refund for refund in stand_in.refunds if refund["payment_id"] == request.path_params["payment_id"]]
        return JSONResponse({"entity": "collection", "count": len(items), "items": items})

    return [
        Route("/v1/payments/{payment_id}/refund", create_refund, methods=["POST"]),
        Route("/v1/payments/{payment_id}/refunds", list_refunds, methods=["GET"]),
    ]


# --- RazorpayX payouts ------------------------------------------------------------------------------------


async def _json_body(request: Request) -> dict[str, Any] | None:
    try:
        body: Any = json.loads(await request.body())
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _bad_request(description: str, field_name: str | None = None) -> JSONResponse:
    return _error(400, code="BAD_REQUEST_ERROR", description=description, field_name=field_name)


def _refusal(stand_in: RazorpayStandIn, request: Request) -> JSONResponse | None:
    """The switch-made failure or the authentication failure that comes before looking at the request."""
    if stand_in.fail_next_with_status is not None:
        status, stand_in.fail_next_with_status = stand_in.fail_next_with_status, None
        return _error(status, code="SERVER_ERROR", description="The server encountered an error.")
    if not _is_authorized(request):
        return _error(401, code="BAD_REQUEST_ERROR", description="Authentication failed")
    return None


def _existing(items: list[dict[str, Any]], fields: dict[str, Any]) -> dict[str, Any] | None:
    return next((item for item in items if all(item.get(name) == value for name, value in fields.items())), None)


def _fund_account_details(body: dict[str, Any]) -> tuple[str, dict[str, Any]] | JSONResponse:
    account_type = body.get("account_type")
    if account_type == "bank_account":
        bank = body.get("bank_account")
        if not (isinstance(bank, dict) and all(isinstance(bank.get(name), str) for name in ("name", "ifsc"))):
            return _bad_request("The bank account details are invalid.", "bank_account")
        if not str(bank.get("account_number", "")).isdigit():
            return _bad_request("The account number is invalid.", "account_number")
        return "create_fund_account_bank.json", {
            "bank_account": {**bank, "bank_name": "HDFC Bank", "notes": []},
        }
    if account_type == "vpa":
        vpa = body.get("vpa")
        address = vpa.get("address") if isinstance(vpa, dict) else None
        if not (isinstance(address, str) and "@" in address):
            return _bad_request("The vpa address is invalid.", "vpa")
        username, _, handle = address.partition("@")
        return "create_fund_account_vpa.json", {"vpa": {"username": username, "handle": handle, "address": address}}
    return _bad_request("The account type field is invalid.", "account_type")


def _payout_problem(stand_in: RazorpayStandIn, body: dict[str, Any]) -> JSONResponse | None:
    fund_account = _existing(stand_in.fund_accounts, {"id": body.get("fund_account_id")})
    if not (isinstance(body.get("account_number"), str) and body["account_number"]):
        return _bad_request("The account number field is required.", "account_number")
    if fund_account is None:
        return _bad_request("The id provided does not exist", "fund_account_id")
    if type(body.get("amount")) is not int or body["amount"] < MINIMUM_AMOUNT:
        return _bad_request("The amount must be at least INR 1.00", "amount")
    if body.get("currency") != "INR":
        return _bad_request("Currency is not supported", "currency")
    expected_mode = "UPI" if fund_account["account_type"] == "vpa" else body.get("mode")
    if body.get("mode") not in ("IMPS", "NEFT", "RTGS", "UPI") or body.get("mode") != expected_mode:
        return _bad_request("The mode is invalid for this fund account.", "mode")
    reference = body.get("reference_id")
    if reference is not None and not (isinstance(reference, str) and len(reference) <= MAX_RECEIPT_LENGTH):
        return _bad_request("The reference id may not be greater than 40 characters.", "reference_id")
    return None


def _payout_routes(stand_in: RazorpayStandIn) -> list[Route]:
    async def create_contact(request: Request) -> JSONResponse:
        refusal = _refusal(stand_in, request)
        if refusal is not None:
            return refusal
        body = await _json_body(request)
        if body is None or not (isinstance(body.get("name"), str) and body["name"]):
            return _bad_request("The name field is required.", "name")
        fields = {name: body.get(name) for name in ("name", "email", "contact", "type", "reference_id")}
        existing = _existing(stand_in.contacts, fields)
        if existing is not None:
            return JSONResponse(existing)
        contact = {**_template("create_contact.json"), **fields, "id": f"cont_{_random_id()}"}
        contact.update(notes=body.get("notes") or [], created_at=int(time.time()))
        stand_in.contacts.append(contact)
        return JSONResponse(contact, status_code=201)

    async def create_fund_account(request: Request) -> JSONResponse:
        refusal = _refusal(stand_in, request)
        if refusal is not None:
            return refusal
        body = await _json_body(request)
        if body is None or _existing(stand_in.contacts, {"id": body.get("contact_id")}) is None:
            return _bad_request("The id provided does not exist", "contact_id")
        details = _fund_account_details(body)
        if isinstance(details, JSONResponse):
            return details
        template_name, account = details
        fields = {"contact_id": body["contact_id"], "account_type": body["account_type"], **account}
        existing = _existing(stand_in.fund_accounts, fields)
        if existing is not None:
            return JSONResponse(existing)
        fund_account = {
            **_template(template_name),
            **fields,
            "id": f"fa_{_random_id()}",
            "created_at": int(time.time()),
        }
        stand_in.fund_accounts.append(fund_account)
        return JSONResponse(fund_account, status_code=201)

    async def create_payout(request: Request) -> JSONResponse:
        refusal = _refusal(stand_in, request)
        if refusal is not None:
            return refusal
        key = request.headers.get("x-payout-idempotency", "")
        if not key:
            return _bad_request("X-Payout-Idempotency header is required.")
        body = await _json_body(request)
        if key in stand_in.payout_requests:
            payout_id, first_body = stand_in.payout_requests[key]
            if body != first_body:
                return _bad_request("Different request body sent for the same idempotency key")
            return JSONResponse(stand_in.payout(payout_id))
        if body is None:
            return _bad_request("The request body is invalid")
        problem = _payout_problem(stand_in, body)
        if problem is not None:
            return problem
        payout = _template("create_payout.json")
        payout.update(
            {
                "id": f"pout_{_random_id()}",
                "fund_account_id": body["fund_account_id"],
                "amount": body["amount"],
                "currency": body["currency"],
                "notes": body.get("notes") or [],
                "status": "processing",
                "status_details": None,
                "mode": body["mode"],
                "purpose": body.get("purpose"),
                "reference_id": body.get("reference_id"),
                "narration": body.get("narration"),
                "created_at": int(time.time()),
            }
        )
        stand_in.payouts.append(payout)
        stand_in.payout_requests[key] = (payout["id"], body)
        return JSONResponse(payout)

    async def list_payouts(request: Request) -> JSONResponse:
        refusal = _refusal(stand_in, request)
        if refusal is not None:
            return refusal
        if not request.query_params.get("account_number"):
            return _bad_request("The account number field is required.", "account_number")
        reference = request.query_params.get("reference_id")
        items = [payout for payout in stand_in.payouts if reference is None or payout["reference_id"] == reference]
        return JSONResponse({"entity": "collection", "count": len(items), "items": items})

    async def fetch_payout(request: Request) -> JSONResponse:
        refusal = _refusal(stand_in, request)
        if refusal is not None:
            return refusal
        found = _existing(stand_in.payouts, {"id": request.path_params["payout_id"]})
        if found is None:
            return _bad_request("The id provided does not exist")
        return JSONResponse(found)

    return [
        Route("/v1/contacts", create_contact, methods=["POST"]),
        Route("/v1/fund_accounts", create_fund_account, methods=["POST"]),
        Route("/v1/payouts", create_payout, methods=["POST"]),
        Route("/v1/payouts", list_payouts, methods=["GET"]),
        Route("/v1/payouts/{payout_id}", fetch_payout, methods=["GET"]),
    ]


# --- Subscriptions (memberships) --------------------------------------------------------------------------

# Plans and subscriptions the stand-in made, by id (module-level: the stand-in's dataclass keeps other state).
SUBSCRIPTIONS: dict[str, dict[str, Any]] = {}
PLANS: dict[str, dict[str, Any]] = {}
SUBSCRIPTION_WEBHOOKS = Path(__file__).parent.parent / "payloads" / "razorpay"
SHARED_WEBHOOKS = Path("/work/shared/razorpay/webhooks")


def _subscription_routes(stand_in: RazorpayStandIn) -> list[Route]:
    async def create_plan(request: Request) -> JSONResponse:
        """POST /v1/plans, answered in the shape of create_plan.json."""
        refusal = _refusal(stand_in, request)
        if refusal is not None:
            return refusal
        body: Any = json.loads(await request.body() or b"{}")
        item = body.get("item") if isinstance(body, dict) else None
        if not (isinstance(item, dict) and type(item.get("amount")) is int and item["amount"] >= MINIMUM_AMOUNT):
            return _error(400, code="BAD_REQUEST_ERROR", description="The amount is invalid.", field_name="amount")
        plan = _template("create_plan.json")
        plan.update(id=f"plan_{_random_id()}", period=body.get("period"), interval=body.get("interval"))
        plan["item"].update(name=item.get("name"), amount=item["amount"], currency=item.get("currency"))
        PLANS[plan["id"]] = plan
        return JSONResponse(plan)

    async def create_subscription(request: Request) -> JSONResponse:
        """POST /v1/subscriptions, answered in the shape of create_subscription.json (status created). A future
        `start_at` is when the first charge happens; `expire_by` is the last moment to authorise it."""
        refusal = _refusal(stand_in, request)
        if refusal is not None:
            return refusal
        body = await _json_body(request)
        if body is None or body.get("plan_id") not in PLANS:
            return _bad_request("The id provided does not exist", "plan_id")
        problem = _schedule_problem(body)
        if problem is not None:
            return problem
        now, subscription_id = int(time.time()), f"sub_{_random_id()}"
        start_at = body.get("start_at")
        subscription = _template("create_subscription.json")
        subscription.update(
            id=subscription_id,
            plan_id=body["plan_id"],
            total_count=body.get("total_count"),
            remaining_count=body.get("total_count"),
            notes=body.get("notes") or [],
            start_at=start_at or now,
            charge_at=start_at or now,
            expire_by=body.get("expire_by"),
            created_at=now,
            short_url=f"{stand_in.base_url}/authorise/{subscription_id}",
        )
        SUBSCRIPTIONS[subscription_id] = subscription
        return JSONResponse(subscription)

    return [
        Route("/v1/plans", create_plan, methods=["POST"]),
        Route("/v1/subscriptions", create_subscription, methods=["POST"]),
        *_subscription_change_routes(stand_in),
    ]


def _schedule_problem(body: dict[str, Any]) -> JSONResponse | None:
    now = int(time.time())
    for name in ("start_at", "expire_by"):
        value = body.get(name)
        if value is not None and (type(value) is not int or value <= now):
            return _bad_request(f"{name} cannot be lesser than the current time.", name)
    return None


def _subscription_change_routes(stand_in: RazorpayStandIn) -> list[Route]:
    """Cancel, pause, resume and update (PATCH) a subscription made here, as Razorpay's API documents them; the
    switch-made failure applies to them too. The fan authorises at the subscription's short_url (a plain page)."""

    async def _found(request: Request) -> dict[str, Any] | JSONResponse:
        refusal = _refusal(stand_in, request)
        if refusal is not None:
            return refusal
        subscription = SUBSCRIPTIONS.get(request.path_params["subscription_id"])
        if subscription is None:
            return _bad_request("The id provided does not exist")
        return subscription

    async def cancel(request: Request) -> JSONResponse:
        """POST /v1/subscriptions/{id}/cancel: at once, or at the cycle's end with cancel_at_cycle_end=1. An ended
        subscription is refused, in the words of Razorpay's documented failure."""
        subscription = await _found(request)
        if isinstance(subscription, JSONResponse):
            return subscription
        if subscription.get("status") in ("cancelled", "completed", "expired"):
            return _bad_request(f"Subscription is not cancellable in {subscription['status']} status.", "status")
        body = await _json_body(request) or {}
        at_cycle_end = body.get("cancel_at_cycle_end") in (1, True, "1")
        if at_cycle_end:
            subscription.update(has_scheduled_changes=True, cancel_at_cycle_end=True)
        else:
            subscription.update(status="cancelled", ended_at=int(time.time()))
        stand_in.subscription_cancels.append((subscription["id"], at_cycle_end))
        return JSONResponse(subscription)

    async def pause(request: Request) -> JSONResponse:
        subscription = await _found(request)
        if isinstance(subscription, JSONResponse):
            return subscription
        if subscription.get("status") == "paused":
            return _bad_request("Subscription is already paused")
        subscription.update(status="paused", paused_at=int(time.time()))
        return JSONResponse(subscription)

    async def resume(request: Request) -> JSONResponse:
        subscription = await _found(request)
        if isinstance(subscription, JSONResponse):
            return subscription
        if subscription.get("status") != "paused":
            return _bad_request("Subscription is not paused")
        subscription.update(status="active", paused_at=None)
        return JSONResponse(subscription)

    async def update(request: Request) -> JSONResponse:
        """PATCH /v1/subscriptions/{id}: a new plan now, or from the cycle's end (schedule_change_at=cycle_end)."""
        subscription = await _found(request)
        if isinstance(subscription, JSONResponse):
            return subscription
        body = await _json_body(request) or {}
        if body.get("plan_id") not in PLANS:
            return _bad_request("The id provided does not exist", "plan_id")
        if body.get("schedule_change_at") == "cycle_end":
            subscription.update(has_scheduled_changes=True, scheduled_plan_id=body["plan_id"])
        else:
            subscription.update(plan_id=body["plan_id"])
        return JSONResponse(subscription)

    async def fetch(request: Request) -> JSONResponse:
        subscription = await _found(request)
        return subscription if isinstance(subscription, JSONResponse) else JSONResponse(subscription)

    async def authorise(request: Request) -> HTMLResponse:
        """The short_url's page (Razorpay's hosted authorisation; here a plain page naming the subscription)."""
        subscription_id = request.path_params["subscription_id"]
        if subscription_id not in SUBSCRIPTIONS:
            return HTMLResponse("<h1>Not found</h1>", status_code=404)
        return HTMLResponse(f"<h1>Authorise subscription {subscription_id}</h1>")

    return [
        Route("/v1/subscriptions/{subscription_id}/cancel", cancel, methods=["POST"]),
        Route("/v1/subscriptions/{subscription_id}/pause", pause, methods=["POST"]),
        Route("/v1/subscriptions/{subscription_id}/resume", resume, methods=["POST"]),
        Route("/v1/subscriptions/{subscription_id}", update, methods=["PATCH"]),
        Route("/v1/subscriptions/{subscription_id}", fetch, methods=["GET"]),
        Route("/authorise/{subscription_id}", authorise, methods=["GET"]),
    ]


def authenticate_subscription(subscription_id: str, *, secret: str) -> tuple[bytes, dict[str, str]]:
    """The fan authorises the subscription on its short_url: it is authenticated (it charges from its start_at),
    and Razorpay's subscription.authenticated webhook about it is answered, signed with `secret`."""
    SUBSCRIPTIONS[subscription_id].update(status="authenticated", customer_id="cust_F5ZuzTm0cqYpzp")
    return subscription_webhook("subscription.authenticated", subscription_id, secret=secret)


def _subscription_payload(event: str) -> dict[str, Any]:
    """The recorded payload of the event or of its documented variant (copied into tests/payloads/razorpay), else
    the documented one in the shared Razorpay folder."""
    candidates = [directory / f"{event}.json" for directory in (SUBSCRIPTION_WEBHOOKS, SHARED_WEBHOOKS)]
    path = next((path for path in candidates if path.exists()), SHARED_WEBHOOKS / "variants" / f"{event}.json")
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def subscription_webhook(
    event: str, subscription_id: str, *, secret: str, payment_id: str = "", amount: int = 0
) -> tuple[bytes, dict[str, str]]:
    """Razorpay's documented webhook for `event` about a subscription made here (its plan, notes and start; with
    its payment, when the event carries one), signed with `secret` (hex HMAC-SHA256 of the exact body). An event
    may name a variant of the documented payload: "subscription.activated.future_start_no_upfront"."""
    payload = _subscription_payload(event)
    made = SUBSCRIPTIONS[subscription_id]
    entity = payload["payload"]["subscription"]["entity"]
    entity.update(id=subscription_id, plan_id=made["plan_id"], notes=made["notes"])
    entity.update(start_at=made["start_at"], charge_at=made["charge_at"], total_count=made["total_count"])
    if "payment" in payload["payload"]:
        payload["payload"]["payment"]["entity"].update(id=payment_id, amount=amount, currency="INR")
    return signed_webhook(payload, secret=secret)


def payment_webhook(
    event: str, razorpay_order: dict[str, Any], *, secret: str, payment_id: str, fee: int = 0
) -> tuple[bytes, dict[str, str]]:
    """Razorpay's documented payment.captured / order.paid webhook for a payment of an order made here (its whole
    amount, captured), signed with `secret` (hex HMAC-SHA256 of the exact body)."""
    payload: dict[str, Any] = json.loads((WEBHOOK_PAYLOADS / f"{event}.json").read_text())
    amount = razorpay_order["amount"]
    payload["payload"]["payment"]["entity"].update(
        id=payment_id, order_id=razorpay_order["id"], amount=amount, currency="INR", fee=fee
    )
    if "order" in payload["payload"]:
        payload["payload"]["order"]["entity"].update(
            id=razorpay_order["id"], amount=amount, amount_paid=amount, receipt=razorpay_order["receipt"]
        )
    return signed_webhook(payload, secret=secret)


@contextmanager
def running_razorpay_standin() -> Iterator[RazorpayStandIn]:
    """Serve the stand-in over plain HTTP on a free port until the block ends."""
    stand_in = RazorpayStandIn(base_url="")
    with serving(_app(stand_in)) as url:
        stand_in.base_url = url
        yield stand_in
