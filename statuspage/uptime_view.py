"""Uptime of every component and group over the published window, from a snapshot.

Closed days only change when their inputs do, so each component's days are cached with the
inputs they came from; a new snapshot recomputes today alone for the components whose
history did not change. That keeps a republish fast on a page with years of incidents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from statuspage.model import Component, Incident
from statuspage.snapshot import Snapshot
from statuspage.uptime import (
    Day,
    Event,
    component_days,
    day_range,
    existence_start,
    group_days,
    overall,
)

BAR_DAYS = 90
CALENDAR_MONTHS = 3


@dataclass(frozen=True)
class Uptime:
    """Days over the whole window (oldest first) and the 90-day figure, for one row."""

    days: tuple[Day, ...]
    bar: tuple[Day, ...]  # the last 90 days
    figure: float | None  # uptime over the last 90 days


def window(today: date) -> list[date]:
    """The days the site shows: the 90-day bars and the last three calendar months."""
    first_month = today.replace(day=1)
    for _ in range(CALENDAR_MONTHS - 1):
        first_month = (first_month - timedelta(days=1)).replace(day=1)
    start = min(first_month, today - timedelta(days=BAR_DAYS - 1))
    return day_range(today, (today - start).days + 1)


class UptimeView:
    """Computes `Uptime` per component and group id, reusing closed days between snapshots."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[object, list[Day]]] = {}
        self._events: dict[tuple[str, str], Event] = {}
        self._groups: dict[str, tuple[object, Uptime]] = {}

    def compute(self, snap: Snapshot) -> Mapping[str, Uptime]:
        days = window(snap.today)
        events = self._events_by_component(snap)
        out: dict[str, Uptime] = {}
        children: dict[str, list[list[Day]]] = {}
        for c in snap.components:
            computed = self._component(snap, c, days, events.get(c.id, ()))
            out[c.id] = _uptime(computed)
            if c.group_id is not None:
                children.setdefault(c.group_id, []).append(computed)
        self._cache = {k: v for k, v in self._cache.items() if k in out}
        groups: dict[str, tuple[object, Uptime]] = {}
        for g in snap.groups:
            members = tuple(tuple(days) for days in children.get(g.id, []))
            cached = self._groups.get(g.id)
            if cached is None or cached[0] != members:
                found = group_days(members) or [Day(d, None) for d in days]
                cached = (members, _uptime(found))
            groups[g.id] = cached
            out[g.id] = cached[1]
        self._groups = groups
        return out

    def _component(
        self, snap: Snapshot, c: Component, days: list[date], events: tuple[Event, ...]
    ) -> list[Day]:
        begins = existence_start(c.created_at, c.start_date, snap.tz)
        changes, overlays = snap.changes.get(c.id, ()), snap.overlays.get(c.id, ())
        key = (begins, changes, overlays, events, days[0], snap.today, snap.page.time_zone)
        cached = self._cache.get(c.id)
        if cached is not None and cached[0] == key:
            today = days[-1:]
        else:
            cached, today = (key, []), days
        fresh = component_days(
            today,
            snap.tz,
            changes=changes,
            overlays=overlays,
            events=events,
            begins=begins,
            now=snap.taken_at,
        )
        computed = cached[1][: len(days) - len(today)] + fresh
        self._cache[c.id] = (key, computed)
        return computed

    def _events_by_component(self, snap: Snapshot) -> dict[str, tuple[Event, ...]]:
        start = snap.taken_at - timedelta(days=BAR_DAYS + 40)
        out: dict[str, list[Event]] = {}
        used: dict[tuple[str, str], Event] = {}
        for incident in snap.incidents:
            if incident.resolved_at is not None and incident.resolved_at < start:
                continue
            if incident.is_maintenance and incident.status in ("scheduled", "cancelled"):
                continue
            key = (incident.id, snap.versions.get(incident.id, ""))
            event = self._events.get(key) or _event(incident)
            used[key] = event
            for component_id in incident.component_ids:
                out.setdefault(component_id, []).append(event)
        self._events = used
        return {cid: tuple(sorted(evs, key=lambda e: e.start)) for cid, evs in out.items()}


def _event(incident: Incident) -> Event:
    return Event(
        incident.id,
        incident.name,
        incident.started_at,
        incident.resolved_at,
        incident.is_maintenance,
    )


def _uptime(days: Sequence[Day]) -> Uptime:
    bar = tuple(days[-BAR_DAYS:])
    return Uptime(tuple(days), bar, overall(bar))
