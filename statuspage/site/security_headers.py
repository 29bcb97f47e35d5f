"""The security headers of every response, and the middleware that adds them.

Published artifacts carry them precomputed (artifacts.py), so the fast path sends the same
bytes; every other response (forms, the admin API, errors, redirects) gets them from
SecurityHeaders. What each response gets depends only on its path and content type:

- every response: `X-Content-Type-Options: nosniff` and a `Referrer-Policy`;
- HTML: a `Content-Security-Policy` allowing only the page's own files (no inline script or
  style: the pages have none);
- the forms, the admin API and the web hooks (`GUARDED`): `X-Frame-Options: DENY` and
  `frame-ancestors 'none'`, and `Referrer-Policy: no-referrer` because their URLs may hold
  signed tokens (manage, unsubscribe and confirmation links).

The public page, its feeds and JSON may be framed and fetched from anywhere: they hold nothing
to click that changes anything (the Subscribe button leads to /subscribe, which may not be
framed), and the JSON keeps `Access-Control-Allow-Origin: *` for the status widget.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

Headers = list[tuple[bytes, bytes]]

GUARDED = ("/subscribe", "/subscriptions", "/v1/", "/hooks/")
NOSNIFF = (b"x-content-type-options", b"nosniff")
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'"
)
NO_FRAMES = "frame-ancestors 'none'"
# An SVG opened on its own is a document: ours hold no script or style, so allow nothing.
SVG_POLICY = "default-src 'none'"
API_POLICY = "default-src 'none'; " + NO_FRAMES


def guarded(path: str) -> bool:
    """Staff-facing and form addresses: never framed, never a Referer."""
    return path.startswith(GUARDED) or path == "/v1"


@lru_cache(maxsize=16)  # a key of three booleans: at most eight entries
def _headers(is_guarded: bool, html: bool, svg: bool = False) -> tuple[tuple[bytes, bytes], ...]:
    referrer = b"no-referrer" if is_guarded else b"strict-origin-when-cross-origin"
    found = [NOSNIFF, (b"referrer-policy", referrer)]
    if html:
        policy = PAGE_POLICY + ("; " + NO_FRAMES if is_guarded else "")
        found.append((b"content-security-policy", policy.encode()))
    elif is_guarded:
        found.append((b"content-security-policy", API_POLICY.encode()))
    elif svg:
        found.append((b"content-security-policy", SVG_POLICY.encode()))
    if is_guarded:
        found.append((b"x-frame-options", b"DENY"))
    return tuple(found)


def security_headers(path: str, content_type: str | bytes) -> Headers:
    """The security headers of a response at `path` with this Content-Type."""
    kind = content_type.decode("latin-1") if isinstance(content_type, bytes) else content_type
    kind = kind.lower()
    return list(
        _headers(guarded(path), kind.startswith("text/html"), kind.startswith("image/svg+xml"))
    )


class SecurityHeaders:
    """ASGI middleware: adds the security headers a response does not carry yet."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def secured(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _with_security(path, list(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, secured)


def _with_security(path: str, headers: Headers) -> Headers:
    if NOSNIFF in headers:  # a published artifact: its headers are complete
        return headers
    present = {name.lower() for name, _ in headers}
    content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
    extra = security_headers(path, content_type)
    return headers + [(name, value) for name, value in extra if name not in present]
