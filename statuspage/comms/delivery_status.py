"""What delivery did for one incident (`comms status`), and re-queueing failures
(`comms retry`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from statuspage.errors import InvalidInput, NotFound
from statuspage.model import Incident
from statuspage.storage import Store
from statuspage.storage.delivery_admin import DispatcherLease, FailureCount, StateCount

STATES = ("held", "queued", "sending", "sent", "delivered", "failed", "superseded", "cancelled")
CHANNELS = ("email", "sms", "webhook", "slack", "social")


@dataclass(frozen=True)
class DeliveryStatus:
    incident: Incident
    counts: list[StateCount]
    failures: list[FailureCount]
    dispatcher: DispatcherLease | None
    blocks: list[tuple[str, str, str, str]]
    waits: list[tuple[FailureCount, datetime]] = field(default_factory=list)
    unconfigured: dict[str, str] = field(default_factory=dict)

    def table(self) -> list[tuple[str, str, dict[str, int]]]:
        """(phase, channel, count per state) in the order the phases happened."""
        rows: dict[tuple[str, str], dict[str, int]] = {}
        for c in self.counts:
            rows.setdefault((c.phase, c.channel), dict.fromkeys(STATES, 0))[c.state] = c.count
        return [(phase, channel, counts) for (phase, channel), counts in rows.items()]

    def ambiguous(self) -> int:
        return sum(c.ambiguous for c in self.counts if c.state == "queued")


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
    unconfigured = unconfigured_here
    if lease is not None and lease.expires_at > now:
        unconfigured = dict(lease.notes.get("unconfigured") or {})
    return DeliveryStatus(incident, counts, failures, lease, blocks, waits, unconfigured)


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
                raise NotFound(f"unknown incident {incident_id!r}")
            incident_id = found.id
        return await q.retry_failed(now, incident_id, channel)
