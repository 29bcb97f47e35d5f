"""Use cases of the comms kit: approving held messages, what comms did for an incident
(`incident show`, `comms status`), sending failed messages again, previewing an update.

Each opens one transaction. The module functions take the store (tests and the bench call
them so); `CommsOpsService` offers them as methods of the service for the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from statuspage.comms.plan.cadence import due_at
from statuspage.comms.plan.schema import Plan
from statuspage.errors import Conflict, InvalidInput, NotFound
from statuspage.model import Incident
from statuspage.service.context import ServiceContext
from statuspage.storage import Queries, Store
from statuspage.storage.delivery_admin import DispatcherLease, FailureCount, StateCount
from statuspage.storage.outbox import CommsEvent

STATES = ("held", "queued", "sending", "sent", "delivered", "failed", "superseded", "cancelled")
CHANNELS = ("email", "sms", "webhook", "slack", "social")

P_co = TypeVar("P_co", covariant=True)
P = TypeVar("P")


@dataclass(frozen=True)
class Approval:
    event: CommsEvent
    released: int  # held messages now queued (0 when a newer update replaced them)


@dataclass(frozen=True)
class CommsStatus:
    severity: str | None
    due_at: datetime | None
    awaiting: list[CommsEvent]  # events whose customer messages wait for an approval
    counts: dict[str, int]  # outbox rows of the incident by state


@dataclass(frozen=True)
class DeliveryStatus:
    incident: Incident
    counts: list[StateCount]
    failures: list[FailureCount]
    dispatcher: DispatcherLease | None
    blocks: list[tuple[str, str, str, str]]
    waits: list[tuple[FailureCount, datetime]] = field(default_factory=list)
    unconfigured: dict[str, str] = field(default_factory=dict)
    skips: list[FailureCount] = field(default_factory=list)  # not sent, and why (not failed)

    def table(self) -> list[tuple[str, str, dict[str, int]]]:
        """(phase, channel, count per state) in the order the phases happened."""
        rows: dict[tuple[str, str], dict[str, int]] = {}
        for c in self.counts:
            rows.setdefault((c.phase, c.channel), dict.fromkeys(STATES, 0))[c.state] = c.count
        return [(phase, channel, counts) for (phase, channel), counts in rows.items()]

    def ambiguous(self) -> int:
        return sum(c.ambiguous for c in self.counts if c.state == "queued")


class Previews(Protocol[P_co]):
    """What previews an incident's messages (statuspage.comms.compose.preview.Previewer)."""

    async def of_incident(
        self, q: Queries, incident: Incident, phase: str | None, now: datetime
    ) -> P_co:
        """Plan the messages of the incident's latest update (or of `phase`) in this
        transaction, which is then rolled back, and show them."""


class _Discard(Exception):  # control flow, not an error
    """Raised inside a transaction to roll back what a preview planned."""


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


async def delivery_status(
    store: Store, incident_id: str, unconfigured_here: dict[str, str], now: datetime
) -> DeliveryStatus:
    """The incident's messages per phase, channel and state, and why some failed.

    Which channels are not configured comes from the running dispatcher when there is one
    (it knows its own environment), else from this process's settings."""
    async with store.read() as q:
        incident = await q.get_incident(incident_id.strip())
        if incident is None:
            raise NotFound(f"unknown incident {incident_id!r}; see `statuspage incident list`")
        counts = await q.delivery_counts(incident.id)
        failures = await q.delivery_failures(incident.id)
        lease = await q.dispatcher_lease()
        blocks = await q.blocks()
        waits = await q.delivery_waits(incident.id)
        skips = await q.delivery_skips(incident.id)
    unconfigured = unconfigured_here
    if lease is not None and lease.expires_at > now:
        unconfigured = dict(lease.notes.get("unconfigured") or {})
    return DeliveryStatus(incident, counts, failures, lease, blocks, waits, unconfigured, skips)


async def retry_failed(
    store: Store, now: datetime, incident_id: str | None, channel: str | None
) -> tuple[dict[str, int], int]:
    """Queue failed messages again (of one incident, else of every open one; of one channel,
    else of all): counts per channel, and the stale ones superseded instead."""
    if channel is not None and channel not in CHANNELS:
        raise InvalidInput(f"unknown channel {channel!r}; one of {', '.join(CHANNELS)}")
    async with store.write(public=False) as q:
        if incident_id is not None:
            found = await q.get_incident(incident_id.strip())
            if found is None:
                raise NotFound(f"unknown incident {incident_id!r}; see `statuspage incident list`")
            incident_id = found.id
        return await q.retry_failed(now, incident_id, channel)


async def preview(
    store: Store, previews: Previews[P], incident_id: str, phase: str | None, now: datetime
) -> P:
    """What the incident's latest update would send now (or as `phase`), stored nowhere:
    the real planner runs in a write transaction that is then rolled back."""
    shown: list[P] = []
    try:
        async with store.write() as q:
            incident = await q.get_incident(incident_id)
            if incident is None:
                raise NotFound(f"unknown incident {incident_id!r}; see `statuspage incident list`")
            shown.append(await previews.of_incident(q, incident, phase, now))
            raise _Discard
    except _Discard:
        return shown[0]


class CommsOps:
    """The comms operations: approving, previewing, delivery status, retries."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def approve_messages(
        self, incident_id: str, by: str, update_id: str | None = None
    ) -> list[Approval]:
        return await approve(self.ctx.store, incident_id, by, self.ctx.now(), update_id)

    async def comms_status(self, plan: Plan, incident: Incident) -> CommsStatus:
        return await incident_status(self.ctx.store, plan, incident)

    async def delivery_status(
        self, incident_id: str, unconfigured_here: dict[str, str]
    ) -> DeliveryStatus:
        return await delivery_status(self.ctx.store, incident_id, unconfigured_here, self.ctx.now())

    async def retry_failed(
        self, incident_id: str | None, channel: str | None
    ) -> tuple[dict[str, int], int]:
        return await retry_failed(self.ctx.store, self.ctx.now(), incident_id, channel)

    async def preview_messages(
        self, previews: Previews[P], incident_id: str, phase: str | None
    ) -> P:
        return await preview(self.ctx.store, previews, incident_id, phase, self.ctx.now())
