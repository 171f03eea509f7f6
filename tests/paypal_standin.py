"""A local stand-in for PayPal's REST API, answering in the JSON shapes PayPal documents.

OAuth2: POST /v1/oauth2/token (client credentials over HTTP Basic); every other call needs its bearer token (401
without). Orders v2: POST /v2/checkout/orders, GET /v2/checkout/orders/{id}, POST …/{id}/capture (422
ORDER_NOT_APPROVED before the buyer approves, ORDER_ALREADY_CAPTURED after); `approve` is the buyer approving on
PayPal's page. Payments v2: POST /v2/payments/captures/{id}/refund. Payouts v1: POST /v1/payments/payouts and GET
/v1/payments/payouts/{batch id}; `settle_payout` ends a batch. A repeated PayPal-Request-Id answers the first answer.
Webhooks: `deliver` POSTs an event to the app with PayPal's transmission headers; POST
/v1/notifications/verify-webhook-signature answers SUCCESS only for a delivery this stand-in sent, unchanged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.processes import serving

CLIENT_ID = "AStandInClientId0000000000000000000000000000000000000000000000000000000000000000"
CLIENT_SECRET = "EStandInClientSecret00000000000000000000000000000000000000000000000000000000000"
WEBHOOK_ID = "8PT597110X687430LK"
AUTH_ALGO = "SHA256withRSA"
TOKEN_LIFETIME_SECONDS = 32400
FEE_PERCENT = Decimal("3.49")
_DECIMALS = {"JPY": 0, "KWD": 3, "BHD": 3}
_SIGNING_KEY = secrets.token_bytes(32)  # stands in for PayPal's private key: nobody outside the stand-in has it


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _paypal_id() -> str:
    return "".join(secrets.choice("0123456789ABCDEFGHJKLMNPRSTUVWXY") for _ in range(17))


def _error(status: int, name: str, issue: str = "", description: str = "") -> JSONResponse:
    body: dict[str, Any] = {"name": name, "message": description or name, "debug_id": secrets.token_hex(6)}
    if issue:
        body["details"] = [{"issue": issue, "description": description or issue}]
    return JSONResponse(body, status_code=status)


def _is_valid_value(value: Any, currency: str) -> bool:
    decimals = _DECIMALS.get(currency, 2)
    pattern = r"^[0-9]{1,10}$" if decimals == 0 else rf"^[0-9]{{1,10}}(\.[0-9]{{{decimals}}})?$"
    return isinstance(value, str) and re.match(pattern, value) is not None


def _fee_value(value: str, currency: str) -> str:
    decimals = _DECIMALS.get(currency, 2)
    fee = (Decimal(value) * FEE_PERCENT / 100).quantize(Decimal(1).scaleb(-decimals))
    return f"{fee:.{decimals}f}"


@dataclass
class PayPalStandIn:
    """The running stand-in: what it holds, switches for tests, and the deliveries it signed."""

    base_url: str = ""
    tokens: set[str] = field(default_factory=set)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    captures: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    payouts: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent: dict[str, dict[str, Any]] = field(default_factory=dict)  # transmission id → headers and event
    answered: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # PayPal-Request-Id → answer
    token_requests: int = 0
    decline_next_capture: bool = False

    def reset(self) -> None:
        for held in (self.orders, self.captures, self.payouts, self.sent, self.answered):
            held.clear()
        self.refunds.clear()
        self.decline_next_capture = False

    # --- What the buyer does on PayPal's page --------------------------------------------------------------

    def approve(self, order_id: str) -> None:
        order = self.orders[order_id]
        order["status"] = "APPROVED"
        order["payer"] = {
            "name": {"given_name": "John", "surname": "Doe"},
            "email_address": "buyer@example.com",
            "payer_id": "QYR5Z8XDVJNXQ",
        }

    # --- Signed webhook deliveries -------------------------------------------------------------------------

    def event(self, event_type: str, resource: dict[str, Any], *, resource_type: str) -> dict[str, Any]:
        """An event in PayPal's webhook shape (event_version 1.0, resource_version 2.0)."""
        event_id = f"WH-{_paypal_id()}-{_paypal_id()}"
        return {
            "id": event_id,
            "event_version": "1.0",
            "create_time": _now(),
            "resource_type": resource_type,
            "resource_version": "2.0",
            "event_type": event_type,
            "summary": f"{event_type} for the stand-in",
            "resource": resource,
            "links": [
                {
                    "href": f"{self.base_url}/v1/notifications/webhooks-events/{event_id}",
                    "rel": "self",
                    "method": "GET",
                },
                {
                    "href": f"{self.base_url}/v1/notifications/webhooks-events/{event_id}/resend",
                    "rel": "resend",
                    "method": "POST",
                },
            ],
        }

    def capture_event(self, event_type: str, capture_id: str) -> dict[str, Any]:
        return self.event(event_type, self.captures[capture_id], resource_type="capture")

    def refund_event(self, refund_id: str) -> dict[str, Any]:
        [refund] = [refund for refund in self.refunds if refund["id"] == refund_id]
        public = {key: value for key, value in refund.items() if not key.startswith("_")}
        return self.event("PAYMENT.CAPTURE.REFUNDED", public, resource_type="refund")

    def payout_item_event(self, batch_id: str) -> dict[str, Any]:
        item = self.payouts[batch_id]["items"][0]
        status = item["transaction_status"]
        event_type = "PAYMENT.PAYOUTS-ITEM.SUCCEEDED" if status == "SUCCESS" else f"PAYMENT.PAYOUTS-ITEM.{status}"
        return self.event(event_type, item, resource_type="payouts_item")

    def signed_headers(self, raw: bytes) -> dict[str, str]:
        """PayPal's transmission headers for these exact bytes, remembered so verification can answer SUCCESS."""
        transmission_id = secrets.token_hex(16)
        transmission_time = _now()
        cert_url = f"{self.base_url}/v1/notifications/certs/CERT-360caa42-fca2a594-standin"
        message = f"{transmission_id}|{transmission_time}|{WEBHOOK_ID}|{hashlib.sha256(raw).hexdigest()}"
        signature = base64.b64encode(hmac.new(_SIGNING_KEY, message.encode(), hashlib.sha256).digest()).decode()
        self.sent[transmission_id] = {
            "auth_algo": AUTH_ALGO,
            "cert_url": cert_url,
            "transmission_sig": signature,
            "transmission_time": transmission_time,
            "webhook_event": json.loads(raw),
        }
        return {
            "PAYPAL-AUTH-ALGO": AUTH_ALGO,
            "PAYPAL-CERT-URL": cert_url,
            "PAYPAL-TRANSMISSION-ID": transmission_id,
            "PAYPAL-TRANSMISSION-SIG": signature,
            "PAYPAL-TRANSMISSION-TIME": transmission_time,
            "Content-Type": "application/json",
        }

    def deliver(self, app_url: str, event: dict[str, Any]) -> httpx.Response:
        raw = json.dumps(event).encode()
        return httpx.post(f"{app_url}/api/webhooks/paypal", content=raw, headers=self.signed_headers(raw), timeout=30)

    def settle_payout(self, batch_id: str, *, is_paid: bool = True) -> None:
        batch = self.payouts[batch_id]
        batch["batch_header"]["batch_status"] = "SUCCESS"
        item = batch["items"][0]
        item["transaction_status"] = "SUCCESS" if is_paid else "FAILED"
        item["transaction_id"] = _paypal_id()
        if not is_paid:
            item["errors"] = {"name": "RECEIVER_UNREGISTERED", "message": "Receiver is unregistered"}

    # --- The API -------------------------------------------------------------------------------------------

    def app(self) -> Starlette:
        routes = [
            Route("/v1/oauth2/token", self._token, methods=["POST"]),
            Route("/v2/checkout/orders", self._create_order, methods=["POST"]),
            Route("/v2/checkout/orders/{order_id}", self._get_order, methods=["GET"]),
            Route("/v2/checkout/orders/{order_id}/capture", self._capture, methods=["POST"]),
            Route("/v2/payments/captures/{capture_id}/refund", self._refund, methods=["POST"]),
            Route("/v1/notifications/verify-webhook-signature", self._verify, methods=["POST"]),
            Route("/v1/payments/payouts", self._create_payout, methods=["POST"]),
            Route("/v1/payments/payouts/{batch_id}", self._get_payout, methods=["GET"]),
        ]
        return Starlette(routes=routes)

    async def _token(self, request: Request) -> JSONResponse:
        self.token_requests += 1
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        form = await request.form()
        if not hmac.compare_digest(request.headers.get("authorization", ""), expected):
            return JSONResponse(
                {"error": "invalid_client", "error_description": "Client Authentication failed"}, status_code=401
            )
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        token = f"A21AA{secrets.token_urlsafe(40)}"
        self.tokens.add(token)
        return JSONResponse(
            {
                "scope": "https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/payments/refund",
                "access_token": token,
                "token_type": "Bearer",
                "app_id": "APP-80W284485P519543T",
                "expires_in": TOKEN_LIFETIME_SECONDS,
                "nonce": f"{_now()}{secrets.token_hex(8)}",
            }
        )

    def _is_authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        return header.startswith("Bearer ") and header.removeprefix("Bearer ") in self.tokens

    def _unauthorised(self) -> JSONResponse:
        return JSONResponse(
            {"error": "invalid_token", "error_description": "Token signature verification failed"}, status_code=401
        )

    def _replayed(self, request: Request) -> JSONResponse | None:
        request_id = request.headers.get("paypal-request-id", "")
        if request_id and request_id in self.answered:
            status, body = self.answered[request_id]
            return JSONResponse(body, status_code=200 if status == 201 else status)
        return None

    def _remember(self, request: Request, status: int, body: dict[str, Any]) -> JSONResponse:
        request_id = request.headers.get("paypal-request-id", "")
        if request_id:
            self.answered[request_id] = (status, body)
        return JSONResponse(body, status_code=status)

    def _order_links(self, order_id: str, status: str) -> list[dict[str, str]]:
        links = [{"href": f"{self.base_url}/v2/checkout/orders/{order_id}", "rel": "self", "method": "GET"}]
        if status == "PAYER_ACTION_REQUIRED":
            links.append(
                {"href": f"{self.base_url}/checkoutnow?token={order_id}", "rel": "payer-action", "method": "GET"}
            )
        return links

    def _view(self, order: dict[str, Any]) -> dict[str, Any]:
        view = {key: value for key, value in order.items() if not key.startswith("_")}
        payments = view.get("purchase_units", [{}])[0].get("payments")
        if payments:
            capture_ids = {capture["id"] for capture in payments["captures"]}
            payments["refunds"] = [
                {key: value for key, value in refund.items() if not key.startswith("_")}
                for refund in self.refunds
                if refund["_capture_id"] in capture_ids
            ]
        view["links"] = self._order_links(order["id"], order["status"])
        return view

    async def _create_order(self, request: Request) -> JSONResponse:
        if not self._is_authorised(request):
            return self._unauthorised()
        if (replayed := self._replayed(request)) is not None:
            return replayed
        body = await request.json()
        units = body.get("purchase_units")
        if body.get("intent") != "CAPTURE" or not isinstance(units, list) or len(units) != 1:
            return _error(400, "INVALID_REQUEST", "MISSING_REQUIRED_PARAMETER", "intent and purchase_units")
        amount = units[0].get("amount") or {}
        currency = amount.get("currency_code", "")
        if not _is_valid_value(amount.get("value"), currency):
            return _error(422, "UNPROCESSABLE_ENTITY", "DECIMAL_PRECISION", "amount.value has the wrong precision")
        context = body.get("payment_source", {}).get("paypal", {}).get("experience_context", {})
        if not (context.get("return_url") and context.get("cancel_url")):
            return _error(400, "INVALID_REQUEST", "MISSING_REQUIRED_PARAMETER", "return_url and cancel_url")
        order_id = _paypal_id()
        order = {
            "id": order_id,
            "intent": "CAPTURE",
            "status": "PAYER_ACTION_REQUIRED",
            "payment_source": {"paypal": {}},
            "purchase_units": [{**units[0], "payee": {"merchant_id": "STANDINMERCHANT"}}],
            "create_time": _now(),
            "_return_url": context["return_url"],
        }
        self.orders[order_id] = order
        return self._remember(
            request,
            200,
            {
                "id": order_id,
                "status": order["status"],
                "payment_source": {"paypal": {}},
                "links": self._order_links(order_id, order["status"]),
            },
        )

    async def _get_order(self, request: Request) -> JSONResponse:
        if not self._is_authorised(request):
            return self._unauthorised()
        order = self.orders.get(request.path_params["order_id"])
        if order is None:
            return _error(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID", "Specified resource ID does not exist.")
        return JSONResponse(self._view(order))

    async def _capture(self, request: Request) -> JSONResponse:
        if not self._is_authorised(request):
            return self._unauthorised()
        if (replayed := self._replayed(request)) is not None:
            return replayed
        order = self.orders.get(request.path_params["order_id"])
        if order is None:
            return _error(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID", "Specified resource ID does not exist.")
        if order["status"] == "COMPLETED":
            return _error(422, "UNPROCESSABLE_ENTITY", "ORDER_ALREADY_CAPTURED", "Order already captured.")
        if order["status"] != "APPROVED":
            return _error(422, "UNPROCESSABLE_ENTITY", "ORDER_NOT_APPROVED", "Payer has not yet approved the Order.")
        capture = self._new_capture(order)
        order["status"] = "COMPLETED"
        order["purchase_units"][0]["payments"] = {"captures": [capture]}
        return self._remember(request, 201, self._view(order))

    def _new_capture(self, order: dict[str, Any]) -> dict[str, Any]:
        unit = order["purchase_units"][0]
        amount = unit["amount"]
        capture_id = _paypal_id()
        is_declined, self.decline_next_capture = self.decline_next_capture, False
        fee = {"currency_code": amount["currency_code"], "value": _fee_value(amount["value"], amount["currency_code"])}
        net = Decimal(amount["value"]) - Decimal(fee["value"])
        capture: dict[str, Any] = {
            "id": capture_id,
            "status": "DECLINED" if is_declined else "COMPLETED",
            "amount": amount,
            "final_capture": True,
            "seller_protection": {"status": "ELIGIBLE", "dispute_categories": ["ITEM_NOT_RECEIVED"]},
            "custom_id": unit.get("custom_id"),
            "supplementary_data": {"related_ids": {"order_id": order["id"]}},
            "create_time": _now(),
            "update_time": _now(),
            "links": [
                {"href": f"{self.base_url}/v2/payments/captures/{capture_id}", "rel": "self", "method": "GET"},
                {
                    "href": f"{self.base_url}/v2/payments/captures/{capture_id}/refund",
                    "rel": "refund",
                    "method": "POST",
                },
                {"href": f"{self.base_url}/v2/checkout/orders/{order['id']}", "rel": "up", "method": "GET"},
            ],
        }
        if not is_declined:
            capture["seller_receivable_breakdown"] = {
                "gross_amount": amount,
                "paypal_fee": fee,
                "net_amount": {"currency_code": amount["currency_code"], "value": str(net)},
            }
        self.captures[capture_id] = capture
        return capture

    async def _refund(self, request: Request) -> JSONResponse:
        if not self._is_authorised(request):
            return self._unauthorised()
        if (replayed := self._replayed(request)) is not None:
            return replayed
        capture = self.captures.get(request.path_params["capture_id"])
        if capture is None or capture["status"] not in ("COMPLETED", "PARTIALLY_REFUNDED"):
            return _error(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID", "Specified resource ID does not exist.")
        body = await request.json()
        amount = body.get("amount") or capture["amount"]
        currency = capture["amount"]["currency_code"]
        if amount.get("currency_code") != currency or not _is_valid_value(amount.get("value"), currency):
            return _error(422, "UNPROCESSABLE_ENTITY", "DECIMAL_PRECISION", "amount")
        refunded = sum(Decimal(r["amount"]["value"]) for r in self.refunds if r["_capture_id"] == capture["id"])
        if refunded + Decimal(amount["value"]) > Decimal(capture["amount"]["value"]):
            return _error(422, "UNPROCESSABLE_ENTITY", "REFUND_AMOUNT_EXCEEDED", "The refund amount is too large.")
        refund_id = _paypal_id()
        refund = {
            "id": refund_id,
            "amount": amount,
            "status": "COMPLETED",
            "custom_id": body.get("custom_id"),
            "note_to_payer": body.get("note_to_payer"),
            "create_time": _now(),
            "update_time": _now(),
            "links": [
                {"href": f"{self.base_url}/v2/payments/refunds/{refund_id}", "rel": "self", "method": "GET"},
                {"href": f"{self.base_url}/v2/payments/captures/{capture['id']}", "rel": "up", "method": "GET"},
            ],
            "_capture_id": capture["id"],
        }
        self.refunds.append(refund)
        public = {key: value for key, value in refund.items() if not key.startswith("_")}
        answer = {"id": refund_id, "status": "COMPLETED", "links": public["links"]}
        return self._remember(request, 201, answer)

    async def _verify(self, request: Request) -> JSONResponse:
        if not self._is_authorised(request):
            return self._unauthorised()
        body = await request.json()
        sent = self.sent.get(body.get("transmission_id", ""))
        is_ours = (
            sent is not None
            and body.get("webhook_id") == WEBHOOK_ID
            and all(body.get(name) == sent[name] for name in ("auth_algo", "cert_url", "transmission_time"))
            and hmac.compare_digest(str(body.get("transmission_sig", "")), sent["transmission_sig"])
            and body.get("webhook_event") == sent["webhook_event"]
        )
        return JSONResponse({"verification_status": "SUCCESS" if is_ours else "FAILURE"})

    async def _create_payout(self, request: Request) -> JSONResponse:
        if not self._is_authorised(request):
            return self._unauthorised()
        if (replayed := self._replayed(request)) is not None:
            return replayed
        body = await request.json()
        header = body.get("sender_batch_header") or {}
        items = body.get("items")
        sender_batch_id = header.get("sender_batch_id")
        if not sender_batch_id or not isinstance(items, list) or len(items) != 1:
            return _error(400, "VALIDATION_ERROR", "MISSING_REQUIRED_PARAMETER", "sender_batch_header and items")
        if any(
            b["batch_header"]["sender_batch_header"]["sender_batch_id"] == sender_batch_id
            for b in self.payouts.values()
        ):
            return _error(
                400, "USER_BUSINESS_ERROR", "DUPLICATE_REQUEST_ID", "Batch with given sender_batch_id already exists"
            )
        item = items[0]
        amount = item.get("amount") or {}
        if item.get("recipient_type") != "EMAIL" or "@" not in str(item.get("receiver", "")):
            return _error(400, "VALIDATION_ERROR", "INVALID_EMAIL", "receiver")
        if not _is_valid_value(amount.get("value"), amount.get("currency", "")):
            return _error(400, "VALIDATION_ERROR", "DECIMAL_PRECISION", "amount.value")
        batch_id = _paypal_id()[:13]
        batch_header = {
            "payout_batch_id": batch_id,
            "batch_status": "PENDING",
            "sender_batch_header": {"sender_batch_id": sender_batch_id, "email_subject": header.get("email_subject")},
        }
        self.payouts[batch_id] = {
            "batch_header": batch_header,
            "items": [
                {
                    "payout_item_id": _paypal_id()[:13],
                    "transaction_status": "PENDING",
                    "payout_batch_id": batch_id,
                    "payout_item_fee": {"currency": amount["currency"], "value": "0.00"},
                    "payout_item": {
                        "recipient_type": "EMAIL",
                        "amount": amount,
                        "note": item.get("note"),
                        "receiver": item["receiver"],
                        "sender_item_id": item.get("sender_item_id"),
                    },
                    "time_processed": _now(),
                }
            ],
        }
        links = [{"href": f"{self.base_url}/v1/payments/payouts/{batch_id}", "rel": "self", "method": "GET"}]
        return self._remember(request, 201, {"batch_header": batch_header, "links": links})

    async def _get_payout(self, request: Request) -> JSONResponse:
        if not self._is_authorised(request):
            return self._unauthorised()
        batch = self.payouts.get(request.path_params["batch_id"])
        if batch is None:
            return _error(404, "INVALID_RESOURCE_ID", "INVALID_RESOURCE_ID", "Requested resource ID was not found.")
        return JSONResponse(batch)


@contextmanager
def running_paypal_standin() -> Iterator[PayPalStandIn]:
    """Serve the stand-in on a free local port for the duration of the block."""
    stand_in = PayPalStandIn()
    with serving(stand_in.app()) as url:
        stand_in.base_url = url
        yield stand_in
