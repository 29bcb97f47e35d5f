"""Manage API: incidents and scheduled maintenance, and edits of their updates."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from statuspage.admin.components import translations_field
from statuspage.admin.fields import BodySpec, Field, QueryParam
from statuspage.admin.operations import Call, operation
from statuspage.admin.shared import PAGE_ID, components_by_id
from statuspage.errors import InvalidInput
from statuspage.keys import Scope
from statuspage.model import MAX_MESSAGE, Incident, Kind
from statuspage.serialize import Json, manage_incident_json, manage_update_json
from statuspage.service.admin_incidents import IncidentChange

STATUSES = (
    "investigating",
    "identified",
    "monitoring",
    "resolved",
    "scheduled",
    "in_progress",
    "verifying",
    "completed",
    "cancelled",
)
ALWAYS_TRUE = (
    "auto_transition_to_maintenance_state",
    "auto_transition_to_operational_state",
    "auto_transition_deliver_notifications_at_start",
    "auto_transition_deliver_notifications_at_end",
)
INCIDENT_BODY = BodySpec(
    "incident",
    (
        Field("name", "string", max_length=255, blank=False),
        Field(
            "status",
            "string",
            "Realtime: investigating, identified, monitoring, resolved. Scheduled: scheduled, "
            "in_progress, verifying, completed, or cancelled (ours, before it starts).",
            enum=STATUSES,
        ),
        Field("impact_override", "string", enum=("none", "minor", "major", "critical")),
        Field(
            "severity",
            "string",
            "Ours: a severity of the server's comms plan (e.g. SEV1); it sets the impact unless "
            "impact_override is given, and who hears what.",
            max_length=64,
        ),
        Field("body", "string", "The text of the new update.", max_length=MAX_MESSAGE),
        Field("component_ids", "list", "Affected components (ids or names)."),
        Field(
            "components",
            "status_map",
            "Component id (or name) -> its new status. null (ours) means no status: the "
            "impact's default when declaring; refused on an update.",
        ),
        Field("deliver_notifications", "boolean", "Notify subscribers (default true)."),
        Field("metadata", "object", "An object of objects; replaces the incident's metadata."),
        Field("scheduled_for", "datetime", "Start of a maintenance window."),
        Field("scheduled_until", "datetime", "End of a maintenance window."),
        Field("scheduled_auto_in_progress", "boolean", "Start the maintenance at scheduled_for."),
        Field("scheduled_auto_completed", "boolean", "Complete it at scheduled_until."),
        *(
            Field(name, "boolean", "We always do this; false is refused.", extra={"enum": [True]})
            for name in ALWAYS_TRUE
        ),
        Field("backfilled", "boolean", "Record a past incident (with backfill_date)."),
        Field("backfill_date", "datetime", "When the backfilled incident began."),
        Field(
            "backfill_resolved_at",
            "datetime",
            "Ours: when the backfilled incident ended (default: one second later).",
        ),
        translations_field(
            "name",
            "body",
            note="Ours: the incident's name and the new update's text in other languages, by "
            'language tag, e.g. {"ru": {"name": "...", "body": "..."}}; zh, zh-CN and zh-Hans '
            "all name zh-Hans. A body translation needs a body or status (an update to "
            "translate); null removes a name translation. The page's own language is name "
            "and body themselves.",
        ),
    ),
    ignored=(
        "wants_twitter_update",
        "twitter_updated",
        "auto_tweet_at_beginning",
        "auto_tweet_on_completion",
        "auto_tweet_on_creation",
        "auto_tweet_one_hour_before",
        "scheduled_remind_prior",
        "reminder_intervals",
    ),
)
NEW_INCIDENT = BodySpec(
    INCIDENT_BODY.wrapper, INCIDENT_BODY.fields, ("name",), INCIDENT_BODY.ignored
)
# A change cannot backfill: those fields apply only when creating.
CHANGE_BODY = replace(
    INCIDENT_BODY,
    fields=tuple(f for f in INCIDENT_BODY.fields if not f.name.startswith("backfill")),
)
UPDATE_BODY = BodySpec(
    "incident_update",
    (
        Field("body", "string", max_length=MAX_MESSAGE, blank=False),
        Field("display_at", "datetime", "The time shown for the update."),
        Field("deliver_notifications", "boolean", "Recorded only: nothing is sent again."),
        translations_field(
            "body",
            note="Ours: the update's text in other languages, e.g. "
            '{"ru": {"body": "..."}}; null removes one. Nothing is sent again.',
        ),
    ),
    ignored=("wants_twitter_update", "twitter_updated", "custom_tweet"),
)
LISTING = (
    QueryParam("q", "string", "Text to find in the name, updates or postmortem."),
    QueryParam("limit", "integer", "Results per page.", minimum=1, maximum=100, default=100),
    QueryParam("page", "integer", "Page of results, from 1.", minimum=1, default=1),
)
KIND = QueryParam(
    "kind", "string", "Ours: only incidents or only maintenance.", enum=("incident", "maintenance")
)
OPEN = QueryParam("open", "boolean", "Ours: only those not yet over.", default=False)
INCIDENT = PAGE_ID + "/incidents/{incident_id}"


async def incident_body(call: Call, incident: Incident) -> Json:
    return manage_incident_json(incident, call.page, await components_by_id(call))


async def _list(call: Call, kind: str | None, open_only: bool, statuses: list[str] | None) -> Any:
    found = await call.service.find_incidents(
        kind=kind,
        open_only=open_only,
        statuses=statuses,
        text=call.query.get("q"),
        limit=call.query["limit"],
        page=call.query["page"],
    )
    by_id = await components_by_id(call)
    return [manage_incident_json(i, call.page, by_id) for i in found]


@operation(
    "GET",
    PAGE_ID + "/incidents",
    scope=Scope.READ,
    response="IncidentList",
    summary="List incidents and maintenance, newest first",
    query=(*LISTING, KIND, OPEN),
)
async def list_incidents(call: Call) -> Any:
    return await _list(call, call.query["kind"], call.query["open"], None)


_VIEWS = {
    "unresolved": ("List unresolved incidents", "incident", True, None),
    "upcoming": ("List upcoming maintenance", "maintenance", False, ["scheduled"]),
    "active_maintenance": (
        "List maintenance in progress",
        "maintenance",
        False,
        ["in_progress", "verifying"],
    ),
    "scheduled": ("List scheduled maintenance (all)", "maintenance", False, None),
}


def _view(kind: str, open_only: bool, statuses: list[str] | None) -> Any:
    async def handler(call: Call) -> Any:
        return await _list(call, kind, open_only, statuses)

    return handler


for _name, (_summary, _kind, _open, _statuses) in _VIEWS.items():
    operation(
        "GET",
        f"{PAGE_ID}/incidents/{_name}",
        scope=Scope.READ,
        summary=_summary,
        response="IncidentList",
        query=LISTING,
    )(_view(_kind, _open, _statuses))


def incident_change(values: dict[str, Any]) -> IncidentChange:
    """A parsed `incident` body as the use cases' IncidentChange."""
    refused = [name for name in ALWAYS_TRUE if values.get(name) is False]
    if refused:
        raise InvalidInput(
            f"incident[{refused[0]}]=false is not supported: a maintenance always puts its "
            "components under maintenance, restores them and notifies at start and end"
        )
    return IncidentChange(
        name=values.get("name"),
        status=values.get("status"),
        body=values.get("body"),
        impact_override=values.get("impact_override"),
        severity=values.get("severity"),
        component_ids=values.get("component_ids"),
        components=values.get("components"),
        deliver_notifications=values.get("deliver_notifications", True),
        metadata=values.get("metadata"),
        scheduled_for=values.get("scheduled_for"),
        scheduled_until=values.get("scheduled_until"),
        auto_start=values.get("scheduled_auto_in_progress"),
        auto_complete=values.get("scheduled_auto_completed"),
        backfilled=values.get("backfilled", False),
        backfill_date=values.get("backfill_date"),
        backfill_resolved_at=values.get("backfill_resolved_at"),
        translations=values.get("translations"),
        given=frozenset(values),
    )


@operation(
    "POST",
    PAGE_ID + "/incidents",
    scope=Scope.WRITE,
    response="Incident",
    status=201,
    summary="Create an incident, a scheduled maintenance or a backfilled incident",
    body=NEW_INCIDENT,
)
async def create_incident(call: Call) -> Json:
    return await incident_body(call, await call.service.create_incident(incident_change(call.body)))


@operation("GET", INCIDENT, scope=Scope.READ, summary="Get an incident", response="Incident")
async def get_incident(call: Call) -> Json:
    return await incident_body(call, await call.service.get_incident(call.path["incident_id"]))


EXPECT = QueryParam(
    "kind",
    "string",
    "Ours: treat the change as one to this kind, refusing it if the incident is the other.",
    enum=("incident", "maintenance"),
)


async def _change(call: Call) -> Json:
    expect = Kind(call.query["kind"]) if call.query["kind"] else None
    changed = await call.service.change_incident(
        call.path["incident_id"], incident_change(call.body), expect=expect
    )
    return await incident_body(call, changed)


for _method in ("PATCH", "PUT"):
    operation(
        _method,
        INCIDENT,
        scope=Scope.WRITE,
        response="Incident",
        body=CHANGE_BODY,
        query=(EXPECT,),
        summary="Change an incident; a status, body or components post a new update",
    )(_change)


@operation(
    "DELETE",
    INCIDENT,
    scope=Scope.ADMIN,
    response="Incident",
    summary="Delete an incident and its updates",
)
async def delete_incident(call: Call) -> Json:
    by_id = await components_by_id(call)
    deleted = await call.service.delete_incident(call.path["incident_id"])
    return manage_incident_json(deleted, call.page, by_id)


async def _edit_update(call: Call) -> Json:
    values = call.body
    edited = await call.service.edit_incident_update(
        call.path["incident_id"],
        call.path["incident_update_id"],
        body=values.get("body"),
        display_at=values.get("display_at"),
        deliver_notifications=values.get("deliver_notifications"),
        translations=values.get("translations"),
    )
    return manage_update_json(edited)


for _method in ("PATCH", "PUT"):
    operation(
        _method,
        INCIDENT + "/incident_updates/{incident_update_id}",
        scope=Scope.WRITE,
        response="IncidentUpdate",
        body=UPDATE_BODY,
        summary="Edit an incident update (text, shown time)",
    )(_edit_update)
