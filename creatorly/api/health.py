"""GET /health: JSON status of the database, storage and Redis; 503 when one is down."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from creatorly.services.health.service import check_health


async def health(_request: Request) -> JSONResponse:
    report = await check_health()
    body = {
        "status": "ok" if report.is_healthy else "unavailable",
        "components": {
            name: {"status": "ok" if component.is_healthy else "down", "detail": component.detail}
            for name, component in report.components.items()
        },
    }
    return JSONResponse(body, status_code=200 if report.is_healthy else 503, headers={"Cache-Control": "no-store"})
