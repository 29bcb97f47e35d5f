"""The public Statuspage v2 JSON API (/api/v2/*.json), published once per change, CORS `*`.

The shapes come from statuspage.serialize, shared with the CLI and webhooks. Requests for
the published documents never reach these routes: the publisher answers them from memory.
The routes here answer CORS preflights and unknown API paths.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from statuspage.artifacts import JSON, Doc
from statuspage.model import ACTIVE_MAINTENANCE, Incident
from statuspage.serialize import Json, components_json, incident_json, page_json, status_json

if TYPE_CHECKING:
    from statuspage.publish import BuildContext

LIST_LIMIT = 50
PREFIX = "/api/v2"


def build(ctx: BuildContext) -> Iterator[Doc]:
    documents: dict[str, Callable[[], Json]] = {
        "summary.json": lambda: summary(ctx),
        "status.json": lambda: {"page": page(ctx), "status": status_json(ctx.snap.status)},
        "components.json": lambda: {"page": page(ctx), "components": components(ctx)},
        "incidents.json": lambda: incidents_doc(ctx, _incidents(ctx)[:LIST_LIMIT]),
        "incidents/unresolved.json": lambda: incidents_doc(ctx, ctx.snap.unresolved),
        "scheduled-maintenances.json": lambda: maintenances_doc(
            ctx, ctx.snap.maintenances[:LIST_LIMIT]
        ),
        "scheduled-maintenances/upcoming.json": lambda: maintenances_doc(
            ctx, ctx.snap.upcoming_maintenance
        ),
        "scheduled-maintenances/active.json": lambda: maintenances_doc(
            ctx, ctx.snap.active_maintenance
        ),
    }
    snap = ctx.snap
    base = (snap.page, snap.updated_at, snap.components, snap.groups)
    everything = (*base, _versions(ctx, snap.incidents[:200]), _versions(ctx, snap.open_items))
    for name, make in documents.items():
        # The key covers every input of every document: an unchanged page is not re-encoded.
        yield Doc(f"{PREFIX}/{name}", JSON, _dumps(make), key=everything, cors=True)


def _versions(ctx: BuildContext, items: Sequence[Incident]) -> tuple[object, ...]:
    return tuple((i.id, ctx.snap.versions.get(i.id)) for i in items)


def _dumps(make: Callable[[], Json]) -> Callable[[], bytes]:
    return lambda: json.dumps(make(), ensure_ascii=False, separators=(",", ":")).encode()


def page(ctx: BuildContext) -> Json:
    return page_json(ctx.snap.page, ctx.snap.updated_at)


def components(ctx: BuildContext) -> list[Json]:
    return components_json(ctx.snap.components, ctx.snap.groups, ctx.snap.page.id)


def summary(ctx: BuildContext) -> Json:
    """Unresolved incidents; maintenance upcoming or in progress."""
    snap = ctx.snap
    maintenance = [m for m in snap.maintenances if m.is_open]
    in_progress = [m for m in maintenance if m.status in ACTIVE_MAINTENANCE]
    upcoming = list(snap.upcoming_maintenance)
    return {
        "page": page(ctx),
        "status": status_json(snap.status),
        "components": components(ctx),
        "incidents": [_incident(ctx, i) for i in snap.unresolved],
        "scheduled_maintenances": [_incident(ctx, m) for m in [*in_progress, *upcoming]],
    }


def incidents_doc(ctx: BuildContext, items: Sequence[Incident]) -> Json:
    return {"page": page(ctx), "incidents": [_incident(ctx, i) for i in items]}


def maintenances_doc(ctx: BuildContext, items: Sequence[Incident]) -> Json:
    return {"page": page(ctx), "scheduled_maintenances": [_incident(ctx, m) for m in items]}


def _incidents(ctx: BuildContext) -> list[Incident]:
    return [i for i in ctx.snap.incidents if not i.is_maintenance]


def _incident(ctx: BuildContext, incident: Incident) -> Json:
    return incident_json(incident, ctx.snap.page, ctx.snap.component_by_id)


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
