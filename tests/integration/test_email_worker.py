"""The worker delivers outbox emails over SMTP, and retries with backoff while the server is down."""

from __future__ import annotations

from pathlib import Path

import pytest

from creatorly import db, queue
from creatorly.models import OutboxEmail
from creatorly.models.enums import EmailStatus
from creatorly.services.email import service as email_service
from tests.processes import run_async, running, wait_until, worker_command
from tests.smtp import SmtpServer


async def _queue(to_address: str, subject: str) -> int:
    async with db.transaction() as session:
        return await email_service.queue_email(
            session, to_address=to_address, subject=subject, text_body="Hello from Creatorly", html_body="<p>Hello</p>"
        )


def _load(email_id: int) -> OutboxEmail:
    async def load() -> OutboxEmail:
        async with db.transaction() as session:
            email = await session.get(OutboxEmail, email_id)
            assert email is not None
            return email

    return run_async(load())


def test_worker_delivers_and_retries_after_the_smtp_server_was_down(smtp_server: SmtpServer, tmp_path: Path) -> None:
    queue.huey.flush()
    smtp_server.start()
    settings = {"smtp_url": f"smtp://127.0.0.1:{smtp_server.port}", "email_retry_base_seconds": "0.5"}
    with running(worker_command(), log_path=tmp_path / "worker.log", **settings):
        # Given a running worker and SMTP server, when an email is queued, then it is delivered once.
        delivered_id = run_async(_queue("fan@example.com", "Your receipt"))
        wait_until(lambda: len(smtp_server.inbox.messages) == 1, timeout_seconds=20, what="first delivery")
        wait_until(lambda: _load(delivered_id).status == EmailStatus.SENT, timeout_seconds=10, what="sent status")
        received = smtp_server.inbox.messages[0]
        assert (received["To"], received["Subject"]) == ("fan@example.com", "Your receipt")
        assert received["Message-ID"] == f"<outbox-{delivered_id}@creatorly>"

        # Given the SMTP server is down, when an email is queued, then the attempt fails and is kept pending.
        smtp_server.stop()
        retried_id = run_async(_queue("member@example.com", "Welcome"))
        wait_until(lambda: _load(retried_id).last_error is not None, timeout_seconds=20, what="a failed attempt")
        failed = _load(retried_id)
        assert failed.status == EmailStatus.PENDING
        assert failed.last_error is not None
        assert "unreachable" in failed.last_error

        # When the server comes back, then the retry delivers it exactly once.
        smtp_server.start()
        wait_until(lambda: _load(retried_id).status == EmailStatus.SENT, timeout_seconds=30, what="retried delivery")
    sent = _load(retried_id)
    assert sent.attempts >= 2
    assert sent.last_error is None
    assert [message["Subject"] for message in smtp_server.inbox.messages] == ["Your receipt", "Welcome"]
    assert _load(delivered_id).attempts == 1


async def test_a_message_is_never_delivered_twice() -> None:
    queue.huey.flush()
    email_id = await _queue("fan@example.com", "Once")
    first = await email_service.deliver_email(email_id=email_id)
    second = await email_service.deliver_email(email_id=email_id)
    assert (first.result, second.result) == ("sent", "skipped")


async def test_a_rolled_back_email_is_never_queued() -> None:
    queue.huey.flush()
    with pytest.raises(RuntimeError):  # noqa: PT012 (the whole unit of work is what fails)
        async with db.transaction() as session:
            await email_service.queue_email(session, to_address="x@example.com", subject="s", text_body="t")
            raise RuntimeError("boom")
    assert queue.huey.pending_count() == 0
    assert await email_service.find_lost_email_ids() == []
