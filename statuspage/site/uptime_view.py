"""Uptime of every component and group over the published window, from a snapshot.

A component's days come from its recorded status changes (statuspage.uptime); for one that
built-in checks feed, each day with probes takes its uptime from them instead
(statuspage.checks.uptime.prefer_probes): one computation for the bars, the uptime pages
and the badges. Closed days only change when their inputs do, so each component's days are
cached with the inputs they came from (its probes of closed days among them); a new
snapshot recomputes today alone for the components whose history did not change. That
keeps a republish fast on a page with years of incidents.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from statuspage.checks.uptime import prefer_probes, probe_days, tally_day
from statuspage.model import Component, Incident, StatusChange
from statuspage.site.probes import Probes
from statuspage.site.snapshot import Snapshot
from statuspage.uptime import (
    WEIGHTS,
    Day,
    Event,
    component_days,
    day_bounds,
    day_range,
    existence_start,
    group_days,
    overall,
    percent,
)

BAR_DAYS = 90
PHONE_DAYS = 30  # the days a narrow screen shows of a bar (style.css hides the others)
CALENDAR_MONTHS = 3


@dataclass(frozen=True)
class Uptime:
    """Days over the whole window (oldest first) and the 90-day figure, for one row.

    `stamp` changes whenever a closed day does; with `today` it says what a rendering of
    these days depends on, cheaply (comparing the days themselves would cost more).
    """

    days: tuple[Day, ...]
    bar: tuple[Day, ...]  # the last 90 days
    figure: float | None  # uptime over the last 90 days
    stamp: Hashable = 0
    recent: float | None = None  # uptime over the last 30 days (what a phone's bar shows)

    def since(self, days: int = BAR_DAYS) -> date | None:
        """The first day with data among the last `days`, when the row is younger than that
        (its captions then say "since 3 Dec"); None when the whole span has data or none does."""
        span = self.bar[-days:]
        if not span or span[0].has_data:
            return None
        return next((d.day for d in span if d.has_data), None)

    @property
    def today(self) -> Day:
        return self.days[-1]


def shown(day: Day) -> tuple[object, ...]:
    """What a page shows of a day: its inputs to a rendering, rounded as displayed."""
    minutes = (round(day.major_seconds / 60), round(day.partial_seconds / 60))
    return (day.day, percent(day.uptime), day.worst, minutes, day.events)


def window(today: date) -> list[date]:
    """The days the site shows: the 90-day bars and the last three calendar months."""
    first_month = today.replace(day=1)
    for _ in range(CALENDAR_MONTHS - 1):
        first_month = (first_month - timedelta(days=1)).replace(day=1)
    start = min(first_month, today - timedelta(days=BAR_DAYS - 1))
    return day_range(today, (today - start).days + 1)


@dataclass(frozen=True)
class _Closed:
    """A row's days before today, computed once per change of their inputs."""

    key: object
    days: tuple[Day, ...]
    stamp: Hashable


class UptimeView:
    """Computes `Uptime` per component and group id, reusing closed days between snapshots."""

    def __init__(self) -> None:
        self._closed: dict[str, _Closed] = {}
        self._index = _EventIndex()
        self._counter = itertools.count(1)
        self._todays: dict[str, Day] = {}

    def compute(self, snap: Snapshot) -> Mapping[str, Uptime]:
        days = window(snap.today)
        events = self._events_by_component(snap)
        out: dict[str, Uptime] = {}
        closed: dict[str, _Closed] = {}
        members: dict[str, list[str]] = {}
        todays: dict[str, Day] = {}
        for c in snap.components:
            closed[c.id], today = self._component(snap, c, days, events.get(c.id, ()))
            todays[c.id] = today  # as recorded: `_today` builds on it
            probes = snap.probes.get(c.id)
            if probes is not None:
                probed = tally_day(snap.today, probes.today, snap.tz, snap.taken_at)
                today = prefer_probes([today], [probed])[0]
            out[c.id] = _uptime(closed[c.id], today)
            if c.group_id is not None:
                members.setdefault(c.group_id, []).append(c.id)
        for g in snap.groups:
            ids = members.get(g.id, [])
            closed[g.id] = self._group(g.id, [closed[i] for i in ids], days)
            merged = group_days([[out[i].today] for i in ids]) or [Day(days[-1], None)]
            out[g.id] = _uptime(closed[g.id], merged[0])
        self._closed, self._todays = closed, todays
        return out

    def _component(
        self, snap: Snapshot, c: Component, days: list[date], events: tuple[Event, ...]
    ) -> tuple[_Closed, Day]:
        begins = existence_start(c.created_at, c.start_date, snap.tz)
        changes, overlays = snap.changes.get(c.id, ()), snap.overlays.get(c.id, ())
        probes = snap.probes.get(c.id)
        closed_probes = probes.closed if probes is not None else None
        key = (begins, changes, overlays, events, days[0], snap.today, snap.page.time_zone,
               closed_probes)  # fmt: skip

        def compute(span: list[date]) -> list[Day]:
            return component_days(
                span,
                snap.tz,
                changes=changes,
                overlays=overlays,
                events=events,
                begins=begins,
                now=snap.taken_at,
            )

        found = self._closed.get(c.id)
        if found is None or found.key != key:
            recorded = _with_probes(snap, compute(days[:-1]), days[:-1], probes)
            found = _Closed(key, tuple(recorded), (c.id, next(self._counter)))
            return found, compute(days[-1:])[0]
        return found, self._today(snap, c.id, changes, begins) or compute(days[-1:])[0]

    def _today(
        self, snap: Snapshot, component_id: str, changes: tuple[StatusChange, ...], begins: datetime
    ) -> Day | None:
        """Today unchanged but longer: no downtime so far and none now (the common case)."""
        previous = self._todays.get(component_id)
        if previous is None or previous.day != snap.today or previous.uptime != 1.0:
            return None
        if changes and changes[-1].new_status in WEIGHTS:
            return None
        start, end = day_bounds(snap.today, snap.tz)
        observed = (min(end, snap.taken_at) - max(start, begins)).total_seconds()
        return replace(previous, observed_seconds=max(0.0, observed))

    def _group(self, group_id: str, children: list[_Closed], days: list[date]) -> _Closed:
        key = tuple(child.stamp for child in children)
        found = self._closed.get(group_id)
        if found is None or found.key != key:
            merged = group_days([child.days for child in children])
            merged = merged or [Day(d, None) for d in days[:-1]]
            found = _Closed(key, tuple(merged), (group_id, next(self._counter)))
        return found

    def _events_by_component(self, snap: Snapshot) -> Mapping[str, tuple[Event, ...]]:
        return self._index.update(snap)


class _EventIndex:
    """Incidents and maintenance per component (for tooltips), updated for what changed."""

    def __init__(self) -> None:
        self.day: date | None = None
        self._reset()

    def _reset(self) -> None:
        self.versions: Mapping[str, str] = {}
        self.placed: dict[str, tuple[str, ...]] = {}  # incident id -> its components
        self.lists: dict[str, dict[str, Event]] = {}  # component id -> incident id -> event
        self.out: dict[str, tuple[Event, ...]] = {}

    def update(self, snap: Snapshot) -> Mapping[str, tuple[Event, ...]]:
        if self.day != snap.today:  # the window moved: start afresh once a day
            self._reset()
            self.day = snap.today
        current = snap.versions
        changed = {i for i, v in current.items() if self.versions.get(i) != v}
        changed |= self.versions.keys() - current.keys()
        if not changed:
            return self.out
        start = snap.taken_at - timedelta(days=BAR_DAYS + 40)
        touched: set[str] = set()
        for incident_id in changed:
            for component_id in self.placed.pop(incident_id, ()):
                self.lists[component_id].pop(incident_id, None)
                touched.add(component_id)
        for incident in snap.incidents:
            if incident.id in changed and _shown(incident, start):
                self.placed[incident.id] = incident.component_ids
                for component_id in incident.component_ids:
                    self.lists.setdefault(component_id, {})[incident.id] = _event(incident)
                    touched.add(component_id)
        for component_id in touched:
            events = self.lists.get(component_id, {}).values()
            self.out[component_id] = tuple(sorted(events, key=lambda e: (e.start, e.id)))
        self.versions = current
        return self.out


def _shown(incident: Incident, start: datetime) -> bool:
    """Whether an incident belongs in the tooltips of the window beginning at `start`."""
    if incident.resolved_at is not None and incident.resolved_at < start:
        return False
    return not (incident.is_maintenance and incident.status in ("scheduled", "cancelled"))


def _event(incident: Incident) -> Event:
    return Event(
        incident.id,
        incident.name,
        incident.started_at,
        incident.resolved_at,
        incident.is_maintenance,
    )


def _with_probes(
    snap: Snapshot, recorded: list[Day], days: list[date], probes: Probes | None
) -> list[Day]:
    """Closed days with their uptime from probes where the component has some."""
    if probes is None or not probes.closed:
        return recorded
    return prefer_probes(recorded, probe_days(dict(probes.closed), days, snap.tz, snap.taken_at))


def _uptime(closed: _Closed, today: Day) -> Uptime:
    days = (*closed.days, today)
    bar = days[-BAR_DAYS:]
    return Uptime(days, bar, overall(bar), closed.stamp, overall(bar[-PHONE_DAYS:]))
