"""Manage API JSON back into domain objects, so remote commands print what local ones print."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from statuspage.incident_templates import IncidentTemplate
from statuspage.model import (
    AffectedComponent,
    Component,
    ComponentStatus,
    Group,
    Impact,
    Incident,
    IncidentUpdate,
    Kind,
    MaintenanceStatus,
    Page,
    Translation,
)

Json = dict[str, Any]


def when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def maybe_when(value: str | None) -> datetime | None:
    return None if value is None else when(value)


def translations_from(j: Json) -> tuple[Translation, ...]:
    """`translations` ({language: {field: text}}) as the model's, in (field, language) order."""
    found = [
        Translation(field, language, text)
        for language, fields in (j.get("translations") or {}).items()
        for field, text in fields.items()
    ]
    return tuple(sorted(found, key=lambda t: (t.field, t.language)))


def page_from(j: Json) -> Page:
    return Page(
        j["id"],
        j["name"],
        j["url"],
        j["time_zone"],
        when(j["created_at"]),
        when(j["updated_at"]),
        language=j.get("language") or "en",
        translations=translations_from(j),
    )


def group_from(j: Json) -> Group:
    return Group(
        j["id"],
        j["name"],
        j["description"],
        j["position"],
        when(j["created_at"]),
        when(j["updated_at"]),
        translations=translations_from(j),
    )


def component_from(j: Json) -> Component:
    return Component(
        id=j["id"],
        name=j["name"],
        status=ComponentStatus(j["status"]),
        position=j["position"],
        created_at=when(j["created_at"]),
        updated_at=when(j["updated_at"]),
        description=j["description"],
        group_id=j["group_id"],
        showcase=j["showcase"],
        only_show_if_degraded=j["only_show_if_degraded"],
        start_date=date.fromisoformat(j["start_date"]) if j["start_date"] else None,
        translations=translations_from(j),
    )


def _update_from(j: Json, cancelled: bool) -> IncidentUpdate:
    status = j["status"]
    if cancelled and status == MaintenanceStatus.COMPLETED:
        # A cancelled maintenance never completes: its "completed" update is the cancellation.
        status = MaintenanceStatus.CANCELLED.value
    affected = tuple(
        AffectedComponent(
            a["code"], a["name"], ComponentStatus(a["old_status"]), ComponentStatus(a["new_status"])
        )
        for a in j["affected_components"] or ()
    )
    return IncidentUpdate(
        id=j["id"],
        incident_id=j["incident_id"],
        status=status,
        body=j["body"],
        created_at=when(j["created_at"]),
        display_at=when(j["display_at"]),
        updated_at=when(j["updated_at"]),
        affected_components=affected,
        deliver_notifications=j["deliver_notifications"],
        previous_status=j["previous_status"],
        translations=translations_from(j),
    )


def incident_from(j: Json) -> Incident:
    cancelled = bool(j["cancelled"])
    maintenance = j["impact"] == Impact.MAINTENANCE
    return Incident(
        id=j["id"],
        kind=Kind.MAINTENANCE if maintenance else Kind.INCIDENT,
        name=j["name"],
        status=MaintenanceStatus.CANCELLED.value if cancelled else j["status"],
        impact=Impact(j["impact"]),
        created_at=when(j["created_at"]),
        updated_at=when(j["updated_at"]),
        started_at=when(j["started_at"]),
        component_ids=tuple(c["id"] for c in j["components"]),
        updates=tuple(_update_from(u, cancelled) for u in j["incident_updates"]),
        severity=j["severity"],
        monitoring_at=maybe_when(j["monitoring_at"]),
        resolved_at=maybe_when(j["resolved_at"]),
        scheduled_for=maybe_when(j["scheduled_for"]),
        scheduled_until=maybe_when(j["scheduled_until"]),
        auto_start=j["scheduled_auto_in_progress"] if maintenance else True,
        auto_complete=j["scheduled_auto_completed"] if maintenance else True,
        backfilled=j["backfilled"],
        postmortem_body=j["postmortem_body"],
        postmortem_updated_at=maybe_when(j["postmortem_body_last_updated_at"]),
        postmortem_published_at=maybe_when(j["postmortem_published_at"]),
        metadata=j["metadata"],
        translations=translations_from(j),
    )


def template_from(j: Json) -> IncidentTemplate:
    return IncidentTemplate(
        id=j["id"],
        name=j["name"],
        title=j["title"],
        body=j["body"],
        created_at=when(j["created_at"]),
        updated_at=when(j["updated_at"]),
        group_id=j["group_id"],
        update_status=j["update_status"],
        should_tweet=j["should_tweet"],
        should_send_notifications=j["should_send_notifications"],
        component_ids=tuple(c["id"] for c in j["components"]),
    )
