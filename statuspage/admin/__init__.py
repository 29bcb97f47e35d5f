"""The admin API: a subset of the Statuspage Manage API v1 under /v1, and its OpenAPI document.

Each module imported below declares its endpoints with `@operation`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Receive, Scope, Send

from statuspage.admin import components, incidents, records, subscribers, uptime
from statuspage.admin.openapi import document
from statuspage.admin.operations import OPERATIONS, endpoint, json_response

# Imported for their @operation declarations.
MODULES = (components, incidents, records, subscribers, uptime)


async def openapi_json(request: Request) -> Response:
    return json_response(document(OPERATIONS))


_operations: list[Route] = [
    Route("/v1" + op.path, endpoint(op), methods=[op.method], name=f"{op.method} {op.path}")
    for op in OPERATIONS
]


class Fallback(BaseRoute):
    """Every other path under /v1 gets a JSON 404, or 405 with Allow for a known path.

    A route class rather than a `{rest:path}` route, whose pattern would miss paths
    holding a newline and leave them to the plain-text default.
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = scope["path"].removeprefix(scope.get("root_path", ""))
        ours = scope["type"] == "http" and (path == "/v1" or path.startswith("/v1/"))
        return (Match.FULL, {}) if ours else (Match.NONE, {})

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        allowed = {
            op.method
            for op, route in zip(OPERATIONS, _operations, strict=True)
            if route.matches({**scope, "method": op.method})[0] is Match.FULL
        }
        if allowed:
            headers = {"Allow": ", ".join(sorted(allowed))}
            response = json_response({"error": "method not allowed"}, 405, headers)
        else:
            response = json_response({"error": f"no such endpoint: {scope['path']}"}, 404)
        await response(scope, receive, send)


routes: list[BaseRoute] = [
    Route("/v1/openapi.json", openapi_json, methods=["GET"]),
    *_operations,
    Fallback(),
]
