"""What a person sees when an event handler fails: a toast, never a stack trace.

Reflex's default handler shows its own toast (an evaluated script, refused by our Content-Security-Policy)
with the exception's text in development. This one logs the error and shows our state toast; a database, storage
or Redis outage says so and asks to try again in a moment."""

# No `from __future__ import annotations`: Reflex checks this handler's annotations as real types.

import structlog
from reflex.event import EventSpec

from creatorly.services.health.unavailable import unavailable_part
from creatorly.ui.states.browser import toast

log = structlog.get_logger(__name__)

TRY_AGAIN = "Something went wrong. Please try again in a moment."
PART_DOWN = "The {part} is not answering right now. Please try again in a moment."


def backend_exception_handler(exception: Exception) -> EventSpec:
    part = unavailable_part(exception)
    if part is None:
        log.error("event_handler_failed", exc_info=exception)
        message = TRY_AGAIN
    else:
        log.warning("event_handler_dependency_unavailable", part=part, error=type(exception).__name__)
        message = PART_DOWN.format(part={"redis": "background service", "storage": "file storage"}.get(part, part))
    shown: EventSpec = toast.error(message)
    return shown
