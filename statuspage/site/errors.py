"""What the site answers where nothing published matches.

The exception handlers serve the published 404 and 500 pages (documents/error_pages.py; a JSON
error under /api/). Any path under /api/v2 that is not published gets a CORS preflight
answer or a JSON 404.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from statuspage.site.artifacts import NEGOTIATED_VARY, VARY
from statuspage.site.documents.api import PREFIX
from statuspage.site.negotiation import error_language


async def not_found(request: Request, exc: Exception) -> Response:
    """Unknown URL: the published 404 page, or a JSON error under /api/."""
    if request.url.path.startswith("/api/"):
        return JSONResponse(
            {"error": "not found"}, 404, headers={"Access-Control-Allow-Origin": "*"}
        )
    return _published_error(request, "not_found", 404)


async def server_error(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": "internal server error"}, 500)
    return _published_error(request, "server_error", 500)


def _published_error(request: Request, which: str, status: int) -> Response:
    """The published error page in the reader's language (the path's tree, else negotiated)."""
    site = getattr(request.app.state, "published", None)
    site = site.site if site is not None else None
    if site is None:
        return Response("Not found" if status == 404 else "Server error", status)
    language, negotiated = error_language(site, request.url.path, request.scope["headers"])
    pages = site.errors.get(language)
    artifact = pages[0 if status == 404 else 1] if pages else getattr(site, which)
    headers = {"Cache-Control": "no-store"}
    if pages:
        headers["Content-Language"] = language
        headers["Vary"] = (NEGOTIATED_VARY if negotiated else VARY).decode()
    return Response(artifact.body, status, headers=headers, media_type="text/html")


exception_handlers: dict[Any, Any] = {404: not_found, 500: server_error}


CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Max-Age": "86400",
}


async def api_fallback(request: Request) -> Response:
    """CORS preflight for any API path; a JSON 404 for an unknown one."""
    if request.method == "OPTIONS":
        headers = dict(CORS)
        asked = request.headers.get("access-control-request-headers")
        if asked:
            headers["Access-Control-Allow-Headers"] = asked
        return Response(status_code=204, headers=headers)
    body: dict[str, Any] = {"error": "not found", "documentation": "/api/v2/summary.json"}
    return JSONResponse(body, 404, headers={**CORS, "Cache-Control": "no-store"})


routes = [
    Route(PREFIX + "/{path:path}", api_fallback, methods=["GET", "HEAD", "OPTIONS"]),
]
