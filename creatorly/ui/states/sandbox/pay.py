"""State of the sandbox gateway's hosted payment page: load the payment, pay it with a test card."""

from __future__ import annotations

import reflex as rx

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.services.sandbox_gateway import service as sandbox_gateway
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

_FIELDS = ("card_number", "expiry", "cvc", "name")


class SandboxPayState(rx.State):
    """Plain view data only; the payment reference stays backend-side."""

    is_loading: bool = True
    is_submitting: bool = False
    load_error: str = ""
    description: str = ""
    merchant_reference: str = ""
    amount_label: str = ""
    status: str = ""
    is_payable: bool = False
    return_url: str = ""
    decline_message: str = ""
    field_errors: dict[str, str] = {}
    _reference: str = ""

    @rx.var
    def is_paid(self) -> bool:
        return self.status == "succeeded"

    @rx.event
    async def load(self) -> None:
        self.is_loading, self.load_error, self.decline_message, self.field_errors = True, "", "", {}
        self._reference = str(getattr(self, "sandbox_ref", "") or "")
        try:
            view = await sandbox_gateway.get_checkout(reference=self._reference)
        except CreatorlyError as error:
            self.load_error = error.message
        else:
            self.description, self.merchant_reference = view.description, view.merchant_reference
            self.amount_label, self.status, self.is_payable = view.amount_label, view.status, view.is_payable
            self.return_url, self.decline_message = view.return_url, view.failure_message
        self.is_loading = False

    @rx.event
    async def pay(self, form: dict[str, str]) -> Events:
        self.is_submitting, self.field_errors, self.decline_message = True, {}, ""
        yield None
        try:
            result = await sandbox_gateway.pay(
                reference=self._reference, **{field: str(form.get(field, "")) for field in _FIELDS}
            )
        except InvalidInput as error:
            self.field_errors = {error.field or "card_number": error.message}
            self.is_submitting = False
            return
        except CreatorlyError as error:
            self.is_submitting = False
            yield toast.error(error.message)
            return
        self.status, self.is_payable, self.is_submitting = result.status, result.is_payable, False
        if result.status == "succeeded":
            yield rx.redirect(result.return_url)
            return
        self.decline_message = result.failure_message
