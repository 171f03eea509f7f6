"""GET /health answers 200 with each component's status, 503 when one is down, with a request id."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from creatorly.api.app import api
from creatorly.config import settings


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
    assert ("redis" in body["components"]) == bool(os.environ.get("CREATORLY_TEST_REDIS_URL"))
    assert response.headers["cache-control"] == "no-store"


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
