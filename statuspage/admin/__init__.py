"""The admin API: a subset of the Statuspage Manage API v1 under /v1, and its OpenAPI document.

Subscriber endpoints and component uptime are added by the steps that build those features:
each is one more module of `@operation` handlers imported below.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount, Route

from statuspage.admin import components, incidents, records
from statuspage.admin.openapi import document
from statuspage.admin.operations import OPERATIONS, endpoint, json_response

MODULES = (components, incidents, records)  # imported for their @operation declarations


async def openapi_json(request: Request) -> Response:
    return json_response(document(OPERATIONS))


_operations: list[BaseRoute] = [
    Route(op.path, endpoint(op), methods=[op.method], name=f"{op.method} {op.path}")
    for op in OPERATIONS
]


async def not_found(request: Request) -> Response:
    """JSON 404 (or 405 with Allow) for paths under /v1 that match no operation."""
    allowed = [
        op.method
        for op, route in zip(OPERATIONS, _operations, strict=True)
        if route.matches({**request.scope, "method": op.method})[0] is Match.FULL
    ]
    if allowed:
        headers = {"Allow": ", ".join(sorted(set(allowed)))}
        return json_response({"error": "method not allowed"}, 405, headers)
    return json_response({"error": f"no such endpoint: {request.url.path}"}, 404)


routes: list[BaseRoute] = [
    Mount(
        "/v1",
        routes=[
            Route("/openapi.json", openapi_json, methods=["GET"]),
            *_operations,
            Route("/{rest:path}", not_found, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        ],
    )
]
