"""The embedded default: messages stay in the outbox table, where the Dev mailbox shows them."""

from __future__ import annotations

from creatorly.providers.email.base import OutgoingEmail


class OutboxMailer:
    """Delivery is complete once the message is in the outbox table; nothing leaves the machine."""

    name = "outbox"

    def send(self, email: OutgoingEmail) -> None:
        return None
