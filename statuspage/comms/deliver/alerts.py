"""Telling the owners that delivery itself went wrong (a carrier filters a template).

The alert is a comms event of its own (phase `delivery_alert`) with one row per contact
point of the roles that speak for and are reminded about the incident; its id names the
problem, so each problem is told once.
"""

from __future__ import annotations

from datetime import datetime

from statuspage.comms.deliver.outcomes import Block
from statuspage.comms.plan.schema import Plan
from statuspage.serialize import iso
from statuspage.storage import Queries
from statuspage.storage.outbox import Batch, CommsEvent, OutboxState

ALERT_PHASE = "delivery_alert"
ALERT_TEMPLATE = "delivery_alert"


async def alert_blocked(
    q: Queries, plan: Plan, incident_id: str, block: Block, now: datetime
) -> int:
    """Queue an alert about a blocked template to the incident's owners; rows queued."""
    incident = await q.get_incident(incident_id)
    policy = plan.policy_for(incident) if incident else None
    if incident is None or policy is None:
        return 0
    names = {c.id: c.name for c in await q.list_components()}
    roles = plan.roles(policy, [names[c] for c in incident.component_ids if c in names])
    event = CommsEvent(
        id=f"{incident_id}:{ALERT_PHASE}:{block.channel}:{block.template}:{block.language}",
        incident_id=incident_id,
        update_id=None,
        phase=ALERT_PHASE,
        severity=incident.severity,
        created_at=now,
        detail={"channel": block.channel, "template": block.template,
                "language": block.language, "code": block.code or "", "reason": block.reason,
                "at": iso(now)},
    )  # fmt: skip
    if not await q.add_comms_event(event):
        return 0
    queued = 0
    for role in dict.fromkeys([roles.speaks, roles.reminded]):
        owner = plan.owners.get(role)
        for channel in owner.contacts if owner else ():
            batch = Batch(event.id, incident_id, ALERT_PHASE, channel.value, ALERT_TEMPLATE,
                          OutboxState.QUEUED, 0, now)  # fmt: skip
            queued += await q.enqueue_recipients(batch, "owner", [(role, "en")])
    return queued


def alert_vars(detail: dict[str, object]) -> dict[str, object] | None:
    """The `alert` template variable of a delivery alert (None for other messages)."""
    if "template" not in detail or "reason" not in detail:
        return None
    retry = f"statuspage comms retry --channel {detail.get('channel', '')}"
    return {**detail, "command": retry}
