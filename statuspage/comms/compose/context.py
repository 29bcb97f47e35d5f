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
from zoneinfo import ZoneInfo

import nh3
from babel.core import UnknownLocaleError
from babel.dates import format_date
from markdown_it import MarkdownIt
from markupsafe import Markup

from statuspage.comms.plan.schema import FINAL_PHASES, Owner, Policy, SocialOptions
from statuspage.links import LinkSigner, incident_url, subscriber_links
from statuspage.model import STATUS_LABELS, Component, Incident, IncidentUpdate, Page, PageStatus
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


def local_time(value: datetime, tz: str) -> str:
    """14:30 CET: the time people read in the page's time zone."""
    moment = value.astimezone(ZoneInfo(tz))
    return f"{moment:%H:%M} {moment.tzname()}"


def local_datetime(value: datetime, tz: str, language: str) -> str:
    """10 Mar 2026, 14:30 CET, with the month named in the message's language."""
    moment = value.astimezone(ZoneInfo(tz))
    try:
        day = format_date(moment.date(), "d MMM y", locale=language)
    except (UnknownLocaleError, ValueError):
        day = format_date(moment.date(), "d MMM y", locale="en")
    return f"{day}, {local_time(value, tz)}"


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
    return {
        "page": {"name": facts.page.name, "url": facts.page.url, "time_zone": tz},
        "incident": _incident(facts, tz, language),
        "update": _update(facts.update, tz, language),
        "components": _components(facts),
        "severity": _severity(facts.policy, facts.incident),
        "next_update": _next_update(facts, tz, language),
        "phase": facts.phase,
        "final": facts.phase in FINAL_PHASES,
        "social": {"handle": facts.social.handle if facts.social else ""},
        "commands": _commands(facts.incident),
        "approval": _approval(facts),
        "reminder": _reminder(facts, tz),
        "webhook": _webhook(facts),
        "generated_at": iso(facts.now),
    }


def recipient_vars(facts: Facts, recipient: Recipient, signer: LinkSigner) -> Vars:
    """The variables that differ per recipient: who they are and their own links."""
    return {
        "recipient": _recipient(recipient),
        "subscriber": _subscriber(recipient),
        "links": _links(facts, recipient, signer),
    }


def _incident(facts: Facts, tz: str, language: str) -> Vars:
    i = facts.incident
    return {
        "id": i.id,
        "name": i.name,
        "status": i.status,
        "status_label": STATUS_LABELS.get(i.status, i.status),
        "impact": i.impact.value,
        "is_maintenance": i.is_maintenance,
        "url": incident_url(facts.page.url, i.id),
        "started_at": local_datetime(i.started_at, tz, language),
        "scheduled_for": local_datetime(i.scheduled_for, tz, language) if i.scheduled_for else None,
        "scheduled_until": (
            local_datetime(i.scheduled_until, tz, language) if i.scheduled_until else None
        ),
        "resolved_at": local_datetime(i.resolved_at, tz, language) if i.resolved_at else None,
        "postmortem": markdown_text(i.postmortem_body) if i.postmortem_body else None,
    }


def _update(update: IncidentUpdate | None, tz: str, language: str) -> Vars | None:
    if update is None:
        return None
    return {
        "id": update.id,
        "status": update.status,
        "label": update.label,
        "markdown": update.body,
        "text": markdown_text(update.body),
        "html": markdown_html(update.body),
        "created_at": local_datetime(update.created_at, tz, language),
        "changes": [
            {"name": a.name, "old": a.old_status.label, "new": a.new_status.label}
            for a in update.affected_components
        ],
    }


def _components(facts: Facts) -> list[Vars]:
    found = [facts.components[c] for c in facts.incident.component_ids if c in facts.components]
    return [{"id": c.id, "name": c.name, "status": c.status.label} for c in found]


def _severity(policy: Policy | None, incident: Incident) -> Vars | None:
    if policy is None or incident.is_maintenance:
        return None
    return {"key": policy.key, "label": policy.label, "description": policy.description}


def _next_update(facts: Facts, tz: str, language: str) -> Vars | None:
    at = facts.next_update_at
    if at is None or facts.phase in FINAL_PHASES:
        return None
    minutes = max(0, round((at - facts.now).total_seconds() / 60))
    return {
        "at": local_time(at, tz),
        "datetime": local_datetime(at, tz, language),
        "minutes": minutes,
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


def _reminder(facts: Facts, tz: str) -> Vars | None:
    due = facts.detail.get("due_at")
    if not isinstance(due, datetime):
        return None
    late = max(0, int((facts.now - due).total_seconds() // 60))
    return {
        "due_at": local_time(due, tz),
        "late_minutes": late,
        "late": _span(late),
        "escalated": bool(facts.detail.get("escalated")),
        "role": facts.detail.get("role_label", ""),
        "backup": facts.detail.get("backup_label", ""),
    }


def _span(minutes: int) -> str:
    if minutes < 90:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _webhook(facts: Facts) -> Vars:
    status = facts.page_status
    page = {
        "id": facts.page.id,
        "status_indicator": status.indicator if status else "none",
        "status_description": status.description if status else "",
    }
    return {"page": page, "incident": incident_json(facts.incident, facts.page, facts.components)}
