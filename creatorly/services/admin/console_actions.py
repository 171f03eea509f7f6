"""The admin console's actions: hold or release a creator's payouts, retry a webhook event; each audited with a reason.

The `*_as` forms take the actor, so the command line (`creatorly admin payout-review`, `creatorly events retry`)
runs the very same use case as the console, as the platform itself.
"""

from __future__ import annotations

from creatorly import db
from creatorly.errors import NotFound
from creatorly.services.admin import console_repository as repository
from creatorly.services.admin.access import admin_actor, required_reason
from creatorly.services.admin.console import event_status
from creatorly.services.admin.schemas import RetryOutcome
from creatorly.services.audit import service as audit
from creatorly.services.audit.schemas import Actor
from creatorly.services.creators.service import CreatorNotFound
from creatorly.services.external_events import service as external_events
from creatorly.services.payouts import service as payouts

RETRIED = "webhook_event.retried"


class EventNotRetryable(NotFound):
    code = "event_not_retryable"
    default_message = "No unhandled event with that id: it may have been handled meanwhile."


async def hold_payouts(*, session_token: str, creator_id: int, reason: str) -> None:
    """Put a creator's payouts under review: withdrawals and scheduled payouts stop; the reason is shown to them."""
    actor = await admin_actor(session_token=session_token)
    await review_payouts_as(actor=actor, creator_id=creator_id, under_review=True, reason=reason)


async def release_payouts(*, session_token: str, creator_id: int, reason: str) -> None:
    actor = await admin_actor(session_token=session_token)
    await review_payouts_as(actor=actor, creator_id=creator_id, under_review=False, reason=reason)


async def review_payouts_as(
    *, actor: Actor, under_review: bool, reason: str, creator_id: int | None = None, handle: str = ""
) -> None:
    """Hold (or release) the payouts of the creator with this id or handle; audited as payouts.held/released."""
    tidy = required_reason(reason)
    if not handle:
        async with db.transaction() as session:
            found = None if creator_id is None else await repository.creator_handle(session, creator_id)
        if found is None:
            raise CreatorNotFound()
        handle = found
    await payouts.set_under_review(handle=handle, under_review=under_review, note=tidy, actor=actor)


async def retry_webhook_event(*, session_token: str, event_id: int, reason: str) -> RetryOutcome:
    """An admin's retry of a failed or stuck event once its cause is fixed."""
    actor = await admin_actor(session_token=session_token)
    return await retry_webhook_event_as(actor=actor, event_id=event_id, reason=reason)


async def retry_webhook_event_as(*, actor: Actor, event_id: int, reason: str) -> RetryOutcome:
    """Fresh sweeper attempts and the audit entry commit together; then one attempt runs now.

    Raises WebhookHandlingFailed when that attempt fails again (recorded on the event, which the sweeper retries).
    """
    tidy = required_reason(reason)
    async with db.transaction() as session:
        found = await repository.event(session, event_id, for_update=True)
        if found is None or found.handled_at is not None:
            raise EventNotRetryable()
        before = {"status": event_status(found).value, "attempts": found.attempts}
        if not await external_events.reset_for_retry(session, external_event_id=event_id):
            raise EventNotRetryable()
        await audit.record(
            session,
            actor=actor,
            action=RETRIED,
            target_type="external_event",
            target_id=event_id,
            before=before,
            after={"status": "retried", "attempts": 0},
            reason=tidy,
        )
    outcome = await external_events.handle_stored(external_event_id=event_id)
    return RetryOutcome(event_id=event_id, outcome=outcome.value)
