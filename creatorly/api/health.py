"""GET /health: JSON status of the database, storage, Redis and the worker's heartbeat.

503 ("unavailable") when the web process can't serve (database, storage or Redis down); 200 "degraded" when only
the worker is down or silent; 200 "ok" otherwise."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from creatorly.services.health.service import check_health


async def health(_request: Request) -> JSONResponse:
    report = await check_health()
    body = {
        "status": "ok" if report.is_healthy else "degraded" if report.can_serve else "unavailable",
        "components": {
            name: {"status": "ok" if component.is_healthy else "down", "detail": component.detail}
            for name, component in report.components.items()
        },
    }
    return JSONResponse(body, status_code=200 if report.can_serve else 503, headers={"Cache-Control": "no-store"})
