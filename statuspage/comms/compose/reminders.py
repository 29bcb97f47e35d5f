"""Reminders: telling the owners when an incident's update is late.

Once an incident's next update is due (statuspage.comms.plan.cadence), the tick reminds the
role the plan names as `reminded` on every contact point it has; after each further
`escalate_after` interval it reminds that role again together with its backup. Each
reminder is a comms event whose id names the incident, the due time and the step, so a step
is never sent twice; posting an update moves the due time on and supersedes reminders not
yet sent. The tick also queues the "maintenance starts soon" messages.
"""

from __future__ import annotations

from datetime import datetime

from statuspage.comms.compose.fanout import Planner
from statuspage.comms.plan.cadence import due_at
from statuspage.comms.plan.schema import REMINDER_TEMPLATE, Phase, Plan, Policy
from statuspage.events import Event, Notice
from statuspage.model import Incident, Kind
from statuspage.serialize import iso
from statuspage.storage import Queries
from statuspage.storage.convert import ts
from statuspage.storage.outbox import Batch, CommsEvent, OutboxState

REMINDER_SEGMENT = "reminder"


class Reminders:
    def __init__(self, plan: Plan, planner: Planner) -> None:
        self.plan = plan
        self.planner = planner

    async def tick(self, q: Queries, now: datetime) -> list[Notice]:
        """Send the reminders and the 'maintenance starts soon' messages that are due."""
        notices: list[Notice] = []
        for incident in await q.list_incidents(Kind.INCIDENT, open_only=True):
            notice = await self._remind(q, incident, now)
            if notice is not None:
                notices.append(notice)
        for maintenance in await q.list_incidents(Kind.MAINTENANCE, statuses=["scheduled"]):
            notice = await self._starting_soon(q, maintenance, now)
            if notice is not None:
                notices.append(notice)
        return notices

    async def _remind(self, q: Queries, incident: Incident, now: datetime) -> Notice | None:
        due = due_at(self.plan, incident)
        policy = self.plan.policy_for(incident)
        if due is None or policy is None or now < due:
            return None
        interval = policy.escalate_after or policy.cadence_for(incident.status)
        step = int((now - due) / interval) if interval else 0
        names = await self.planner.component_names(q, incident)
        reminded = self.plan.roles(policy, names).reminded
        backup = self.plan.owners[reminded].backup
        roles = [reminded, backup] if step >= 1 and backup else [reminded]
        event = self._event(incident, policy, due, step, reminded, backup, now)
        if not await q.add_comms_event(event):
            return None  # this step was already sent
        channels = await self._enqueue(q, event, roles, now)
        await q.supersede_pending(event.id, incident.id, now)
        who = " and ".join(self.plan.owners[r].label for r in roles)
        late = int((now - due).total_seconds() // 60)
        verb = "escalated to" if step >= 1 else "reminded"
        via = ", ".join(channels) or "no contact point"
        return Notice(incident.id, f"{verb} {who} ({via}): update {late} min overdue")

    def _event(
        self,
        incident: Incident,
        policy: Policy,
        due: datetime,
        step: int,
        reminded: str,
        backup: str,
        now: datetime,
    ) -> CommsEvent:
        owners = self.plan.owners
        return CommsEvent(
            id=f"{incident.id}:reminder:{ts(due)}:{step}",
            incident_id=incident.id,
            update_id=None,
            phase=(Phase.ESCALATION if step >= 1 else Phase.REMINDER).value,
            severity=policy.key,
            created_at=now,
            detail={
                "due_at": iso(due),
                "step": step,
                "escalated": step >= 1,
                "role": reminded,
                "role_label": owners[reminded].label,
                "backup": backup,
                "backup_label": owners[backup].label if backup in owners else "",
            },
        )

    async def _enqueue(
        self, q: Queries, event: CommsEvent, roles: list[str], now: datetime
    ) -> list[str]:
        channels: list[str] = []
        for role in roles:
            for channel in self.plan.owners[role].contacts:
                batch = Batch(
                    event_id=event.id,
                    incident_id=event.incident_id,
                    segment=REMINDER_SEGMENT,
                    channel=channel.value,
                    template=self.plan.template_name(None, REMINDER_TEMPLATE, channel),
                    state=OutboxState.QUEUED,
                    priority=0,
                    now=now,
                )
                language = await self.planner.page_language(q, channel, batch.template)
                await q.enqueue_recipients(batch, "owner", [(role, language)])
                channels.append(channel.value)
        return list(dict.fromkeys(channels))

    async def _starting_soon(self, q: Queries, m: Incident, now: datetime) -> Notice | None:
        start = m.scheduled_for
        if start is None or not (start - self.plan.starting_soon <= now < start):
            return None
        key = f"{m.id}:{Phase.MAINTENANCE_STARTING_SOON.value}:{ts(start)}"
        event = Event(Phase.MAINTENANCE_STARTING_SOON.value, m.id, None, now)
        planned = await self.planner.plan_event(q, event, key=key)
        if planned is None:
            return None
        return Notice(m.id, f"maintenance starts at {iso(start)}: 'starting soon' queued")
