"""Attachments travel with outbox emails: a calendar invite arrives over real SMTP, byte for byte."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import Message

import pytest
from sqlmodel import col, func, select

from creatorly import db, queue
from creatorly.config import settings
from creatorly.kit.calendar_invite import build_invite
from creatorly.models import OutboxAttachment, OutboxEmail
from creatorly.providers.email.base import Attachment
from creatorly.services.email import service as email_service
from creatorly.services.email.errors import AttachmentNotFound, AttachmentRejected
from creatorly.services.email.rules import MAX_ATTACHMENT_BYTES
from tests.smtp import SmtpServer

STARTS_AT = datetime(2027, 3, 10, 14, 30, tzinfo=UTC)


def _invite(method: str = "REQUEST") -> bytes:
    return build_invite(
        uid="session-7@creatorly",
        sequence=0,
        method="CANCEL" if method == "CANCEL" else "REQUEST",
        starts_at=STARTS_AT,
        ends_at=STARTS_AT + timedelta(hours=1),
        summary="1:1 with Zoë; portfolio, review",
        description="Bring your questions.\nSee you there.",
        location="Video call",
        url="https://creatorly.test/sessions/7",
        organizer_name="Zoë Ørsted",
        organizer_email="zoe@example.com",
        attendee_name="Sam Fan",
        attendee_email="sam@example.com",
        created_at=STARTS_AT - timedelta(days=3),
    )


async def _queue(to_address: str, attachments: list[Attachment]) -> int:
    async with db.transaction() as session:
        return await email_service.queue_email(
            session, to_address=to_address, subject="Your session", text_body="See the invite.", attachments=attachments
        )


async def _counts() -> tuple[int, int]:
    async with db.transaction() as session:
        emails = (await session.exec(select(func.count()).select_from(OutboxEmail))).one()
        attachments = (await session.exec(select(func.count()).select_from(OutboxAttachment))).one()
        return int(emails), int(attachments)


def _parts(message: Message) -> list[Message]:
    return [part for part in message.walk() if part.get_content_disposition() == "attachment"]


async def test_an_invite_arrives_over_smtp_with_its_method_and_identical_bytes(
    smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a real SMTP server and an email queued with an invite and a PDF.
    queue.huey.flush()
    smtp_server.start()
    monkeypatch.setattr(settings, "smtp_url", f"smtp://127.0.0.1:{smtp_server.port}")
    invite = _invite()
    email_id = await _queue(
        "sam@example.com",
        [
            Attachment(filename="../session.ics", content_type="text/calendar", content=invite),
            Attachment(filename="notes.pdf", content_type="application/pdf", content=b"%PDF-1.4 \x00\xff"),
        ],
    )

    # When it is delivered, then the received message carries both, the invite flagged as a REQUEST.
    outcome = await email_service.deliver_email(email_id=email_id)
    assert outcome.result == "sent"
    [received] = smtp_server.inbox.messages
    assert received.get_content_type() == "multipart/mixed"
    assert received.get_payload(0).get_content_type() == "text/plain"  # type: ignore[union-attr]
    calendar_part, pdf_part = _parts(received)
    assert calendar_part.get_content_type() == "text/calendar"
    assert (calendar_part.get_param("method"), calendar_part.get_param("charset")) == ("REQUEST", "utf-8")
    assert calendar_part.get_filename() == "session.ics"
    assert calendar_part.get_payload(decode=True) == invite
    assert (pdf_part.get_content_type(), pdf_part.get_filename()) == ("application/pdf", "notes.pdf")
    assert pdf_part.get_payload(decode=True) == b"%PDF-1.4 \x00\xff"


async def test_a_cancellation_is_sent_with_method_cancel(
    smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue.huey.flush()
    smtp_server.start()
    monkeypatch.setattr(settings, "smtp_url", f"smtp://127.0.0.1:{smtp_server.port}")
    cancellation = _invite("CANCEL")
    email_id = await _queue("sam@example.com", [Attachment("cancel.ics", "text/calendar", cancellation)])
    assert (await email_service.deliver_email(email_id=email_id)).result == "sent"
    [part] = _parts(smtp_server.inbox.messages[0])
    assert (part.get_param("method"), part.get_payload(decode=True)) == ("CANCEL", cancellation)


async def test_the_dev_mailbox_lists_attachments_and_hands_out_their_bytes() -> None:
    queue.huey.flush()
    invite = _invite()
    email_id = await _queue("sam@example.com", [Attachment("session.ics", "text/calendar", invite)])
    await _queue("other@example.com", [])
    newest, oldest = await email_service.list_outbox()
    assert newest.attachments == ()
    [info] = oldest.attachments
    assert (info.filename, info.content_type, info.size_bytes) == ("session.ics", "text/calendar", len(invite))
    fetched = await email_service.get_outbox_attachment(email_id=email_id, attachment_id=info.id)
    assert fetched == Attachment("session.ics", "text/calendar", invite)
    with pytest.raises(AttachmentNotFound):
        await email_service.get_outbox_attachment(email_id=newest.id, attachment_id=info.id)


async def test_export_lists_attachment_names_and_erasure_removes_them() -> None:
    # Given two emails with attachments to the person and one to someone else.
    queue.huey.flush()
    await _queue("sam@example.com", [Attachment("session.ics", "text/calendar", _invite())])
    await _queue("sam@example.com", [Attachment("a.txt", "text/plain", b"a"), Attachment("b.txt", "text/plain", b"b")])
    kept_id = await _queue("other@example.com", [Attachment("other.ics", "text/calendar", _invite())])
    async with db.transaction() as session:
        exported = await email_service.export_for_address(session, "sam@example.com")
    assert [item["attachments"] for item in exported] == [["session.ics"], ["a.txt", "b.txt"]]

    # When the person's address is erased, then their emails and attachments are gone, the other's stay.
    async with db.transaction() as session:
        await email_service.erase_address(session, "sam@example.com")
    assert await _counts() == (1, 1)
    async with db.transaction() as session:
        remaining = (await session.exec(select(OutboxAttachment))).all()
    assert [(row.email_id, row.filename) for row in remaining] == [(kept_id, "other.ics")]


@pytest.mark.parametrize(
    "attachments",
    [
        [Attachment("big.bin", "application/octet-stream", b"x" * (MAX_ATTACHMENT_BYTES + 1))],
        [Attachment(f"{number}.txt", "text/plain", b"x") for number in range(6)],
        [Attachment("ok.ics", "text/calendar", b"x"), Attachment("bad", "text/calendar; method=REQUEST", b"x")],
    ],
    ids=["too-large", "too-many", "bad-media-type"],
)
async def test_refused_attachments_write_and_enqueue_nothing(attachments: list[Attachment]) -> None:
    queue.huey.flush()
    with pytest.raises(AttachmentRejected):
        await _queue("sam@example.com", attachments)
    assert await _counts() == (0, 0)
    assert queue.huey.pending_count() == 0


async def test_one_megabyte_exactly_is_stored_and_read_back() -> None:
    queue.huey.flush()
    content = bytes(range(256)) * (MAX_ATTACHMENT_BYTES // 256)
    email_id = await _queue("sam@example.com", [Attachment("full.bin", "application/octet-stream", content)])
    async with db.transaction() as session:
        [row] = (await session.exec(select(OutboxAttachment).where(col(OutboxAttachment.email_id) == email_id))).all()
    assert (len(row.content), row.content == content) == (MAX_ATTACHMENT_BYTES, True)
