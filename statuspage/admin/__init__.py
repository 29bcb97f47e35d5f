"""The admin API: a subset of the Statuspage Manage API v1 under /v1, and its OpenAPI document.

Each module imported below declares its endpoints with `@operation`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Receive, Scope, Send

from statuspage.admin import components, incidents, records, reports, subscribers, uptime
from statuspage.admin.openapi import document
from statuspage.admin.operations import (
    NO_STORE,
    OPERATIONS,
    Operation,
    endpoint,
    json_response,
)

# Imported for their @operation declarations.
MODULES = (components, incidents, records, reports, subscribers, uptime)


async def openapi_json(request: Request) -> Response:
    return json_response(document(OPERATIONS))


def _paths() -> dict[str, dict[str, Operation]]:
    """The operations by path, then method; literal segments before parameters, so that
    `/incidents/upcoming` is never taken for the incident `upcoming`."""
    found: dict[str, dict[str, Operation]] = {}
    for op in OPERATIONS:
        found.setdefault("/v1" + op.path, {})[op.method] = op
    order = sorted(found, key=lambda path: [part.startswith("{") for part in path.split("/")])
    return {path: found[path] for path in order}


def _allow(methods: dict[str, Operation]) -> str:
    implied = {"HEAD"} if "GET" in methods else set()
    return ", ".join(sorted({*methods, *implied, "OPTIONS"}))


class Resource:
    """One path's ASGI endpoint: its operations by method; OPTIONS and any other method are
    answered by the path itself (204 or 405, both with Allow), before authentication.

    An ASGI app rather than a function, so Starlette's Route passes it every method.
    """

    def __init__(self, methods: dict[str, Operation]) -> None:
        self.handlers = {method: endpoint(op) for method, op in methods.items()}
        if "GET" in self.handlers:
            self.handlers["HEAD"] = self.handlers["GET"]
        self.allow = {"Allow": _allow(methods)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        await (await self.answer(request))(scope, receive, send)

    async def answer(self, request: Request) -> Response:
        handler = self.handlers.get(request.method)
        if handler is not None:
            return await handler(request)
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={**NO_STORE, **self.allow})
        return json_response({"error": f"method {request.method} not allowed"}, 405, self.allow)


_operations: list[Route] = [
    Route(path, Resource(methods), name=path) for path, methods in _paths().items()
]


class Fallback(BaseRoute):
    """Every other path under /v1 gets a JSON 404.

    A route class rather than a `{rest:path}` route, whose pattern would miss paths
    holding a newline and leave them to the plain-text default.
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = scope["path"].removeprefix(scope.get("root_path", ""))
        ours = scope["type"] == "http" and (path == "/v1" or path.startswith("/v1/"))
        return (Match.FULL, {}) if ours else (Match.NONE, {})

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = json_response({"error": f"no such endpoint: {scope['path']}"}, 404)
        await response(scope, receive, send)


routes: list[BaseRoute] = [
    Route("/v1/openapi.json", openapi_json, methods=["GET"]),
    *_operations,
    Fallback(),
]
