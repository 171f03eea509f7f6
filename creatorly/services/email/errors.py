"""Why an email could not be queued: stable codes, messages safe to show."""

from __future__ import annotations

from creatorly.errors import InvalidInput, NotFound


class AttachmentRejected(InvalidInput):
    code = "attachment_rejected"
    default_message = "That attachment can't be sent."


class AttachmentNotFound(NotFound):
    code = "attachment_not_found"
    default_message = "We couldn't find that attachment."
