"""Fan-out (the `Planner`): turns an Event into outbox rows, in the change's transaction.

For each route of the event's phase (the severity's routing plus matching component
overrides), it enqueues one row per (recipient, channel): subscribers by one set-based
INSERT per segment and channel, owners and the social account by executemany. Rows for a
recipient+channel already reached by an earlier segment are ignored (first segment wins),
so nobody gets an update twice on one channel. Then the incident's older unsent rows for
the same recipient+channel are superseded: customers get the newest update, not a burst.

The coalescing window (`channels.coalesce`, per channel): a customer's message about an
incident goes at once when none went on that channel in the last window; otherwise it waits
until the window ends, and a newer update posted meanwhile supersedes it (recorded as
superseded_by the newer event: "coalesced"). Final messages (resolved, completed...) never
wait and are never superseded. Owners' messages never wait. The page is never delayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from statuspage.audit import AUTOMATION, current_actor
from statuspage.comms.compose.templates import Templates
from statuspage.comms.plan.schema import (
    FINAL_PHASES,
    INCIDENT_PHASES,
    INTERNAL_TEMPLATE,
    Channel,
    Phase,
    Plan,
    Policy,
    Route,
    Segment,
    SegmentKind,
)
from statuspage.events import Event
from statuspage.model import Incident
from statuspage.storage import Queries
from statuspage.storage.convert import parse_ts, ts
from statuspage.storage.outbox import Audience, Batch, CommsEvent, OutboxState

REMINDER_PHASES = (Phase.REMINDER.value, Phase.ESCALATION.value)
KEPT_PHASES = tuple(p.value for p in FINAL_PHASES)  # never coalesced away
DUE = "due"  # an event's detail: {channel: when its customers' messages may go}
SOCIAL_RECIPIENT = "social"


def event_key(event: Event) -> str:
    """An event's id: its update's id, or one per incident and phase (a postmortem)."""
    return event.update_id or f"{event.incident_id}:{event.phase}"


def priority(policy: Policy, customer_facing: bool) -> int:
    """Lower goes first: reminders (0), then owners before customers, severe before minor."""
    return 1 + policy.rank * 2 + int(customer_facing)


@dataclass(frozen=True)
class Planned:
    event: CommsEvent
    superseded: int


class Planner:
    def __init__(self, plan: Plan, templates: Templates) -> None:
        self.plan = plan
        self.templates = templates

    async def plan_event(
        self, q: Queries, event: Event, *, key: str | None = None, coalesce: bool = True
    ) -> Planned | None:
        """Record the event and enqueue its messages; None when there is nothing to plan."""
        incident = await q.get_incident(event.incident_id)
        if incident is None or event.phase not in list(Phase):
            return None
        policy = self.plan.policy_for(incident)
        if policy is None:
            return None
        names = await self.component_names(q, incident)
        phase = Phase(event.phase)
        recorded = self._comms_event(event, key, incident, policy, phase, names)
        if coalesce and phase not in FINAL_PHASES:
            dues = await self.dues(q, incident.id, event.at)
            recorded.detail[DUE] = {channel.value: ts(due) for channel, due in dues.items()}
        if not await q.add_comms_event(recorded):
            return None
        for route in self.plan.routes(policy, phase, names):
            await self._enqueue_route(q, recorded, incident, policy, route, event)
        superseded = 0
        if coalesce:
            superseded = await q.supersede_pending(recorded.id, incident.id, event.at, KEPT_PHASES)
            superseded += await q.supersede_phases(
                incident.id, REMINDER_PHASES, recorded.id, event.at
            )
        return Planned(recorded, superseded)

    async def dues(self, q: Queries, incident_id: str, now: datetime) -> dict[Channel, datetime]:
        """When a new update's customer messages may go, per channel with a window: now when
        the last message went out at least a window ago; else when that window ends."""
        events = await q.list_comms_events(incident_id)
        dues: dict[Channel, datetime] = {}
        for channel in self.plan.coalesce:
            window = self.plan.coalesce_window(channel)
            if window <= timedelta(0):
                continue
            due = _next_due(events, channel, window, now)
            if due is not None:
                dues[channel] = due
        return dues

    async def page_language(self, q: Queries, channel: Channel, template: str) -> str:
        """The language of owners' messages and of the status account's posts: the page's
        default language when the template exists in it, else English."""
        page = await q.get_page()
        wanted = page.language if page is not None else "en"
        return self.templates.language_for(channel, template, wanted)

    async def component_names(self, q: Queries, incident: Incident) -> list[str]:
        by_id = {c.id: c.name for c in await q.list_components()}
        return [by_id[c] for c in incident.component_ids if c in by_id]

    def _comms_event(
        self,
        event: Event,
        key: str | None,
        incident: Incident,
        policy: Policy,
        phase: Phase,
        names: list[str],
    ) -> CommsEvent:
        roles = self.plan.roles(policy, names)
        needs_approval = roles.approves is not None and phase in policy.approval_phases
        approver = roles.approves
        if current_actor().via == AUTOMATION and not policy.automation_speaks:
            # Automation never speaks to customers on its own: a person approves first.
            needs_approval, approver = True, roles.approves or roles.speaks
        return CommsEvent(
            id=key or event_key(event),
            incident_id=incident.id,
            update_id=event.update_id,
            phase=phase.value,
            severity=None if incident.is_maintenance else policy.key,
            created_at=event.at,
            next_update_at=self.next_update_at(policy, incident, phase, event.at),
            approval_role=approver if needs_approval and event.deliver_notifications else None,
        )

    @staticmethod
    def next_update_at(
        policy: Policy, incident: Incident, phase: Phase, at: datetime
    ) -> datetime | None:
        """The time customers are promised the next update (None once it is over)."""
        if phase in FINAL_PHASES or phase not in INCIDENT_PHASES:
            return None
        cadence = policy.cadence_for(incident.status)
        return at + cadence if cadence else None

    async def _enqueue_route(
        self,
        q: Queries,
        recorded: CommsEvent,
        incident: Incident,
        policy: Policy,
        route: Route,
        event: Event,
    ) -> None:
        segment = self.plan.segments[route.segment]
        if segment.customer_facing and not event.deliver_notifications:
            return  # the update asked not to notify; owners still hear about it
        state = OutboxState.HELD if recorded.awaiting_approval else OutboxState.QUEUED
        for channel in route.channels:
            if channel is Channel.PAGE:
                continue  # the page shows every update; nothing to send
            batch = Batch(
                event_id=recorded.id,
                incident_id=incident.id,
                segment=segment.key,
                channel=channel.value,
                template=self._template(policy, Phase(recorded.phase), segment, channel),
                state=state if segment.customer_facing else OutboxState.QUEUED,
                priority=priority(policy, segment.customer_facing),
                now=event.at,
                due=_due(recorded, channel) if segment.customer_facing else None,
            )
            await self._enqueue(q, batch, segment, channel, incident)

    def _template(self, policy: Policy, phase: Phase, segment: Segment, channel: Channel) -> str:
        if segment.kind is SegmentKind.OWNERS:
            return self.plan.template_name(None, INTERNAL_TEMPLATE, channel)
        return self.plan.template_name(policy, phase, channel)

    async def _enqueue(
        self, q: Queries, batch: Batch, segment: Segment, channel: Channel, incident: Incident
    ) -> None:
        if segment.kind is SegmentKind.OWNERS:
            roles = [r for r in segment.owners if channel in self.plan.owners[r].contacts]
            language = await self.page_language(q, channel, batch.template)
            await q.enqueue_recipients(batch, "owner", [(r, language) for r in roles])
        elif segment.kind is SegmentKind.PUBLIC:
            language = await self.page_language(q, channel, batch.template)
            await q.enqueue_recipients(batch, "public", [(SOCIAL_RECIPIENT, language)])
        else:
            audience = await self._audience(q, batch, segment, channel, incident)
            if audience is not None:
                await q.enqueue_subscribers(batch, audience)

    async def _audience(
        self, q: Queries, batch: Batch, segment: Segment, channel: Channel, incident: Incident
    ) -> Audience | None:
        wanted = segment.subscribers
        if wanted.channels and channel not in wanted.channels:
            return None
        component_ids: list[str] = []
        for name in wanted.components:
            found = await q.find_component(name)
            if found is not None:
                component_ids.append(found.id)
        if wanted.components and not component_ids:
            return None  # a segment of components this page does not have reaches nobody
        return Audience(
            affected_component_ids=incident.component_ids,
            tags=wanted.tags,
            component_ids=tuple(component_ids),
            languages=tuple(self.templates.languages(channel, batch.template)),
        )


def _due(recorded: CommsEvent, channel: Channel) -> datetime | None:
    found = recorded.detail.get(DUE, {}).get(channel.value)
    return parse_ts(found) if isinstance(found, str) else None


def _next_due(
    events: list[CommsEvent], channel: Channel, window: timedelta, now: datetime
) -> datetime | None:
    """When an update posted now may reach customers on the channel; None: at once. An
    earlier update still waiting shares its time (the newer one supersedes it); otherwise
    the window runs from when the last one went."""
    times = [_went(e, channel) for e in events if e.phase not in REMINDER_PHASES]
    waiting = [t for t in times if t > now]
    if waiting:
        return max(waiting)
    last = max(times, default=None)
    return last + window if last is not None and now < last + window else None


def _went(event: CommsEvent, channel: Channel) -> datetime:
    found = event.detail.get(DUE, {}).get(channel.value)
    return parse_ts(found) if isinstance(found, str) else event.created_at
