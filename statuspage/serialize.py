"""Domain objects as the JSON shapes of the Statuspage public API v2.

One place for these shapes: the public API, the CLI's --json output, webhook payloads
and the admin API all use them, so every consumer sees the same fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from statuspage.model import (
    Component,
    Group,
    Incident,
    IncidentUpdate,
    MaintenanceStatus,
    Page,
    PageStatus,
    Subscriber,
    Translation,
    worst_status,
)
from statuspage.subscriptions import SubscriberData
from statuspage.uptime import RangeUptime, percentage

Json = dict[str, Any]


def iso(value: datetime | None) -> str | None:
    """ISO-8601 in UTC with milliseconds and Z, as Statuspage writes it."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def page_json(page: Page, updated_at: datetime | None = None) -> Json:
    return {
        "id": page.id,
        "name": page.name,
        "url": page.url,
        "time_zone": page.time_zone,
        "updated_at": iso(updated_at or page.updated_at),
    }


def status_json(status: PageStatus) -> Json:
    return {"indicator": status.indicator, "description": status.description}


def component_json(c: Component, page_id: str) -> Json:
    return {
        "id": c.id,
        "name": c.name,
        "status": c.status.value,
        "created_at": iso(c.created_at),
        "updated_at": iso(c.updated_at),
        "position": c.position,
        "description": c.description,
        "showcase": c.showcase,
        "start_date": c.start_date.isoformat() if c.start_date else None,
        "group_id": c.group_id,
        "page_id": page_id,
        "group": False,
        "only_show_if_degraded": c.only_show_if_degraded,
    }


def group_json(g: Group, children: Iterable[Component], page_id: str) -> Json:
    """A group, shaped as Statuspage shows it: a component with `group: true`."""
    members = list(children)
    updated = max([g.updated_at, *(c.updated_at for c in members)])
    return {
        "id": g.id,
        "name": g.name,
        "status": worst_status(c.status for c in members).value,
        "created_at": iso(g.created_at),
        "updated_at": iso(updated),
        "position": g.position,
        "description": g.description,
        "showcase": False,
        "start_date": None,
        "group_id": None,
        "page_id": page_id,
        "group": True,
        "only_show_if_degraded": False,
        "components": [c.id for c in members],
    }


def components_json(
    components: Iterable[Component], groups: Iterable[Group], page_id: str
) -> list[Json]:
    """Groups and components in page order; each group right before its members."""
    members: dict[str | None, list[Component]] = {}
    for c in components:
        members.setdefault(c.group_id, []).append(c)
    out: list[Json] = []
    for g in groups:
        out.append(group_json(g, members.get(g.id, []), page_id))
        out.extend(component_json(c, page_id) for c in members.get(g.id, []))
    out.extend(component_json(c, page_id) for c in members.get(None, []))
    return out


def update_json(u: IncidentUpdate) -> Json:
    affected = [
        {
            "code": a.code,
            "name": a.name,
            "old_status": a.old_status.value,
            "new_status": a.new_status.value,
        }
        for a in u.affected_components
    ]
    return {
        "id": u.id,
        "status": public_status(u.status),
        "body": u.body,
        "incident_id": u.incident_id,
        "created_at": iso(u.created_at),
        "updated_at": iso(u.updated_at),
        "display_at": iso(u.display_at),
        "affected_components": affected or None,
        "deliver_notifications": u.deliver_notifications,
        "custom_tweet": None,
        "tweet_id": None,
    }


def public_status(status: str) -> str:
    """Our internal status as the public API's enum (a cancelled maintenance shows completed)."""
    return MaintenanceStatus.COMPLETED.value if status == MaintenanceStatus.CANCELLED else status


def incident_json(i: Incident, page: Page, components: Mapping[str, Component]) -> Json:
    """An incident; a maintenance adds `scheduled_for` and `scheduled_until`."""
    body: Json = {
        "id": i.id,
        "name": i.name,
        "status": public_status(i.status),
        "created_at": iso(i.created_at),
        "updated_at": iso(i.updated_at),
        "monitoring_at": iso(i.monitoring_at),
        "resolved_at": iso(i.resolved_at),
        "impact": i.impact.value,
        "shortlink": f"{page.url}/incidents/{i.id}",
        "started_at": iso(i.started_at),
        "page_id": page.id,
        "incident_updates": [update_json(u) for u in i.updates],
        "components": [
            component_json(components[cid], page.id) for cid in i.component_ids if cid in components
        ],
        "reminder_intervals": None,
    }
    if i.is_maintenance:
        body["scheduled_for"] = iso(i.scheduled_for)
        body["scheduled_until"] = iso(i.scheduled_until)
    return body


# Manage API v1 (authenticated): the public shapes plus the fields only the page's owner sees.
# Ours there: `translations`, {language: {field: text}} (the page's own language is the
# object's fields themselves); Statuspage clients ignore it.


def translations_json(translations: Iterable[Translation]) -> Json:
    """Texts in other languages as {language: {field: text}}, languages and fields sorted."""
    out: dict[str, dict[str, str]] = {}
    for t in sorted(translations, key=lambda t: (t.language, t.field)):
        out.setdefault(t.language, {})[t.field] = t.text
    return out


def manage_page_json(page: Page) -> Json:
    """The page; `language` (ours) is the default language its texts are written in."""
    return {
        **page_json(page),
        "created_at": iso(page.created_at),
        "language": page.language,
        "translations": translations_json(page.translations),
    }


def manage_component_json(c: Component, page_id: str) -> Json:
    return {**component_json(c, page_id), "translations": translations_json(c.translations)}


def manage_group_json(g: Group, members: Iterable[Component], page_id: str) -> Json:
    """A component group as the Manage API shows it (not as a component with group: true)."""
    return {
        "id": g.id,
        "page_id": page_id,
        "name": g.name,
        "description": g.description,
        "components": [c.id for c in members],
        "position": g.position,
        "created_at": iso(g.created_at),
        "updated_at": iso(g.updated_at),
        "translations": translations_json(g.translations),
    }


def manage_update_json(u: IncidentUpdate) -> Json:
    """An update; `previous_status` (ours) tells an "Update" from a change of status."""
    return {
        **update_json(u),
        "previous_status": u.previous_status,
        "translations": translations_json(u.translations),
    }


def manage_incident_json(i: Incident, page: Page, components: Mapping[str, Component]) -> Json:
    """An incident with the Manage API's extra fields.

    Three fields are ours: `severity` (the comms plan's, or null), `cancelled` (Statuspage
    has no cancelled maintenance; the public status shows it as completed) and
    `translations` (the name in other languages; each update has its body's).
    """
    maintenance = i.is_maintenance
    return {
        **incident_json(i, page, components),
        "incident_updates": [manage_update_json(u) for u in i.updates],
        "components": [
            manage_component_json(components[cid], page.id)
            for cid in i.component_ids
            if cid in components
        ],
        "scheduled_for": iso(i.scheduled_for),
        "scheduled_until": iso(i.scheduled_until),
        "impact_override": None if maintenance else i.impact.value,
        "metadata": i.metadata,
        "backfilled": i.backfilled,
        "postmortem_body": i.postmortem_body,
        "postmortem_body_last_updated_at": iso(i.postmortem_updated_at),
        "postmortem_ignored": False,
        "postmortem_notified_subscribers": i.postmortem_published_at is not None,
        "postmortem_notified_twitter": False,
        "postmortem_published_at": iso(i.postmortem_published_at),
        "scheduled_remind_prior": False,
        "scheduled_reminded_at": None,
        "scheduled_auto_in_progress": maintenance and i.auto_start,
        "scheduled_auto_completed": maintenance and i.auto_complete,
        # What we always do when a maintenance starts and ends.
        "auto_transition_to_maintenance_state": maintenance,
        "auto_transition_to_operational_state": maintenance,
        "auto_transition_deliver_notifications_at_start": maintenance,
        "auto_transition_deliver_notifications_at_end": maintenance,
        "severity": i.severity,
        "cancelled": i.status == MaintenanceStatus.CANCELLED,
        "translations": translations_json(i.translations),
    }


def postmortem_json(i: Incident) -> Json:
    """Statuspage's postmortem object; we keep one body, the draft until it is published."""
    published = i.postmortem_published_at is not None
    return {
        "preview_key": None,
        "body": i.postmortem_body if published else None,
        "body_updated_at": iso(i.postmortem_updated_at) if published else None,
        "body_draft": i.postmortem_body,
        "body_draft_updated_at": iso(i.postmortem_updated_at),
        "published_at": iso(i.postmortem_published_at),
        "notify_subscribers": published,
        "notify_twitter": False,
        "custom_tweet": None,
        "created_at": iso(i.postmortem_updated_at),
        "updated_at": iso(i.postmortem_updated_at),
    }


def component_uptime_json(u: RangeUptime) -> Json:
    """A component's uptime as the Manage API gives it: a percentage rounded down to two
    decimals (as the page shows it), outage durations in whole seconds."""
    return {
        "id": u.component_id,
        "name": u.name,
        "range_start": u.first.isoformat(),
        "range_end": u.last.isoformat(),
        "uptime_percentage": percentage(u.uptime),
        "major_outage": round(u.major_seconds),
        "partial_outage": round(u.partial_seconds),
        "warnings": list(u.warnings),
        "related_events": [{"id": i, "name": name} for i, name in u.events],
    }


def subscriber_json(
    s: Subscriber,
    all_component_ids: Iterable[str],
    *,
    display_phone: str | None = None,
    purge_at: datetime | None = None,
) -> Json:
    """A subscriber as the Manage API shows one (Statuspage's fields, then ours)."""
    channel = s.channel.value
    return {
        "id": s.id,
        "skip_confirmation_notification": s.confirmed_at is not None
        and s.confirmed_at == s.created_at,
        "mode": channel,
        "email": s.address if channel == "email" else None,
        "endpoint": s.address if channel in ("webhook", "slack") else None,
        "phone_number": s.address if channel == "sms" else None,
        "phone_country": s.phone_country if channel == "sms" else None,
        "display_phone_number": display_phone if channel == "sms" else None,
        "obfuscated_channel_name": None,
        "workspace_name": None,
        "quarantined_at": None,
        "purge_at": iso(purge_at),
        "components": list(all_component_ids) if s.all_components else list(s.component_ids),
        "page_access_user_id": None,
        "created_at": iso(s.created_at),
        # Ours: the state (pending is Statuspage's "unconfirmed"), all-components, segments.
        "state": s.state.value,
        "all_components": s.all_components,
        "tags": list(s.tags),
        "language": s.language,
        "updated_at": iso(s.updated_at),
        "confirmed_at": iso(s.confirmed_at),
        "unsubscribed_at": iso(s.unsubscribed_at),
    }


NOT_KEPT = (
    "client IP addresses (only a keyed hash, for at most the rate-limit window); "
    "message bodies (rendered when sent, not stored)"
)


def subscriber_data_json(data: SubscriberData) -> Json:
    """Everything we hold on one subscriber, as a data request's answer shows it."""
    s, c = data.subscriber, data.awaiting_confirmation
    return {
        "subscriber": {
            "id": s.id, "channel": s.channel.value, "address": s.address,
            "phone_country": s.phone_country, "state": s.state.value,
            "components": "all" if data.components is None else list(data.components),
            "tags": list(s.tags), "language": s.language, "created_at": iso(s.created_at),
            "updated_at": iso(s.updated_at), "confirmed_at": iso(s.confirmed_at),
            "unsubscribed_at": iso(s.unsubscribed_at),
        },
        "awaiting_confirmation": None if c is None else {
            "new_address": c.new_address, "sent_at": iso(c.sent_at),
            "expires_at": iso(c.expires_at), "wrong_codes": c.wrong_codes,
        },
        "messages": data.messages,
        "not_kept": NOT_KEPT,
    }  # fmt: skip
