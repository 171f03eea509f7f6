"""Stripe Billing for memberships through the official SDK: customer, plan, subscription, and changes to it.

Stripe renews on its own schedule; invoices and subscription changes come back as signed webhooks. Every call
that makes something carries an idempotency key built from our ids, so a repeated request is the same request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import stripe

from creatorly.errors import ProviderError
from creatorly.providers.payments.stripe import STRIPE_PAGE_PATH, StripePaymentProvider, _raise_provider_error


class StripeCardDeclined(ProviderError):
    """Stripe refused the fan's card; the message is Stripe's text for the cardholder (safe to show)."""

    code = "card_declined"
    status = 402

    def __init__(self, message: str | None) -> None:
        super().__init__(_decline_text(message), is_retryable=False)


@dataclass(frozen=True, slots=True)
class StripeSubscriptionRequest:
    """A Stripe subscription for one of our subscriptions, paid with a card the fan entered (a PaymentMethod)."""

    customer_id: str
    amount: int
    currency: str
    interval: str  # weekly | monthly | quarterly | yearly
    product_name: str
    merchant_reference: str  # our subscription's public id
    idempotency_key: str
    trial_period_days: int = 0


@dataclass(frozen=True, slots=True)
class StripeSubscribed:
    """What creating the subscription gave.

    `succeeded`: paid (or trialing); the first invoice's webhook activates the membership. `requires_action`: the
    card's authentication must run in Stripe.js with `client_secret`. `declined`: `message` is Stripe's text for
    the cardholder (safe to show).
    """

    subscription_id: str
    stripe_status: str
    outcome: Literal["succeeded", "requires_action", "declined"]
    client_secret: str = ""
    message: str = ""


@dataclass(frozen=True, slots=True)
class StripeSubscriptionState:
    """What a subscription is set to on Stripe right now."""

    is_canceling: bool
    is_paused: bool


@dataclass(frozen=True, slots=True)
class StripePlan:
    """A price to move a subscription to (a Stripe plan made for it on the way)."""

    amount: int
    currency: str
    interval: str
    product_name: str
    idempotency_key: str


_STRIPE_INTERVALS: dict[str, tuple[str, int]] = {
    "weekly": ("week", 1),
    "monthly": ("month", 1),
    "quarterly": ("month", 3),
    "yearly": ("year", 1),
}


class StripeSubscriptions:
    """Stripe Billing for memberships: a customer with the fan's card as its default, a plan, a subscription."""

    def __init__(self, provider: StripePaymentProvider) -> None:
        self._client = provider._client
        self._public_url = provider._public_url

    def membership_page_url(self, order_public_id: str) -> str:
        """Our page that takes the joining fan's card (Stripe Elements) for the membership's first order."""
        return f"{self._public_url}{STRIPE_PAGE_PATH}/membership/{order_public_id}"

    async def create_customer(
        self, *, email: str, payment_method_id: str, merchant_reference: str, idempotency_key: str = ""
    ) -> str:
        """A customer whose default payment method is the fan's card; answers the customer id (cus_…).
        StripeCardDeclined when Stripe refuses the card already here."""
        params: dict[str, Any] = {"email": email, "metadata": {"merchant_reference": merchant_reference}}
        if payment_method_id.startswith("tok_"):
            params["source"] = payment_method_id  # a card token (Stripe.js without PaymentMethods, e.g. localstripe)
        else:
            params["payment_method"] = payment_method_id
            params["invoice_settings"] = {"default_payment_method": payment_method_id}
        try:
            customer = await self._client.v1.customers.create_async(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": f"customer-{idempotency_key or merchant_reference}"},
            )
        except stripe.CardError as error:
            raise StripeCardDeclined(error.user_message) from None
        except stripe.StripeError as error:
            _raise_provider_error("create the customer", error)
        return str(customer.id)

    async def _create_plan(self, plan: StripePlan) -> str:
        interval, interval_count = _STRIPE_INTERVALS[plan.interval]
        params: dict[str, Any] = {
            "amount": plan.amount,
            "currency": plan.currency.lower(),
            "interval": interval,
            "interval_count": interval_count,
            "product": {"name": plan.product_name[:200]},
        }
        created = await self._client.v1.plans.create_async(
            params=params,  # type: ignore[arg-type]
            options={"idempotency_key": f"plan-{plan.idempotency_key}"},
        )
        return str(created.id)

    async def create_subscription(self, request: StripeSubscriptionRequest) -> StripeSubscribed:
        """A plan at the tier's price and a subscription of the customer to it (with Stripe's trial when asked)."""
        plan = StripePlan(
            amount=request.amount,
            currency=request.currency,
            interval=request.interval,
            product_name=request.product_name,
            idempotency_key=request.idempotency_key,
        )
        params: dict[str, Any] = {
            "customer": request.customer_id,
            "metadata": {"merchant_reference": request.merchant_reference},
            "expand": ["latest_invoice.payment_intent"],
        }
        if request.trial_period_days > 0:
            params["trial_period_days"] = request.trial_period_days
        try:
            params["items"] = [{"plan": await self._create_plan(plan)}]
            subscription = await self._client.v1.subscriptions.create_async(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": f"subscription-{request.idempotency_key}"},
            )
        except stripe.CardError as error:
            return StripeSubscribed("", "incomplete", "declined", message=_decline_text(error.user_message))
        except stripe.StripeError as error:
            _raise_provider_error("create the subscription", error)
        return _subscribed(subscription.to_dict())

    async def cancel_subscription(self, subscription_id: str) -> None:
        try:
            await self._client.v1.subscriptions.cancel_async(subscription_id)
        except stripe.StripeError as error:
            _raise_provider_error("cancel the subscription", error)

    async def set_cancel_at_period_end(self, subscription_id: str, *, is_canceling: bool) -> None:
        """Stop (or start again) renewing at the end of the current period."""
        await self._modify(subscription_id, {"cancel_at_period_end": is_canceling}, "change the cancellation")

    async def current_state(self, subscription_id: str) -> StripeSubscriptionState:
        """Whether the subscription stops at its period's end and whether its collection is paused, as Stripe
        holds them now (not as some event said)."""
        try:
            current = (await self._client.v1.subscriptions.retrieve_async(subscription_id)).to_dict()
        except stripe.StripeError as error:
            _raise_provider_error("read the subscription", error)
        return StripeSubscriptionState(
            is_canceling=bool(current.get("cancel_at_period_end")), is_paused=bool(current.get("pause_collection"))
        )

    async def set_paused(self, subscription_id: str, *, is_paused: bool) -> None:
        """Pause collection (Stripe voids the invoices meanwhile) or collect again."""
        pause: Any = {"behavior": "void"} if is_paused else ""
        await self._modify(subscription_id, {"pause_collection": pause}, "change the pause")

    async def change_plan(self, subscription_id: str, plan: StripePlan) -> str:
        """Bill the subscription at another price from its next invoice on, with no proration from Stripe (we
        charge an upgrade's difference ourselves). Answers the plan it was on, to put back if our charge fails."""
        try:
            current = (await self._client.v1.subscriptions.retrieve_async(subscription_id)).to_dict()
            item = current["items"]["data"][0]
            new_plan = await self._create_plan(plan)
        except stripe.StripeError as error:
            _raise_provider_error("read the subscription", error)
        except (KeyError, IndexError, TypeError):
            raise ProviderError("stripe answered a subscription without items", is_retryable=False) from None
        await self._set_item_plan(subscription_id, item_id=str(item["id"]), plan_id=new_plan)
        return str(item["plan"]["id"])

    async def restore_plan(self, subscription_id: str, plan_id: str) -> None:
        """Put back the plan `change_plan` answered (after the upgrade's charge failed)."""
        try:
            current = (await self._client.v1.subscriptions.retrieve_async(subscription_id)).to_dict()
            item_id = str(current["items"]["data"][0]["id"])
        except stripe.StripeError as error:
            _raise_provider_error("read the subscription", error)
        except (KeyError, IndexError, TypeError):
            raise ProviderError("stripe answered a subscription without items", is_retryable=False) from None
        await self._set_item_plan(subscription_id, item_id=item_id, plan_id=plan_id)

    async def _set_item_plan(self, subscription_id: str, *, item_id: str, plan_id: str) -> None:
        params = {"items": [{"id": item_id, "plan": plan_id}], "proration_behavior": "none"}
        await self._modify(subscription_id, params, "change the subscription's price")

    async def charge_customer(
        self, *, customer_id: str, amount: int, currency: str, merchant_reference: str, idempotency_key: str
    ) -> bool:
        """Charge the customer's default card now, off session (an upgrade's prorated difference). The
        PaymentIntent names our order, so its `payment_intent.succeeded` webhook pays it. True when it succeeded."""
        try:
            customer = (await self._client.v1.customers.retrieve_async(customer_id)).to_dict()
            settings = customer.get("invoice_settings") or {}
            payment_method = settings.get("default_payment_method") or customer.get("default_source")
            if not isinstance(payment_method, str) or not payment_method:
                raise ProviderError("the stripe customer has no default card", is_retryable=False)
            params: dict[str, Any] = {
                "amount": amount,
                "currency": currency.lower(),
                "customer": customer_id,
                "payment_method": payment_method,
                "confirm": True,
                "off_session": True,
                "metadata": {"merchant_reference": merchant_reference},
            }
            intent = await self._client.v1.payment_intents.create_async(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        except stripe.CardError:
            return False
        except stripe.StripeError as error:
            _raise_provider_error("charge the card", error)
        return intent.status in ("succeeded", "processing")

    async def _modify(self, subscription_id: str, params: dict[str, Any], action: str) -> None:
        try:
            await self._client.v1.subscriptions.update_async(subscription_id, params=params)  # type: ignore[arg-type]
        except stripe.StripeError as error:
            _raise_provider_error(action, error)


def _decline_text(message: str | None) -> str:
    return message or "Your card was declined."


def _subscribed(subscription: dict[str, Any]) -> StripeSubscribed:
    """The outcome of a new subscription from its first invoice's PaymentIntent."""
    subscription_id, status = str(subscription.get("id") or ""), str(subscription.get("status") or "")
    if status in ("active", "trialing"):
        return StripeSubscribed(subscription_id, status, "succeeded")
    invoice = subscription.get("latest_invoice")
    if invoice is None:
        return StripeSubscribed(subscription_id, status, "succeeded")  # no invoice: nothing to pay now (a trial)
    if isinstance(invoice, dict) and invoice.get("status") == "paid":
        return StripeSubscribed(subscription_id, status, "succeeded")
    intent = invoice.get("payment_intent") if isinstance(invoice, dict) else None
    if isinstance(intent, dict) and intent.get("status") == "requires_action":
        return StripeSubscribed(subscription_id, status, "requires_action", client_secret=intent["client_secret"])
    if isinstance(intent, dict) and intent.get("status") in ("succeeded", "processing"):
        return StripeSubscribed(subscription_id, status, "succeeded")
    error = intent.get("last_payment_error") if isinstance(intent, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return StripeSubscribed(subscription_id, status, "declined", message=_decline_text(message))
