"""A dependency that is down answers 503 with the part's name, never a stack trace.

`unavailable_part` names the dependency behind an exception (database, storage, Redis); the handlers registered
on the app turn those into `503 {"error": ..., "unavailable": part}` with Retry-After (an HTML page for browsers),
and log the error once. Anything else stays a plain 500 without details."""

from __future__ import annotations

import structlog
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from creatorly.providers.storage.base import StorageUnavailable
from creatorly.services.health.unavailable import unavailable_part

log = structlog.get_logger(__name__)

RETRY_AFTER_SECONDS = 5
_MESSAGES = {
    "database": "The database is not answering right now. Please try again in a moment.",
    "storage": "File storage is not answering right now. Please try again in a moment.",
    "redis": "A background service is not answering right now. Please try again in a moment.",
}


def unavailable_response(request: Request, part: str) -> Response:
    message = _MESSAGES[part]
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if "text/html" in request.headers.get("accept", ""):
        page = (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<title>Temporarily unavailable</title></head><body style='font-family:sans-serif;max-width:32rem;"
            f"margin:4rem auto;padding:0 1rem'><h1>Temporarily unavailable</h1><p>{message}</p></body></html>"
        )
        return HTMLResponse(page, status_code=503, headers=headers)
    return JSONResponse({"error": message, "unavailable": part}, status_code=503, headers=headers)


async def dependency_error(request: Request, error: Exception) -> Response:
    part = unavailable_part(error)
    if part is None:
        raise error  # not a dependency failure: the server's 500 (no details shown)
    log.warning("dependency_unavailable", part=part, path=request.url.path, error=f"{type(error).__name__}: {error}")
    return unavailable_response(request, part)


EXCEPTION_HANDLERS = {
    StorageUnavailable: dependency_error,
    RedisConnectionError: dependency_error,
    RedisTimeoutError: dependency_error,
    DBAPIError: dependency_error,
    OSError: dependency_error,
}
