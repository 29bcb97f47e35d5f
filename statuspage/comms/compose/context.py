"""The variables a message template sees (documented in the README, "Template variables").

Everything is plain data (dicts, lists, strings), so sandboxed templates can read it and
nothing else; times are already formatted in the page's time zone.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from statuspage.comms.compose.tone import mentions_next_update
from statuspage.comms.compose.wording import (
    Localised,
    component_label,
    local_datetime,
    local_time,
    localise,
    minutes_span,
    phase_label,
    status_label,
    update_label,
)
from statuspage.comms.plan.schema import FINAL_PHASES, Owner, Policy, SocialOptions
from statuspage.links import LinkSigner, incident_url, subscriber_links
from statuspage.model import Component, Incident, IncidentUpdate, Page, PageStatus
from statuspage.serialize import incident_json, iso

Vars = dict[str, Any]
WEBHOOK_DOCS = "https://doers.statuspage.io/customer-notifications/webhooks/"
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


@dataclass(frozen=True)
class Facts:
    """What a message is about, gathered once per event."""

    page: Page
    incident: Incident
    update: IncidentUpdate | None
    components: Mapping[str, Component]
    phase: str
    now: datetime
    policy: Policy | None = None
    next_update_at: datetime | None = None
    page_status: PageStatus | None = None
    social: SocialOptions | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)  # reminder facts
    approval_role: Owner | None = None


@dataclass(frozen=True)
class Recipient:
    kind: str  # subscriber, owner or public
    channel: str
    language: str = "en"
    subscriber_id: str | None = None
    address: str | None = None
    owner: Owner | None = None


def markdown_html(body: str) -> Markup:
    """An update's Markdown as sanitised HTML, safe to place in an autoescaped e-mail."""
    return Markup(nh3.clean(_MARKDOWN.render(body)))  # noqa: S704 - cleaned by nh3 just above


def markdown_text(body: str) -> str:
    """An update's Markdown as plain text: markup dropped, paragraphs kept."""
    rendered = nh3.clean(_MARKDOWN.render(body), tags=set())
    paragraphs = [" ".join(p.split()) for p in html.unescape(rendered).split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


def build(facts: Facts, recipient: Recipient, signer: LinkSigner) -> Vars:
    """Every template variable for one message to one recipient."""
    return {**shared_vars(facts, recipient.language), **recipient_vars(facts, recipient, signer)}


def shared_vars(facts: Facts, language: str) -> Vars:
    """The variables every recipient of an event shares (cache them per language)."""
    tz = facts.page.time_zone
    local = localised(facts, language)
    return {
        "page": {
            "name": local.page.name,
            "url": facts.page.url,
            "time_zone": tz,
            "language": facts.page.language,
        },
        "incident": _incident(facts, local.incident, tz, language),
        "update": _update(local, tz, language),
        "components": _components(facts, local, language),
        "severity": _severity(facts.policy, facts.incident),
        "next_update": _next_update(facts, tz, language, local),
        "phase": facts.phase,
        "phase_label": phase_label(facts.phase, language),
        "final": facts.phase in FINAL_PHASES,
        "social": {"handle": facts.social.handle if facts.social else ""},
        "commands": _commands(facts.incident),
        "approval": _approval(facts),
        "reminder": _reminder(facts, tz, language),
        "webhook": _webhook(facts, local),
        "language": language,
        "generated_at": iso(facts.now),
    }


def localised(facts: Facts, language: str) -> Localised:
    """The event's texts in `language` where they are translated (else as written)."""
    return localise(facts.page, facts.incident, facts.update, dict(facts.components), language)


def recipient_vars(facts: Facts, recipient: Recipient, signer: LinkSigner) -> Vars:
    """The variables that differ per recipient: who they are and their own links."""
    return {
        "recipient": _recipient(recipient),
        "subscriber": _subscriber(recipient),
        "links": _links(facts, recipient, signer),
    }


def _incident(facts: Facts, i: Incident, tz: str, language: str) -> Vars:
    return {
        "id": i.id,
        "name": i.name,
        "status": i.status,
        "status_label": status_label(i.status, language),
        "impact": i.impact.value,
        "is_maintenance": i.is_maintenance,
        "url": incident_url(facts.page.url, i.id),
        "started_at": local_datetime(i.started_at, tz, language),
        "scheduled_for": local_datetime(i.scheduled_for, tz, language) if i.scheduled_for else None,
        "scheduled_for_time": local_time(i.scheduled_for, tz) if i.scheduled_for else None,
        "scheduled_until": (
            local_datetime(i.scheduled_until, tz, language) if i.scheduled_until else None
        ),
        "resolved_at": local_datetime(i.resolved_at, tz, language) if i.resolved_at else None,
        "postmortem": markdown_text(i.postmortem_body) if i.postmortem_body else None,
    }


def _update(local: Localised, tz: str, language: str) -> Vars | None:
    update = local.update
    if update is None:
        return None
    return {
        "id": update.id,
        "status": update.status,
        "label": update_label(update, language),
        "markdown": update.body,
        "text": markdown_text(update.body),
        "html": markdown_html(update.body),
        "created_at": local_datetime(update.created_at, tz, language),
        "translated": local.update_translated,
        "original_language": local.page.language,
        "fallback_note": local.fallback_note,
        "changes": [
            {
                "name": a.name,
                "old": component_label(a.old_status, language),
                "new": component_label(a.new_status, language),
            }
            for a in update.affected_components
        ],
    }


def _components(facts: Facts, local: Localised, language: str) -> list[Vars]:
    found = [local.components[c] for c in facts.incident.component_ids if c in local.components]
    return [
        {"id": c.id, "name": c.name, "status": component_label(c.status, language)} for c in found
    ]


def _severity(policy: Policy | None, incident: Incident) -> Vars | None:
    if policy is None or incident.is_maintenance:
        return None
    return {"key": policy.key, "label": policy.label, "description": policy.description}


def _next_update(facts: Facts, tz: str, language: str, local: Localised) -> Vars | None:
    """The promised next update; `in_update`: the update's own text already promises it
    (customer templates then do not say it again)."""
    at = facts.next_update_at
    if at is None or facts.phase in FINAL_PHASES:
        return None
    minutes = max(0, round((at - facts.now).total_seconds() / 60))
    body = markdown_text(local.update.body) if local.update else ""
    return {
        "at": local_time(at, tz),
        "datetime": local_datetime(at, tz, language),
        "minutes": minutes,
        "in_update": mentions_next_update(body, local_time(at, tz)),
    }


def _recipient(r: Recipient) -> Vars:
    role = {"key": r.owner.key, "label": r.owner.label} if r.owner else None
    return {"kind": r.kind, "channel": r.channel, "language": r.language, "role": role}


def _subscriber(r: Recipient) -> Vars | None:
    if r.subscriber_id is None:
        return None
    return {"id": r.subscriber_id, "channel": r.channel, "language": r.language}


def _links(facts: Facts, r: Recipient, signer: LinkSigner) -> Vars:
    base = facts.page.url.rstrip("/")
    links: Vars = {
        "page": base,
        "incident": incident_url(base, facts.incident.id),
        "subscribe": f"{base}/subscribe",
        "documentation": WEBHOOK_DOCS,
        "manage": None,
        "unsubscribe": None,
    }
    if r.subscriber_id is not None:
        links.update(subscriber_links(base, r.subscriber_id, signer))
    return links


def _commands(incident: Incident) -> Vars:
    verb = "maintenance start|verify|complete" if incident.is_maintenance else "incident update"
    return {
        "post_update": f'statuspage {verb} {incident.id} --message "..."',
        "approve": f"statuspage comms approve {incident.id}",
        "preview": f"statuspage comms preview {incident.id}",
    }


def _approval(facts: Facts) -> Vars | None:
    role = facts.approval_role
    if role is None:
        return None
    return {"role": role.label, "command": f"statuspage comms approve {facts.incident.id}"}


def _reminder(facts: Facts, tz: str, language: str) -> Vars | None:
    due = facts.detail.get("due_at")
    if not isinstance(due, datetime):
        return None
    late = max(0, int((facts.now - due).total_seconds() // 60))
    return {
        "due_at": local_time(due, tz),
        "late_minutes": late,
        "late": minutes_span(late, language),
        "escalated": bool(facts.detail.get("escalated")),
        "role": facts.detail.get("role_label", ""),
        "backup": facts.detail.get("backup_label", ""),
    }


def _webhook(facts: Facts, local: Localised) -> Vars:
    status = facts.page_status
    page = {
        "id": facts.page.id,
        "status_indicator": status.indicator if status else "none",
        "status_description": status.description if status else "",
    }
    return {"page": page, "incident": incident_json(local.incident, local.page, local.components)}
