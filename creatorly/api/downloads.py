"""GET /api/downloads/{token}: a purchased file, streamed (with Range support), stamped whole, or redirected to S3."""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from creatorly.errors import CreatorlyError
from creatorly.providers.registry import get_storage
from creatorly.services.delivery import service as delivery
from creatorly.services.delivery.service import DownloadRangeNotSatisfiable, DownloadResponse

_PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
PATHSEND = "http.response.pathsend"


async def download(request: Request) -> Response:
    if request.method != "GET":
        # Starlette adds HEAD to GET routes; a probe must not use up one of the buyer's downloads.
        return PlainTextResponse("Method not allowed.", status_code=405, headers={**_PRIVATE, "Allow": "GET"})
    try:
        plan = await delivery.open_download(
            token=request.path_params["token"], range_header=request.headers.get("range")
        )
    except DownloadRangeNotSatisfiable as error:
        headers = {**_PRIVATE, "Content-Range": f"bytes */{error.size_bytes}", "Accept-Ranges": "bytes"}
        return PlainTextResponse(error.message, status_code=error.status, headers=headers)
    except CreatorlyError as error:
        return PlainTextResponse(error.message, status_code=error.status, headers=_PRIVATE)
    if plan.redirect_url:
        return RedirectResponse(plan.redirect_url, status_code=302, headers=_PRIVATE)
    if plan.body is not None:
        return _whole(plan, plan.body)
    return _stream(plan)


def _whole(plan: DownloadResponse, body: bytes) -> Response:
    """A file made for this download (a stamped PDF): always all of it, and no ranges to resume with."""
    headers = {**_PRIVATE, "Accept-Ranges": "none", "Content-Disposition": plan.content_disposition}
    return Response(body, status_code=200, headers=headers, media_type=plan.content_type)


def _stream(plan: DownloadResponse) -> StreamingResponse:
    headers = {
        **_PRIVATE,
        "Accept-Ranges": "bytes",
        "Content-Disposition": plan.content_disposition,
        "Content-Length": str(plan.content_length),
    }
    if plan.content_range is not None:
        headers["Content-Range"] = plan.content_range
    return _FileStream(plan, headers=headers)


class _FileStream(StreamingResponse):
    """The planned bytes, streamed; a whole file on local disk is handed to the server (pathsend) when it offers
    to send files itself, which it does without the bytes passing through Python."""

    def __init__(self, plan: DownloadResponse, *, headers: dict[str, str]) -> None:
        super().__init__(_chunks(plan), status_code=plan.status, headers=headers, media_type=plan.content_type)
        self._whole_file = plan.local_path if plan.status == 200 and plan.start == 0 else ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._whole_file or PATHSEND not in (scope.get("extensions") or {}):
            await super().__call__(scope, receive, send)
            return
        await self.body_iterator.aclose()  # type: ignore[attr-defined]  # never started: nothing was read
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        await send({"type": PATHSEND, "path": self._whole_file})


async def _chunks(plan: DownloadResponse) -> AsyncIterator[bytes]:
    if plan.content_length <= 0:
        return
    async for chunk in get_storage().read(plan.storage_key, start=plan.start, end=plan.end):
        yield chunk


routes = [Route("/api/downloads/{token}", download, methods=["GET"])]
