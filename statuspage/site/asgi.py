"""SiteApp and SiteMiddleware: published URLs answered from memory, ahead of everything else.

Under `statuspage serve` most such requests never get here: the HTTP protocol answers them
itself (fast_path.py). This is the way for the rest, and for in-process use.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette

from statuspage.site.artifacts import Artifact, Site
from statuspage.site.negotiation import Switch, pick, slash_redirect
from statuspage.site.publisher import Published
from statuspage.site.security_headers import SecurityHeaders

Scope = dict[str, Any]


class SiteApp(Starlette):
    """Starlette with the published site answered first, before any other middleware.

    Published URLs are most of the traffic in an outage: they skip the middleware stack
    (error handling included; there is nothing there that could fail). SecurityHeaders, around
    everything, adds the security headers to the responses that do not carry them precomputed.
    """

    def __init__(self, published: Published, **kwargs: Any) -> None:
        self.published = published
        super().__init__(**kwargs)
        self.state.published = published

    def build_middleware_stack(self) -> Any:
        return SecurityHeaders(SiteMiddleware(super().build_middleware_stack(), self.published))


class SiteMiddleware:
    """Answers GET/HEAD for published URLs straight from memory; everything else goes on.

    Under `statuspage serve` most such requests never get here: the HTTP protocol answers
    them itself (fast_path.py). This is the way for the rest, and for in-process use.
    """

    def __init__(self, app: Any, published: Published) -> None:
        self.app = app
        self.published = published

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        site = self.published.site
        if site is not None and scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path: str = scope["path"]
            query: bytes = scope.get("query_string", b"")
            found = pick(site, path, query, scope["headers"])
            if isinstance(found, Artifact):
                await found.respond(scope, send)
                return
            if found is not None:
                await _switch(send, found)
                return
            canonical = slash_redirect(site, path)
            if canonical is not None:
                await _redirect(send, canonical, query)
                return
        elif _writes_to_published(site, scope):
            await _not_allowed(send)
            return
        await self.app(scope, receive, send)


def _writes_to_published(site: Site | None, scope: Scope) -> bool:
    """A request that would change a published (read-only) address; CORS preflight goes on."""
    return (
        site is not None
        and scope["type"] == "http"
        and scope["method"] != "OPTIONS"
        and site.published(scope["path"])
    )


async def _not_allowed(send: Any) -> None:
    body = b"405 Method Not Allowed: this address is read-only (GET, HEAD)\n"
    headers = [
        (b"allow", b"GET, HEAD"),
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": 405, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _switch(send: Any, switch: Switch) -> None:
    """303 See Other to the page in the language `?lang=` chose, setting the cookie."""
    await send({"type": "http.response.start", "status": 303, "headers": switch.headers()})
    await send({"type": "http.response.body", "body": b""})


async def _redirect(send: Any, location: str, query: bytes) -> None:
    target = location.encode() + (b"?" + query if query else b"")
    headers = [
        (b"location", target),
        (b"content-length", b"0"),
        (b"cache-control", b"public, max-age=3600"),
    ]
    await send({"type": "http.response.start", "status": 301, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
