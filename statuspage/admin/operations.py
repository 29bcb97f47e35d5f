"""The operation table of the Manage API and the one endpoint wrapper every operation runs in.

An operation declares its method, path, scope, body and query; the wrapper authenticates,
rate-limits, checks the scope and the page id, parses the body, runs the handler as the
key's actor (for the audit log) and turns our errors into `{"error": "..."}`.
The OpenAPI document is generated from the same table.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from statuspage.admin.auth import RateLimiter, authenticate, client_address, require
from statuspage.admin.body import read_body
from statuspage.admin.fields import BodySpec, QueryParam
from statuspage.audit import Actor, acting_as
from statuspage.config import Settings
from statuspage.errors import (
    AuthError,
    InvalidField,
    InvalidInput,
    NotFound,
    RateLimited,
    StatuspageError,
)
from statuspage.keys import ApiKey, Scope
from statuspage.model import Page
from statuspage.service import Service

log = logging.getLogger("statuspage.admin")


@dataclass
class Call:
    """One authenticated request, parsed."""

    request: Request
    service: Service
    key: ApiKey
    page: Page
    path: dict[str, str]
    query: dict[str, Any]
    body: dict[str, Any]


Handler = Callable[[Call], Awaitable[Any]]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # under /v1
    scope: Scope
    summary: str
    handler: Handler
    response: str | None  # a schema name of the OpenAPI document
    status: int = 200
    body: BodySpec | None = None
    query: tuple[QueryParam, ...] = ()
    description: str = ""


OPERATIONS: list[Operation] = []


def operation(
    method: str,
    path: str,
    *,
    scope: Scope,
    summary: str,
    response: str | None,
    status: int = 200,
    body: BodySpec | None = None,
    query: tuple[QueryParam, ...] = (),
    description: str = "",
) -> Callable[[Handler], Handler]:
    """Declare the decorated handler as an operation of the Manage API."""

    def register(handler: Handler) -> Handler:
        OPERATIONS.append(
            Operation(
                method, path, scope, summary, handler, response, status, body, query, description
            )
        )
        return handler

    return register


def endpoint(op: Operation) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        try:
            result = await _run(op, request)
        except StatuspageError as exc:
            return error_response(_located(op, exc))
        except Exception:
            log.exception("%s %s failed", op.method, op.path)
            return json_response({"error": "internal error; see the server log"}, 500)
        if op.response is None:
            return Response(status_code=204, headers=NO_STORE)
        return json_response(result, op.status)

    return handle


async def _run(op: Operation, request: Request) -> Any:
    service: Service = request.app.state.service
    key = await authenticate(request, service, limiter(request))
    require(key, op.scope)
    page = await service.page()
    if request.path_params.get("page_id", page.id) != page.id:
        raise NotFound(
            f"unknown page {request.path_params['page_id']!r}; this server has {page.id}"
        )
    query = {p.name: p.parse(request.query_params.get(p.name)) for p in op.query}
    body: dict[str, Any] = {}
    if op.body is not None:
        raw, form = await read_body(request)
        body = op.body.parse(raw, form=form)
    actor = Actor(key.name, "api", client_address(request), f"{op.method} /v1{op.path}")
    call = Call(request, service, key, page, dict(request.path_params), query, body)
    with acting_as(actor):
        return await op.handler(call)


def limiter(request: Request) -> RateLimiter:
    """The app's rate limiter, made on first use from its settings."""
    state = request.app.state
    found: RateLimiter | None = getattr(state, "admin_limiter", None)
    if found is None:
        settings: Settings = state.settings
        found = RateLimiter(settings.api_rate_limit, settings.api_rate_burst)
        state.admin_limiter = found
    return found


NO_STORE = {"Cache-Control": "no-store"}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, status_code=status, headers={**NO_STORE, **(headers or {})})


def _located(op: Operation, exc: StatuspageError) -> StatuspageError:
    """A use case's refusal of a translation, named as the body's field (the use cases
    name it as the CLI does: "translation")."""
    if isinstance(exc, InvalidField) and exc.field == "translation" and op.body is not None:
        return InvalidInput(f"{op.body.wrapper}[translations]: {exc}")
    return exc


def error_response(exc: StatuspageError) -> Response:
    headers = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc, AuthError) and exc.http_status == 401:
        headers["WWW-Authenticate"] = 'OAuth realm="statuspage"'
    return json_response({"error": str(exc)}, exc.http_status, headers)
