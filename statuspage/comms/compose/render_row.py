"""Rendering an outbox row at send time (by the dispatcher) or in a preview.

Messages are rendered from the rows they refer to, as they are when sent: the incident as
it stands, the update the event recorded, the subscriber's current language and links.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from statuspage.comms.compose.context import Facts, Recipient, build
from statuspage.comms.compose.templates import Rendered, Templates
from statuspage.comms.plan.audience import contact_address
from statuspage.comms.plan.schema import Channel, Plan, Policy
from statuspage.errors import NotFound
from statuspage.links import LinkSigner
from statuspage.model import Incident, IncidentUpdate, page_status
from statuspage.storage import Queries
from statuspage.storage.convert import parse_ts
from statuspage.storage.outbox import CommsEvent, OutboxRow


@dataclass
class Renderer:
    """Renders rows. Give `environ` when sending, so `${NAME}` contact points are resolved;
    previews leave it out and never show a secret."""

    plan: Plan
    templates: Templates
    signer: LinkSigner
    environ: Mapping[str, str] | None = None

    async def facts(self, q: Queries, event: CommsEvent, now: datetime) -> Facts:
        """Everything the messages of one event are about, read once for all its rows."""
        incident = await q.get_incident(event.incident_id)
        page = await q.get_page()
        if incident is None or page is None:
            raise NotFound(f"incident {event.incident_id} of event {event.id} no longer exists")
        components = {c.id: c for c in await q.list_components()}
        open_incidents = await q.list_incidents(open_only=True)
        return Facts(
            page=page,
            incident=incident,
            update=_update(incident, event.update_id),
            components=components,
            phase=event.phase,
            now=now,
            policy=self._policy(event, incident),
            next_update_at=event.next_update_at,
            page_status=page_status(components.values(), open_incidents),
            social=self.plan.social,
            detail=_detail(event.detail),
            approval_role=self.plan.owners.get(event.approval_role or "")
            if event.awaiting_approval
            else None,
        )

    def _policy(self, event: CommsEvent, incident: Incident) -> Policy | None:
        named = self.plan.severity(event.severity) if event.severity else None
        return named or self.plan.policy_for(incident)

    async def recipient(self, q: Queries, row: OutboxRow) -> Recipient:
        """Who a row goes to, as they are now; NotFound when they are gone."""
        return await self.recipient_of(
            q, row.recipient_kind, row.recipient_id, row.channel, row.language
        )

    async def recipient_of(
        self, q: Queries, kind: str, recipient_id: str, channel: str, language: str
    ) -> Recipient:
        if kind == "subscriber":
            found = await q.get_subscriber(recipient_id)
            if found is None:
                raise NotFound(f"subscriber {recipient_id} no longer exists")
            return Recipient("subscriber", channel, language, found.id, found.address)
        if kind == "owner":
            owner = self.plan.owners.get(recipient_id)
            if owner is None:
                raise NotFound(f"role {recipient_id} is no longer in the comms plan")
            address = owner.contacts.get(Channel(channel))
            if address is not None and self.environ is not None:
                address = contact_address(address, self.environ)
            return Recipient("owner", channel, language, address=address, owner=owner)
        handle = self.plan.social.handle if self.plan.social else None
        return Recipient("public", channel, language, address=handle)

    def render(self, facts: Facts, recipient: Recipient, template: str) -> Rendered:
        return self.templates.render(
            Channel(recipient.channel),
            template,
            recipient.language,
            build(facts, recipient, self.signer),
            smart_sms=self.plan.sms.smart_encoding,
        )

    async def render_row(self, q: Queries, row: OutboxRow, now: datetime) -> Rendered:
        """One row's message, ready to send."""
        event = await q.get_comms_event(row.event_id)
        if event is None:
            raise NotFound(f"event {row.event_id} no longer exists")
        facts = await self.facts(q, event, now)
        return self.render(facts, await self.recipient(q, row), row.template)


def _update(incident: Incident, update_id: str | None) -> IncidentUpdate | None:
    """The event's update; events without one (a postmortem) show the latest."""
    for update in incident.updates:
        if update.id == update_id:
            return update
    return incident.updates[0] if incident.updates else None


def _detail(raw: dict[str, Any]) -> dict[str, Any]:
    detail = dict(raw)
    if isinstance(detail.get("due_at"), str):
        detail["due_at"] = parse_ts(detail["due_at"])
    return detail
