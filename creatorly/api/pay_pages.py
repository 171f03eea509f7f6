"""The Stripe and Razorpay payment pages, served as plain HTML because their scripts own the card form.

GET  /pay/stripe/{payment_intent_id}              Stripe Elements card form
POST /api/pay/stripe/{payment_intent_id}/confirm  attach the card and confirm on the server
GET  /pay/stripe/membership/{order_public_id}     Stripe Elements card form of a joining member, then its status
POST /api/pay/stripe/membership/{order_public_id}/confirm  make the Stripe subscription with the card
GET  /api/pay/stripe/membership/{order_public_id}/state    pay | activating | active | ended (the page polls it)
GET  /pay/razorpay/{razorpay_order_id}            opens Razorpay Checkout
POST /api/pay/razorpay/{order_public_id}/callback Checkout's success handler, verified over OUR Razorpay order id
"""

from __future__ import annotations

import html
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.services.checkout import pay_pages
from creatorly.services.checkout.razorpay_callback import confirm_razorpay_callback
from creatorly.services.memberships import stripe_card_page

MAX_BODY_BYTES = 8 * 1024
_NO_STORE = {"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"}


def _error(error: CreatorlyError) -> JSONResponse:
    body: dict[str, Any] = {"error": error.code, "message": error.message}
    if isinstance(error, InvalidInput) and error.field:
        body["field"] = error.field
    return JSONResponse(body, status_code=error.status, headers=_NO_STORE)


def _script_json(data: dict[str, Any]) -> str:
    """JSON safe inside a <script> element: no way to close the element or open a comment."""
    return json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_STYLE = """
*{box-sizing:border-box}body{margin:0;font-family:Inter,system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;
background:#f7f5fb;color:#1d1726;display:flex;min-height:100vh;align-items:center;justify-content:center;padding:16px}
main{background:#fff;border-radius:16px;box-shadow:0 8px 30px rgba(40,20,80,.08);padding:28px;width:100%;
max-width:440px}
h1{font-size:1.25rem;margin:0 0 4px}.muted{color:#6b6478;font-size:.9rem;margin:0 0 20px}
.amount{font-size:1.75rem;font-weight:700;margin:8px 0 20px}label{display:block;font-weight:600;margin-bottom:8px}
#card-element{border:1px solid #d9d3e4;border-radius:10px;padding:12px;min-height:44px;background:#fff}
#card-element input{border:1px solid #d9d3e4;border-radius:6px;padding:6px;margin:2px;font:inherit;max-width:100%}
button{margin-top:18px;width:100%;border:0;border-radius:10px;padding:12px 16px;font:inherit;font-weight:600;
background:#6e56cf;color:#fff;cursor:pointer}button[disabled]{opacity:.6;cursor:progress}
#message{min-height:1.4em;margin-top:14px;font-size:.95rem}#message.error{color:#c62a2f}
.secure{margin-top:18px;color:#6b6478;font-size:.8rem;text-align:center}a{color:#6e56cf}
"""


def _page(
    title: str, body: str, *, script_url: str = "", config: dict[str, Any] | None = None, script: str = ""
) -> str:
    external = f'<script src="{html.escape(script_url)}"></script>' if script_url else ""
    config_tag = (
        f'<script id="pay-config" type="application/json">{_script_json(config)}</script>' if config is not None else ""
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex"><title>{html.escape(title)} · Creatorly</title>'
        f"<style>{_STYLE}</style>{external}</head><body><main>{body}</main>{config_tag}"
        f"<script>{script}</script></body></html>"
    )


def _summary(page: pay_pages.PayPage) -> str:
    return (
        f"<h1>{html.escape(page.product_title)}</h1>"
        f'<p class="muted">Paying as {html.escape(page.buyer_email)}</p>'
        f'<p class="amount" aria-label="Amount to pay">{html.escape(page.amount_label)}</p>'
    )


def _closed_page(page: pay_pages.PayPage) -> Response:
    """A paid order goes to its order page; an expired one says so instead of taking money."""
    if page.is_paid:
        return RedirectResponse(page.order_url, status_code=303, headers=_NO_STORE)
    body = (
        f'{_summary(page)}<p role="alert">This checkout has expired. Please go back to the product and start again.</p>'
    )
    return HTMLResponse(_page("Checkout expired", body), status_code=410, headers=_NO_STORE)


_STRIPE_SCRIPT = """
(function () {
  const cfg = JSON.parse(document.getElementById('pay-config').textContent);
  const form = document.getElementById('pay-form'), button = document.getElementById('pay-button');
  const message = document.getElementById('message');
  const say = (text, isError) => { message.textContent = text; message.className = isError ? 'error' : ''; };
  const stripe = Stripe(cfg.publishableKey);
  const card = stripe.elements().create('card');
  card.mount('#card-element');
  async function confirm(paymentMethod) {
    const response = await fetch(cfg.confirmUrl, {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({payment_method: paymentMethod})});
    return response.json().catch(() => ({message: 'Something went wrong. Please try again.'}));
  }
  async function paymentMethodOf() {
    const created = await stripe.createPaymentMethod({type: 'card', card: card,
      billing_details: {email: cfg.email}});
    if (created && created.error) throw new Error(created.error.message);
    if (created && created.paymentMethod) return created.paymentMethod.id;
    // A Stripe-compatible test server's Stripe.js (localstripe) has no createPaymentMethod: tokenize instead.
    const tokenized = await stripe.createToken(card);
    if (!tokenized || tokenized.error || !tokenized.token) {
      throw new Error((tokenized && tokenized.error && tokenized.error.message) || 'Please check your card details.');
    }
    // A card saved on a customer (a membership) goes as the token itself; a one-off payment takes its card.
    return cfg.sendsToken ? tokenized.token.id : tokenized.token.card.id;
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true; button.textContent = 'Processing…'; say('');
    try {
      let answer = await confirm(await paymentMethodOf());
      if (answer.status === 'requires_action') {
        const authenticated = await stripe.confirmCardPayment(answer.client_secret);
        if (authenticated.error) throw new Error(authenticated.error.message || 'Your card could not be verified.');
        answer = {status: 'succeeded', redirect_url: answer.redirect_url};
      }
      if (answer.status === 'succeeded' || answer.status === 'processing') {
        say(cfg.doneText || 'Payment received. Taking you to your order…');
        window.location.assign(answer.redirect_url); return;
      }
      throw new Error(answer.message || 'Your card was declined.');
    } catch (error) {
      say(error.message || 'Your card was declined.', true);
      button.disabled = false; button.textContent = cfg.payLabel;
    }
  });
})();
"""


async def stripe_page(request: Request) -> Response:
    try:
        view = await pay_pages.stripe_pay_page(request.path_params["payment_intent_id"])
    except CreatorlyError:
        return HTMLResponse(_page("Not found", "<h1>Payment not found</h1>"), status_code=404, headers=_NO_STORE)
    if view.page.is_paid or view.page.is_expired:
        return _closed_page(view.page)
    pay_label = f"Pay {view.page.amount_label}"
    body = (
        f"{_summary(view.page)}"
        '<form id="pay-form" aria-label="Card payment">'
        '<label id="card-label" for="card-element">Card details</label>'
        '<div id="card-element" role="group" aria-labelledby="card-label"></div>'
        f'<button id="pay-button" type="submit">{html.escape(pay_label)}</button>'
        '<p id="message" role="status" aria-live="polite"></p></form>'
        '<p class="secure">Payments are processed securely by Stripe. Creatorly never sees your card number.</p>'
    )
    config = {
        "publishableKey": view.publishable_key,
        "confirmUrl": f"/api/pay/stripe/{view.payment_intent_id}/confirm",
        "email": view.page.buyer_email,
        "payLabel": pay_label,
    }
    return HTMLResponse(
        _page(
            f"Pay for {view.page.product_title}",
            body,
            script_url=view.stripe_js_url,
            config=config,
            script=_STRIPE_SCRIPT,
        ),
        headers=_NO_STORE,
    )


class _ConfirmBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    payment_method: str


async def stripe_confirm(request: Request) -> JSONResponse:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return _error(InvalidInput("The request body is too large."))
    try:
        body = _ConfirmBody.model_validate_json(raw)
        result = await pay_pages.confirm_stripe_card(request.path_params["payment_intent_id"], body.payment_method)
    except ValidationError:
        return _error(InvalidInput("Please check your card details and try again.", field="payment_method"))
    except CreatorlyError as error:
        return _error(error)
    return _card_result(result)


def _card_result(result: pay_pages.StripeCardResult) -> JSONResponse:
    return JSONResponse(
        {
            "status": result.status,
            "redirect_url": result.redirect_url,
            "client_secret": result.client_secret,
            "message": result.message,
        },
        status_code=402 if result.status == "declined" else 200,
        headers=_NO_STORE,
    )


# --- A member joining a Stripe-billed tier -------------------------------------------------------------------

_ACTIVATING_SCRIPT = """
(function () {
  const cfg = JSON.parse(document.getElementById('pay-config').textContent);
  const message = document.getElementById('message');
  let polls = 0;
  async function poll() {
    polls += 1;
    try {
      const response = await fetch(cfg.stateUrl, {headers: {'Accept': 'application/json'}});
      const body = await response.json();
      if (body.state !== 'activating') { window.location.reload(); return; }
    } catch (error) { /* the next poll tries again */ }
    if (polls === 40) {
      message.textContent = "This is taking longer than usual. We'll email you as soon as your membership is active.";
    }
    window.setTimeout(poll, polls < 40 ? 1500 : 5000);
  }
  window.setTimeout(poll, 1000);
})();
"""


def _membership_pay_body(view: stripe_card_page.MembershipCardPage) -> str:
    trial_note = (
        f'<p class="muted">You won\'t be charged today. Cancel any time in the {view.trial_days}-day trial.</p>'
        if view.trial_days
        else '<p class="muted">Renews automatically. Cancel any time from your library.</p>'
    )
    return (
        f"{_summary(view.page)}{trial_note}"
        '<form id="pay-form" aria-label="Card payment">'
        '<label id="card-label" for="card-element">Card details</label>'
        '<div id="card-element" role="group" aria-labelledby="card-label"></div>'
        f'<button id="pay-button" type="submit">{html.escape(view.button_label)}</button>'
        '<p id="message" role="status" aria-live="polite"></p></form>'
        '<p class="secure">Payments are processed securely by Stripe. Creatorly never sees your card number.</p>'
    )


def _membership_status_body(view: stripe_card_page.MembershipCardPage) -> str:
    title = html.escape(view.page.product_title)
    if view.state == "active":
        return (
            f'<h1>Welcome! Your membership is active.</h1><p class="muted">{title}</p>'
            f'<p class="amount" aria-label="Price">{html.escape(view.page.amount_label)}</p>'
            f"<p>We emailed your receipt to {html.escape(view.page.buyer_email)}.</p>"
            '<p><a href="/library">Go to your library</a> · '
            f'<a href="{html.escape(view.receipt_url)}">See your receipt</a></p>'
        )
    return (
        f"<h1>Activating your membership…</h1>{_summary(view.page)}"
        '<p role="status" aria-live="polite">Your card was accepted. We are confirming your membership with Stripe.</p>'
        '<p id="message" role="status" aria-live="polite"></p>'
    )


async def stripe_membership_page(request: Request) -> Response:
    order_public_id = request.path_params["order_public_id"]
    try:
        view = await stripe_card_page.membership_card_page(order_public_id)
    except CreatorlyError:
        return HTMLResponse(_page("Not found", "<h1>Membership not found</h1>"), status_code=404, headers=_NO_STORE)
    if view.state == "ended":
        body = f'{_summary(view.page)}<p role="alert">This membership checkout has ended. Please join again.</p>'
        return HTMLResponse(_page("Checkout ended", body), status_code=410, headers=_NO_STORE)
    if view.state != "pay":
        state = {"stateUrl": f"/api/pay/stripe/membership/{view.page.order_public_id}/state"}
        script = _ACTIVATING_SCRIPT if view.state == "activating" else ""
        document = _page(view.page.product_title, _membership_status_body(view), config=state, script=script)
        return HTMLResponse(document, headers=_NO_STORE)
    config: dict[str, Any] = {
        "publishableKey": view.publishable_key,
        "confirmUrl": f"/api/pay/stripe/membership/{view.page.order_public_id}/confirm",
        "email": view.page.buyer_email,
        "payLabel": view.button_label,
        "doneText": "Card accepted. Activating your membership…",
        "sendsToken": True,
    }
    document = _page(
        f"Join: {view.page.product_title}",
        _membership_pay_body(view),
        script_url=view.stripe_js_url,
        config=config,
        script=_STRIPE_SCRIPT,
    )
    return HTMLResponse(document, headers=_NO_STORE)


async def stripe_membership_confirm(request: Request) -> JSONResponse:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return _error(InvalidInput("The request body is too large."))
    try:
        body = _ConfirmBody.model_validate_json(raw)
        result = await stripe_card_page.confirm_membership_card(
            request.path_params["order_public_id"], body.payment_method
        )
    except ValidationError:
        return _error(InvalidInput("Please check your card details and try again.", field="payment_method"))
    except CreatorlyError as error:
        return _error(error)
    return _card_result(result)


async def stripe_membership_state(request: Request) -> JSONResponse:
    try:
        state = await stripe_card_page.membership_state(request.path_params["order_public_id"])
    except CreatorlyError as error:
        return _error(error)
    return JSONResponse({"state": state}, headers=_NO_STORE)


_RAZORPAY_SCRIPT = """
(function () {
  const cfg = JSON.parse(document.getElementById('pay-config').textContent);
  const button = document.getElementById('pay-button'), message = document.getElementById('message');
  const say = (text, isError) => { message.textContent = text; message.className = isError ? 'error' : ''; };
  async function confirmed(answer) {
    say('Confirming your payment…');
    const response = await fetch(cfg.callbackUrl, {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify(answer)});
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      say(body.message || 'We could not confirm this payment.', true); button.disabled = false; return;
    }
    say('Payment received. Taking you to your order…');
    window.location.assign(body.redirect_url);
  }
  function open() {
    button.disabled = true; say('');
    const checkout = new Razorpay({
      key: cfg.keyId, order_id: cfg.orderId, amount: cfg.amount, currency: cfg.currency,
      name: 'Creatorly', description: cfg.title, prefill: {email: cfg.email},
      handler: confirmed,
      modal: {ondismiss: () => { button.disabled = false; say('Payment cancelled. You can try again.'); }},
    });
    checkout.on('payment.failed', (response) => {
      button.disabled = false;
      say((response && response.error && response.error.description) || 'The payment failed.', true);
    });
    checkout.open();
  }
  button.addEventListener('click', open);
  open();
})();
"""


async def razorpay_page(request: Request) -> Response:
    try:
        view = await pay_pages.razorpay_pay_page(request.path_params["razorpay_order_id"])
    except CreatorlyError:
        return HTMLResponse(_page("Not found", "<h1>Payment not found</h1>"), status_code=404, headers=_NO_STORE)
    if view.page.is_paid or view.page.is_expired:
        return _closed_page(view.page)
    body = (
        f"{_summary(view.page)}"
        f'<button id="pay-button" type="button">Pay {html.escape(view.page.amount_label)} with Razorpay</button>'
        '<p id="message" role="status" aria-live="polite"></p>'
        '<p class="secure">Payments are processed securely by Razorpay.</p>'
    )
    config = {
        "keyId": view.key_id,
        "orderId": view.razorpay_order_id,
        "amount": view.page.amount,
        "currency": view.page.currency,
        "title": view.page.product_title,
        "email": view.page.buyer_email,
        "callbackUrl": f"/api/pay/razorpay/{view.page.order_public_id}/callback",
    }
    return HTMLResponse(
        _page(
            f"Pay for {view.page.product_title}",
            body,
            script_url=view.checkout_js_url,
            config=config,
            script=_RAZORPAY_SCRIPT,
        ),
        headers=_NO_STORE,
    )


class _CallbackBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    razorpay_order_id: str
    razorpay_payment_id: str
    razorpay_signature: str


async def razorpay_callback(request: Request) -> JSONResponse:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return _error(InvalidInput("The request body is too large."))
    try:
        body = _CallbackBody.model_validate_json(raw)
        confirmed = await confirm_razorpay_callback(
            order_public_id=request.path_params["order_public_id"],
            razorpay_order_id=body.razorpay_order_id,
            razorpay_payment_id=body.razorpay_payment_id,
            razorpay_signature=body.razorpay_signature,
        )
    except ValidationError:
        return _error(InvalidInput("The payment confirmation is incomplete."))
    except CreatorlyError as error:
        return _error(error)
    return JSONResponse({"is_paid": confirmed.is_paid, "redirect_url": confirmed.redirect_url}, headers=_NO_STORE)


routes = [
    Route("/pay/stripe/{payment_intent_id}", stripe_page, methods=["GET"]),
    Route("/api/pay/stripe/{payment_intent_id}/confirm", stripe_confirm, methods=["POST"]),
    Route("/pay/stripe/membership/{order_public_id}", stripe_membership_page, methods=["GET"]),
    Route("/api/pay/stripe/membership/{order_public_id}/confirm", stripe_membership_confirm, methods=["POST"]),
    Route("/api/pay/stripe/membership/{order_public_id}/state", stripe_membership_state, methods=["GET"]),
    Route("/pay/razorpay/{razorpay_order_id}", razorpay_page, methods=["GET"]),
    Route("/api/pay/razorpay/{order_public_id}/callback", razorpay_callback, methods=["POST"]),
]
