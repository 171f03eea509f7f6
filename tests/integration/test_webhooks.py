"""Inbound webhooks over HTTP: verified before any write, stored once, applied exactly once, retried on failure."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

import creatorly.api.app
from creatorly import db, queue
from creatorly.config import settings
from creatorly.errors import NotFound
from creatorly.kit.clock import utc_now
from creatorly.models import ExternalEvent, OutboxEmail
from creatorly.providers.payments.sandbox_signing import sign
from creatorly.services.email import service as email_service
from creatorly.services.external_events import repository as external_events_repository
from creatorly.services.external_events import service as external_events
from creatorly.services.external_events.schemas import InboundEvent

WEBHOOK_URL = "/api/webhooks/sandbox"
RECEIVED = {"received": True}
REJECTED = {"error": "webhook_rejected"}


async def _send_ping_email(session: AsyncSession, event: InboundEvent) -> None:
    await email_service.queue_email(
        session, to_address=event.payload["data"]["to"], subject=f"Ping {event.event_id}", text_body="pong"
    )


async def _explode(session: AsyncSession, event: InboundEvent) -> None:
    await _send_ping_email(session, event)
    raise RuntimeError("handler exploded " + "x" * 600)


@pytest.fixture(autouse=True)
def _ping_handler() -> None:
    queue.huey.flush()
    external_events.register_handler("sandbox", "test.ping", _send_ping_email)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=creatorly.api.app.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http_client:
        yield http_client


def _body(event_id: str = "evt_1", event_type: str = "test.ping") -> bytes:
    return json.dumps({"id": event_id, "type": event_type, "data": {"to": "fan@example.com"}}).encode()


def _signature(body: bytes, *, age_seconds: int = 0) -> str:
    return sign(body, secret=external_events.sandbox_webhook_secret(), timestamp=int(time.time()) - age_seconds)


async def _post(
    client: httpx.AsyncClient, body: bytes, *, signature: str | None = None, url: str = WEBHOOK_URL
) -> httpx.Response:
    header = _signature(body) if signature is None else signature
    headers = {"Content-Type": "application/json", **({"Creatorly-Signature": header} if header else {})}
    return await client.post(url, content=body, headers=headers)


async def _count(model: type[ExternalEvent] | type[OutboxEmail]) -> int:
    async with db.transaction() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def _events() -> list[ExternalEvent]:
    async with db.transaction() as session:
        return list((await session.exec(select(ExternalEvent).order_by(col(ExternalEvent.id)))).all())


async def _emails() -> list[tuple[str, str]]:
    async with db.transaction() as session:
        emails = (await session.exec(select(OutboxEmail).order_by(col(OutboxEmail.id)))).all()
        return [(email.to_address, email.subject) for email in emails]


def _state(event: ExternalEvent) -> dict[str, Any]:
    return {
        "provider": event.provider,
        "event_id": event.event_id,
        "event_type": event.event_type,
        "attempts": event.attempts,
        "is_handled": event.handled_at is not None,
        "claimed_until": event.claimed_until,
        "last_error": event.last_error,
    }


def _handled(event_id: str = "evt_1", event_type: str = "test.ping", *, attempts: int = 1) -> dict[str, Any]:
    return {
        "provider": "sandbox",
        "event_id": event_id,
        "event_type": event_type,
        "attempts": attempts,
        "is_handled": True,
        "claimed_until": None,
        "last_error": None,
    }


async def test_a_valid_event_is_stored_handled_and_applied_once(client: httpx.AsyncClient) -> None:
    # Given a signed sandbox event, when it is posted
    body = _body()
    response = await _post(client, body)

    # Then it is acknowledged, stored verbatim, stamped handled, and its handler queued one email
    assert (response.status_code, response.json()) == (200, RECEIVED)
    [event] = await _events()
    assert _state(event) == _handled()
    assert event.payload == body.decode()
    assert event.handled_at is not None and event.received_at <= event.handled_at
    assert await _emails() == [("fan@example.com", "Ping evt_1")]


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(sign(_body(), secret="not-our-secret", timestamp=int(time.time())), id="forged"),
        pytest.param("", id="missing-header"),
        pytest.param("t=now,v1=nonsense", id="garbled-header"),
    ],
)
async def test_an_unverifiable_event_is_rejected_and_nothing_is_written(
    client: httpx.AsyncClient, signature: str
) -> None:
    response = await _post(client, _body(), signature=signature)

    assert (response.status_code, response.json()) == (400, REJECTED)
    assert (await _count(ExternalEvent), await _count(OutboxEmail)) == (0, 0)


@pytest.mark.parametrize("age_seconds", [301, -330], ids=["stale", "future"])  # future: margin for slow runs
async def test_a_signature_outside_the_tolerance_is_rejected_and_nothing_is_written(
    client: httpx.AsyncClient, age_seconds: int
) -> None:
    body = _body()

    response = await _post(client, body, signature=_signature(body, age_seconds=age_seconds))

    assert (response.status_code, response.json()) == (400, REJECTED)
    assert (await _count(ExternalEvent), await _count(OutboxEmail)) == (0, 0)


async def test_a_body_re_serialised_after_signing_is_rejected_and_nothing_is_written(
    client: httpx.AsyncClient,
) -> None:
    # Given a signature of the compact body, when the same JSON arrives indented
    body = _body()
    reformatted = json.dumps(json.loads(body), indent=2).encode()

    response = await _post(client, reformatted, signature=_signature(body))

    assert (response.status_code, response.json()) == (400, REJECTED)
    assert (await _count(ExternalEvent), await _count(OutboxEmail)) == (0, 0)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"not json", id="not-json"),
        pytest.param(b"\xff\xfe{}", id="not-utf8"),
        pytest.param(b'["evt_1", "test.ping"]', id="not-an-object"),
        pytest.param(b'{"type": "test.ping"}', id="no-id"),
        pytest.param(b'{"id": 7, "type": "test.ping"}', id="numeric-id"),
        pytest.param(b'{"id": "evt_1", "type": ""}', id="empty-type"),
        pytest.param(json.dumps({"id": "e" * 256, "type": "test.ping"}).encode(), id="id-too-long"),
    ],
)
async def test_a_signed_body_that_is_not_an_event_is_rejected_and_nothing_is_written(
    client: httpx.AsyncClient, body: bytes
) -> None:
    response = await _post(client, body)

    assert (response.status_code, response.json()) == (400, REJECTED)
    assert (await _count(ExternalEvent), await _count(OutboxEmail)) == (0, 0)


async def test_an_unknown_provider_is_not_found_and_nothing_is_written(client: httpx.AsyncClient) -> None:
    response = await _post(client, _body(), url="/api/webhooks/paypal")

    assert (response.status_code, response.json()) == (404, {"error": "not_found"})
    assert (await _count(ExternalEvent), await _count(OutboxEmail)) == (0, 0)


async def test_the_same_event_delivered_three_times_is_applied_once(client: httpx.AsyncClient) -> None:
    body = _body()

    responses = [await _post(client, body) for _ in range(3)]

    assert [(response.status_code, response.json()) for response in responses] == [(200, RECEIVED)] * 3
    assert [_state(event) for event in await _events()] == [_handled()]
    assert await _emails() == [("fan@example.com", "Ping evt_1")]


async def test_ten_concurrent_copies_of_an_event_are_stored_and_applied_once(client: httpx.AsyncClient) -> None:
    body = _body()

    responses = await asyncio.gather(*(_post(client, body) for _ in range(10)))

    assert [(response.status_code, response.json()) for response in responses] == [(200, RECEIVED)] * 10
    [event] = await _events()
    # Each copy answers 200 only once the event is applied: a copy that arrives while another applies it
    # attempts too, waits on the row lock and finds it handled, so up to ten attempts count; one applies.
    assert 1 <= event.attempts <= 10
    assert _state(event) == _handled(attempts=event.attempts)
    assert await _emails() == [("fan@example.com", "Ping evt_1")]


async def test_a_failing_handler_answers_500_keeps_the_event_unhandled_and_rolls_back_its_effect(
    client: httpx.AsyncClient,
) -> None:
    # Given a handler that writes an email and then raises
    external_events.register_handler("sandbox", "test.ping", _explode)

    # When the event arrives
    response = await _post(client, _body())

    # Then the provider is told to retry, the event is kept with a short error, and the email was rolled back
    assert (response.status_code, response.json()) == (500, {"error": "webhook_handling_failed"})
    [event] = await _events()
    assert _state(event) == {
        **_handled(attempts=1),
        "is_handled": False,
        "last_error": ("RuntimeError: handler exploded " + "x" * 600)[:500],
    }
    assert len(event.last_error or "") == 500
    assert await _emails() == []


async def test_the_sweeper_handles_a_failed_event_exactly_once_after_the_handler_is_fixed(
    client: httpx.AsyncClient,
) -> None:
    # Given an event whose handler failed
    external_events.register_handler("sandbox", "test.ping", _explode)
    assert (await _post(client, _body())).status_code == 500

    # When the handler is fixed and the sweeper runs twice
    external_events.register_handler("sandbox", "test.ping", _send_ping_email)
    first_sweep = await external_events.handle_unhandled(older_than_seconds=0)
    second_sweep = await external_events.handle_unhandled(older_than_seconds=0)

    # Then the first sweep applied it once and the second found nothing to do
    assert (first_sweep, second_sweep) == (1, 0)
    assert [_state(event) for event in await _events()] == [_handled(attempts=2)]
    assert await _emails() == [("fan@example.com", "Ping evt_1")]


async def test_the_sweeper_leaves_recent_events_to_the_provider_retry(client: httpx.AsyncClient) -> None:
    external_events.register_handler("sandbox", "test.ping", _explode)
    assert (await _post(client, _body())).status_code == 500
    external_events.register_handler("sandbox", "test.ping", _send_ping_email)

    swept = await external_events.handle_unhandled(older_than_seconds=60)

    assert swept == 0
    assert [_state(event)["is_handled"] for event in await _events()] == [False]
    assert await _emails() == []


async def _stored_before_a_crash(*, claimed_for: timedelta | None = None) -> None:
    """An event committed to external_events by a process that died before handling it."""
    now = utc_now()
    async with db.transaction() as session:
        await external_events_repository.insert_if_new(
            session,
            provider="sandbox",
            event_id="evt_1",
            event_type="test.ping",
            payload=_body().decode(),
            received_at=now - timedelta(minutes=5),
        )
        if claimed_for is not None:
            [event] = (await session.exec(select(ExternalEvent))).all()
            assert event.id is not None
            await external_events_repository.claim(session, event.id, now=now, lease_until=now + claimed_for)


async def test_the_sweeper_handles_an_event_stored_before_a_crash() -> None:
    await _stored_before_a_crash()

    swept = await external_events.handle_unhandled()

    assert swept == 1
    assert [_state(event) for event in await _events()] == [_handled()]
    assert await _emails() == [("fan@example.com", "Ping evt_1")]


async def test_the_sweeper_leaves_an_event_a_worker_still_holds_and_takes_it_once_the_lease_ends() -> None:
    # Given an event a worker claimed and still holds
    await _stored_before_a_crash(claimed_for=timedelta(minutes=2))

    # When the sweeper runs, then it leaves it alone
    assert await external_events.handle_unhandled() == 0
    assert await _emails() == []

    # Given the worker died and its lease ran out, when the sweeper runs, then it handles it (second attempt)
    async with db.transaction() as session:
        [event] = (await session.exec(select(ExternalEvent))).all()
        event.claimed_until = utc_now() - timedelta(seconds=1)
    assert await external_events.handle_unhandled() == 1
    assert [_state(event) for event in await _events()] == [_handled(attempts=2)]
    assert await _emails() == [("fan@example.com", "Ping evt_1")]


async def test_a_redelivery_of_an_event_a_dead_process_had_claimed_is_applied_before_it_is_acknowledged(
    client: httpx.AsyncClient,
) -> None:
    # Given an event stored and claimed by a process that was killed while its lease still runs
    await _stored_before_a_crash(claimed_for=timedelta(minutes=2))

    # When the provider delivers it again, then the 200 comes only once it is applied (the claim is stolen)
    response = await _post(client, _body())

    assert (response.status_code, response.json()) == (200, RECEIVED)
    assert [_state(event) for event in await _events()] == [_handled(attempts=2)]
    assert await _emails() == [("fan@example.com", "Ping evt_1")]


async def test_a_provider_retry_after_a_failure_applies_the_event_once(client: httpx.AsyncClient) -> None:
    body = _body()
    external_events.register_handler("sandbox", "test.ping", _explode)
    assert (await _post(client, body)).status_code == 500
    external_events.register_handler("sandbox", "test.ping", _send_ping_email)

    responses = [await _post(client, body) for _ in range(2)]

    assert [response.status_code for response in responses] == [200, 200]
    assert [_state(event) for event in await _events()] == [_handled(attempts=2)]
    assert await _emails() == [("fan@example.com", "Ping evt_1")]


async def test_an_event_of_an_unknown_type_is_stored_and_marked_handled_as_ignored(
    client: httpx.AsyncClient,
) -> None:
    response = await _post(client, _body(event_type="test.unknown"))

    assert (response.status_code, response.json()) == (200, RECEIVED)
    assert [_state(event) for event in await _events()] == [_handled(event_type="test.unknown")]
    assert await _emails() == []


async def test_different_events_are_each_stored_and_applied(client: httpx.AsyncClient) -> None:
    responses = [await _post(client, _body(event_id)) for event_id in ("evt_1", "evt_2")]

    assert [response.status_code for response in responses] == [200, 200]
    assert [_state(event) for event in await _events()] == [_handled("evt_1"), _handled("evt_2")]
    assert await _emails() == [("fan@example.com", "Ping evt_1"), ("fan@example.com", "Ping evt_2")]


async def test_an_oversized_body_is_refused_before_anything_is_stored() -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=creatorly.api.app.api), base_url="http://test"
    ) as client:
        response = await client.post("/api/webhooks/sandbox", content=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    async with db.transaction() as session:
        assert (await session.exec(select(func.count()).select_from(ExternalEvent))).one() == 0


async def test_the_sweeper_gives_up_after_the_last_attempt_and_reconcile_lists_the_event_until_retried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from creatorly.config import settings
    from creatorly.services.reconciliation import service as reconciliation

    # Given an event whose handler keeps failing, one attempt short of the limit
    monkeypatch.setattr(settings, "webhook_max_attempts", 3)
    external_events.register_handler("sandbox", "test.ping", _explode)
    await _stored_before_a_crash()
    async with db.transaction() as session:
        [event] = (await session.exec(select(ExternalEvent))).all()
        event.attempts = 2

    # When the sweeper runs: the last attempt fails, and later sweeps leave the event alone
    assert await external_events.handle_unhandled(older_than_seconds=0) == 0
    assert await external_events.handle_unhandled(older_than_seconds=0) == 0
    [event] = await _events()
    assert event.attempts == 3
    assert event.handled_at is None

    # Then it is listed as stuck, and reconciliation reports it
    [stuck] = await external_events.stuck_events()
    assert (stuck.event_id, stuck.attempts) == ("evt_1", 3)
    assert stuck.last_error.startswith("RuntimeError: handler exploded")
    report = await reconciliation.reconcile(days=1)
    assert [(row.area, row.provider) for row in report.mismatches] == [("webhooks", "sandbox")]
    assert "creatorly events retry" in report.mismatches[0].problem

    # When the cause is fixed and an operator retries it, then it is applied once and no longer stuck
    external_events.register_handler("sandbox", "test.ping", _send_ping_email)
    assert await external_events.retry_stuck(external_event_id=stuck.id) == "handled"
    assert await external_events.stuck_events() == []
    assert await _emails() == [("fan@example.com", "Ping evt_1")]
    with pytest.raises(NotFound):
        await external_events.retry_stuck(external_event_id=stuck.id)


@pytest.mark.skipif(settings.is_sqlite, reason="row locks with a lock timeout are PostgreSQL's")
async def test_a_delivery_while_another_attempt_holds_the_event_answers_503_then_applies_on_the_retry(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "webhook_lock_wait_seconds", 1)
    await _stored_before_a_crash()
    # Given another attempt that holds the event's row (its handling transaction is still open)
    async with db.transaction() as holder:
        [_held] = (await holder.exec(select(ExternalEvent).with_for_update())).all()

        # When the provider delivers it, then the answer is 503 (retry) and nothing is applied
        response = await _post(client, _body())
        assert (response.status_code, response.json()) == (503, {"error": "webhook_busy"})
    assert await _emails() == []

    # When the provider retries once the other attempt is gone, then it is applied and acknowledged
    assert (await _post(client, _body())).status_code == 200
    assert await _emails() == [("fan@example.com", "Ping evt_1")]
