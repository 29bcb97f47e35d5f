"""Approvals, and what the comms kit says about one incident (for `incident show` and lists)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from statuspage.comms.cadence import due_at
from statuspage.comms.plan import Plan
from statuspage.errors import Conflict, InvalidInput, NotFound
from statuspage.model import Incident
from statuspage.storage import Store
from statuspage.storage.outbox import CommsEvent


@dataclass(frozen=True)
class Approval:
    event: CommsEvent
    released: int  # held messages now queued (0 when a newer update replaced them)


async def approve(
    store: Store, incident_id: str, by: str, now: datetime, update_id: str | None = None
) -> list[Approval]:
    """Record who approved the incident's held customer messages, and release them."""
    name = " ".join(by.split())
    if not name:
        raise InvalidInput("say who approves: --as NAME")
    async with store.write(public=False) as q:
        incident = await q.get_incident(incident_id.strip())
        if incident is None:
            raise NotFound(f"unknown incident {incident_id!r}; see `statuspage incident list`")
        waiting = [e for e in await q.list_comms_events(incident.id) if e.awaiting_approval]
        if update_id is not None:
            waiting = [e for e in waiting if e.update_id == update_id.strip()]
            if not waiting:
                raise Conflict(f"update {update_id} of incident {incident.id} awaits no approval")
        if not waiting:
            raise Conflict(f"nothing of incident {incident.id} awaits approval")
        return [Approval(e, await q.approve_comms_event(e.id, name, now)) for e in waiting]


@dataclass(frozen=True)
class CommsStatus:
    severity: str | None
    due_at: datetime | None
    awaiting: list[CommsEvent]  # events whose customer messages wait for an approval
    counts: dict[str, int]  # outbox rows of the incident by state


async def incident_status(store: Store, plan: Plan, incident: Incident) -> CommsStatus:
    async with store.read() as q:
        events = await q.list_comms_events(incident.id)
        counts = await q.outbox_state_counts(incident.id)
    return CommsStatus(
        severity=incident.severity,
        due_at=due_at(plan, incident),
        awaiting=[e for e in events if e.awaiting_approval],
        counts=counts,
    )
