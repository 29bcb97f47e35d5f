"""The public Statuspage v2 JSON API (/api/v2/*.json), published once per change, CORS `*`.

The shapes come from statuspage.serialize, shared with the CLI and webhooks. CORS preflights
and unknown API paths are answered by statuspage.site.errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence

from statuspage.model import ACTIVE_MAINTENANCE, Incident
from statuspage.serialize import Json, components_json, incident_json, page_json, status_json
from statuspage.site.artifacts import JSON, Doc
from statuspage.site.context import BuildContext

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
