"""What automation keeps about each alert it follows, and about statuses people hold."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from statuspage.model import ComponentStatus


class AlertState(StrEnum):
    PENDING = "pending"  # firing, waiting out the rule's `for`
    FIRING = "firing"  # applied to the component
    RESOLVING = "resolving"  # resolved, still applied until the rule's `hold_down` is over

    @property
    def applies(self) -> bool:
        return self is not AlertState.PENDING


@dataclass(frozen=True)
class AlertRow:
    """One alert on one component."""

    source: str
    fingerprint: str
    component_id: str
    rule: str
    status: ComponentStatus
    state: AlertState
    first_seen_at: datetime
    updated_at: datetime
    alertname: str = ""
    severity: str = ""
    summary: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    due_at: datetime | None = None
    incident_id: str | None = None


@dataclass(frozen=True)
class Hold:
    """A status a person set by hand; automation leaves the component alone while it lasts."""

    component_id: str
    status: ComponentStatus
    held_at: datetime
    held_by: str
