"""Incident templates: a title, a first update and the components an incident usually concerns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class IncidentTemplate:
    id: str
    name: str
    title: str
    body: str
    created_at: datetime
    updated_at: datetime
    group_id: str | None = None
    update_status: str | None = None
    should_tweet: bool = False
    should_send_notifications: bool = True
    component_ids: tuple[str, ...] = ()
