"""SMTP delivery with the standard library, with a timeout and retryable/final error translation."""

from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

from creatorly.errors import ProviderError
from creatorly.providers.email.base import Attachment, OutgoingEmail


class SmtpMailer:
    """Sends through an SMTP server given as smtp://user:pass@host:port (smtps:// or smtp+starttls://)."""

    name = "smtp"

    def __init__(self, url: str, *, timeout_seconds: float) -> None:
        parts = urlsplit(url)
        self._scheme = parts.scheme
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (465 if parts.scheme == "smtps" else 587 if parts.scheme == "smtp+starttls" else 25)
        self._username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._timeout = timeout_seconds

    def send(self, email: OutgoingEmail) -> None:
        message = _build_message(email)
        try:
            with self._connect() as client:
                if self._username and self._password:
                    client.login(self._username, self._password)
                client.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            raise ProviderError(f"Recipient refused: {error.recipients}", is_retryable=False) from error
        except smtplib.SMTPResponseException as error:
            # 5xx answers are permanent; 4xx are temporary by definition of the protocol.
            raise ProviderError(
                f"SMTP {error.smtp_code}: {error.smtp_error!r}", is_retryable=error.smtp_code < 500
            ) from error
        except (OSError, smtplib.SMTPException) as error:
            raise ProviderError(f"SMTP server unreachable: {error}", is_retryable=True) from error

    def _connect(self) -> smtplib.SMTP:
        if self._scheme == "smtps":
            return smtplib.SMTP_SSL(self._host, self._port, timeout=self._timeout, context=ssl.create_default_context())
        client = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        if self._scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        return client


def _build_message(email: OutgoingEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = email.sender
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    if email.message_id:
        message["Message-ID"] = email.message_id
    message.set_content(email.text_body)
    if email.html_body:
        message.add_alternative(email.html_body, subtype="html")
    for attachment in email.attachments:
        _attach(message, attachment)
    return message


_CALENDAR_METHOD = re.compile(rb"^METHOD:([A-Z-]+)\r?$", re.MULTILINE)


def _attach(message: EmailMessage, attachment: Attachment) -> None:
    maintype, _, subtype = attachment.content_type.partition("/")
    params: dict[str, str] = {}
    if attachment.content_type == "text/calendar":
        # Mail clients show an invite (accept / decline) only when the part names the iTIP method.
        params = {"method": _calendar_method(attachment.content), "charset": "utf-8"}
    message.add_attachment(
        attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename, params=params
    )


def _calendar_method(content: bytes) -> str:
    """The METHOD of the calendar object itself (REQUEST for invites, CANCEL for cancellations)."""
    found = _CALENDAR_METHOD.search(content)
    return found.group(1).decode("ascii") if found else "REQUEST"
