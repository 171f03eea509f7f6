"""`/dev/mailbox`: every email the app would send, for local use on the embedded default."""

from __future__ import annotations

import reflex as rx

from creatorly.ui.components.feedback import empty_state
from creatorly.ui.components.links import document_link
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.states.accounts.dev_mailbox import DevMailboxState, MailboxAttachment, MailboxMessage


def _attachment(attachment: MailboxAttachment) -> rx.Component:
    return rx.button(
        rx.icon("paperclip", size=14),
        attachment.label,
        size="1",
        variant="outline",
        on_click=DevMailboxState.download_attachment(attachment.email_id, attachment.id),
        aria_label="Download " + attachment.filename,
    )


def _message(message: MailboxMessage) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(message.subject, as_="h2", size="4"),
                rx.spacer(),
                rx.badge(message.status, variant="soft"),
                width="100%",
                align="center",
            ),
            rx.text("To ", rx.text.strong(message.to_address), " · ", message.sent, size="2", color_scheme="gray"),
            rx.text(message.body, white_space="pre-wrap", size="2", word_break="break-word"),
            rx.flex(rx.foreach(message.attachments, _attachment), gap="0.5rem", wrap="wrap"),
            rx.flex(
                rx.foreach(
                    message.links,
                    # An email client opens a link as a new document, and it may point at a server route.
                    lambda link: document_link(
                        rx.button("Open link", size="1", variant="soft"), href=link, aria_label=f"Open link: {link}"
                    ),
                ),
                gap="0.5rem",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        role="article",
        aria_label=message.subject,
        width="100%",
    )


def dev_mailbox_page() -> rx.Component:
    return site_layout(
        rx.vstack(
            rx.heading("Dev mailbox", as_="h1", size="7"),
            rx.text(
                "Emails stay here while Creatorly runs without SMTP (the local default). Newest first.",
                color_scheme="gray",
            ),
            rx.cond(
                DevMailboxState.is_available,
                rx.cond(
                    DevMailboxState.messages.length() > 0,
                    rx.vstack(rx.foreach(DevMailboxState.messages, _message), spacing="3", width="100%"),
                    empty_state(
                        icon="inbox",
                        title="No emails yet",
                        text="Sign up or reset a password and the email shows up here.",
                    ),
                ),
                empty_state(
                    icon="lock",
                    title="Not available",
                    text="The Dev mailbox is only shown when emails stay in the outbox (no SMTP, not production).",
                ),
            ),
            spacing="4",
            width="100%",
        )
    )
