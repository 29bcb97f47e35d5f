"""Cadence: when each open incident owes its next update.

An incident's next update is due one cadence interval (of its severity and status) after
its latest update; `statuspage.comms.compose.reminders` reminds its owners once it is late.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from statuspage.comms.plan.schema import Plan
from statuspage.model import Incident


def due_at(plan: Plan, incident: Incident) -> datetime | None:
    """When an open incident's next update is due; None when no cadence applies."""
    if incident.is_maintenance or not incident.is_open or not incident.updates:
        return None
    policy = plan.policy_for(incident)
    cadence = policy.cadence_for(incident.status) if policy else None
    if cadence is None:
        return None
    return incident.updates[0].created_at + cadence


def by_urgency(plan: Plan, incidents: Iterable[Incident], now: datetime) -> list[Incident]:
    """Overdue incidents first, the most overdue first; the rest keep their order."""
    listed = list(incidents)
    dues = {i.id: due_at(plan, i) for i in listed}
    overdue = [i for i in listed if (d := dues[i.id]) is not None and d <= now]
    overdue.sort(key=lambda i: dues[i.id] or now)
    return overdue + [i for i in listed if i not in overdue]
