"""ASGI middleware: a request id on every HTTP request, in the logs and in the response."""

from __future__ import annotations

import re
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from creatorly.observability import bind_request_id, clear_request_context

REQUEST_ID_HEADER = "x-request-id"
_HEADER_NAME = REQUEST_ID_HEADER.encode()
_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Reuse a sane incoming X-Request-ID (from a proxy) or make one; echo it on the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _incoming_id(scope)
        request_id = incoming if incoming and _ACCEPTABLE_ID.match(incoming) else secrets.token_hex(8)
        encoded = request_id.encode("latin-1")
        clear_request_context()
        bind_request_id(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                if not isinstance(headers, list):
                    headers = message["headers"] = list(headers)
                headers[:] = [(name, value) for name, value in headers if name.lower() != _HEADER_NAME]
                headers.append((_HEADER_NAME, encoded))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            clear_request_context()


def _incoming_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == _HEADER_NAME:
            return str(value.decode("latin-1"))
    return ""
