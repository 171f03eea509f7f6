"""GET /health answers 200 with each component's status, 503 when the web process can't serve, "degraded" when
only the worker is silent or stopped (a real worker process beats and then says it stopped), with a request id."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest

from creatorly import db, queue
from creatorly.api.app import api
from creatorly.config import settings
from tests.processes import run_async, running, wait_until, worker_command


@pytest.fixture(autouse=True)
def _a_worker_beats() -> None:
    queue.write_heartbeat()


async def _get_health(headers: dict[str, str] | None = None) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://test") as client:
        return await client.get("/health", headers=headers or {})


async def test_health_is_ok_when_every_part_answers() -> None:
    response = await _get_health()
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["components"]["database"] == {"status": "ok", "detail": "ok"}
    assert body["components"]["storage"] == {"status": "ok", "detail": "ok"}
    assert body["components"]["worker"]["status"] == "ok"
    assert ("redis" in body["components"]) == bool(os.environ.get("CREATORLY_TEST_REDIS_URL"))
    assert response.headers["cache-control"] == "no-store"


async def test_health_is_503_naming_the_web_process_while_it_drains_before_a_shutdown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "draining"
    monkeypatch.setenv("CREATORLY_DRAIN_MARKER", str(marker))
    assert (await _get_health()).json()["components"]["web"] == {"status": "ok", "detail": "ok"}

    marker.touch()  # what `creatorly start` does on SIGTERM
    response = await _get_health()

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["components"]["web"]["detail"].startswith("stopping")


async def test_health_is_503_when_redis_is_configured_but_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "redis_url", "redis://127.0.0.1:1/0")
    response = await _get_health()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["components"]["redis"]["status"] == "down"
    assert body["components"]["database"]["status"] == "ok"


async def test_health_is_503_when_the_database_is_down(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(settings, "database_url", f"sqlite:///{tmp_path / 'no-such-folder' / 'creatorly.db'}")
    response = await _get_health()
    assert response.status_code == 503
    assert response.json()["components"]["database"]["status"] == "down"


async def test_every_response_carries_a_request_id() -> None:
    generated = await _get_health()
    assert len(generated.headers["x-request-id"]) == 16
    echoed = await _get_health({"X-Request-ID": "proxy-abc-12345"})
    assert echoed.headers["x-request-id"] == "proxy-abc-12345"
    refused = await _get_health({"X-Request-ID": "<script>"})
    assert refused.headers["x-request-id"] != "<script>"


async def test_without_a_worker_heartbeat_health_is_degraded_and_names_the_worker() -> None:
    queue.clear_heartbeat()
    response = await _get_health()
    assert response.status_code == 200  # pages and webhooks are still served; jobs wait in the queue
    body = response.json()
    assert body["status"] == "degraded"
    assert body["components"]["worker"] == {
        "status": "down",
        "detail": "no heartbeat yet: is `creatorly worker` running?",
    }


async def test_a_silent_worker_is_named_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "worker_heartbeat_seconds", 1)
    queue.write_heartbeat()
    await asyncio.sleep(3.2)
    body = (await _get_health()).json()
    assert body["components"]["worker"]["status"] == "down"
    assert body["components"]["worker"]["detail"].startswith("last heartbeat 3s ago")


def _worker_status() -> dict[str, str]:
    return dict(httpx_health()["components"]["worker"])


def httpx_health() -> dict[str, Any]:
    return dict(run_async(_get_health()).json())


def test_a_running_worker_beats_and_a_stopped_one_is_named(tmp_path: Path) -> None:
    queue.clear_heartbeat()
    with running(worker_command(), log_path=tmp_path / "worker.log") as worker:
        wait_until(lambda: _worker_status()["status"] == "ok", timeout_seconds=30, what="the worker's heartbeat")
        assert f"pid {worker.pid}" in _worker_status()["detail"]
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=20)
    status = _worker_status()
    assert status["status"] == "down" and status["detail"].startswith("stopped"), status


async def test_health_requests_arriving_together_share_one_round_of_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    pings: list[int] = []
    real_ping = db.ping

    async def counted_ping() -> None:
        pings.append(1)
        await asyncio.sleep(0.05)  # long enough for the others to arrive while it runs
        await real_ping()

    monkeypatch.setattr(db, "ping", counted_ping)
    together = await asyncio.gather(*(_get_health() for _ in range(5)))
    later = await _get_health()

    assert [response.json()["status"] for response in together] == ["ok"] * 5
    assert later.json()["status"] == "ok"
    assert len(pings) == 2  # one round for the five, one for the later request
