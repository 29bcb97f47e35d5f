"""A cap on request bodies, for every route: 413 before a byte too many is buffered.

Handlers read bodies whole (`request.body()`, `request.form()`), so a size check inside a
handler comes after the memory is spent. This middleware checks first: a declared
Content-Length over the cap is refused without reading the body; a streamed (chunked) body
is read here, counting, and refused as soon as it passes the cap. A body within the cap is
handed to the app as it arrived, so handlers keep reading it the usual way.

The Manage API (/v1/...) takes bodies up to MAX_API (a CSV import), and so do the alert
hooks (/hooks/alerts/..., behind an API key); everything else
(the subscription forms, their JSON twins, the Twilio hooks) up to MAX_PUBLIC.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_PUBLIC = 64 * 1024
MAX_API = 1_000_000
API_PREFIX = "/v1/"


ALERTS_PREFIX = "/hooks/alerts/"  # a batch of alerts (Alertmanager sends whole groups)


def cap_for(path: str) -> int:
    """The most bytes a request body to `path` may have."""
    return MAX_API if path.startswith((API_PREFIX, ALERTS_PREFIX)) else MAX_PUBLIC


class BodyLimit:
    """ASGI middleware: refuse bodies over the cap of their path with 413."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        cap = cap_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > cap:
            await _too_large(scope, send, cap)
            return
        body = await _read_capped(receive, cap)
        if body is None:
            await _too_large(scope, send, cap)
            return
        await self.app(scope, _replay(body, receive), send)


def _has_body(scope: Scope) -> bool:
    """Whether the request says it has a body (a length, or a transfer coding)."""
    for name, value in scope["headers"]:
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() != b"0"):
            return True
    return False


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


async def _read_capped(receive: Receive, cap: int) -> bytes | None:
    """The whole body, or None as soon as it passes `cap` (the rest is never read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the body read already, then waits on the real one (for the
    disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _too_large(scope: Scope, send: Send, cap: int) -> None:
    """413, and the connection closed: the rest of the body is not worth reading."""
    text = f"the request body is larger than {cap} bytes"
    if _wants_json(scope):
        body, media = json.dumps({"error": text}).encode(), b"application/json"
    else:
        body, media = (text + "\n").encode(), b"text/plain; charset=utf-8"
    headers = [
        (b"content-type", media),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _wants_json(scope: Scope) -> bool:
    if scope["path"].startswith(API_PREFIX):
        return True
    for name, value in scope["headers"]:
        if name in (b"accept", b"content-type") and b"json" in value.lower():
            return True
    return False
