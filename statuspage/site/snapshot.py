"""The read model: one immutable snapshot per change, built from one read transaction.

Every public artifact is rendered from a Snapshot. A SnapshotReader keeps what it read last
time and rereads only incidents whose fingerprint changed and status changes it has not seen,
so a snapshot of a page with thousands of past incidents costs a few milliseconds.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from types import MappingProxyType
from zoneinfo import ZoneInfo

from statuspage.checks.outcome import ProbeMark
from statuspage.errors import NotFound
from statuspage.events import Clock, utcnow
from statuspage.model import (
    ACTIVE_MAINTENANCE,
    Component,
    Group,
    Incident,
    MaintenanceStatus,
    Page,
    PageStatus,
    StatusChange,
    page_status,
)
from statuspage.site.probes import ProbeReader, Probes
from statuspage.storage import Queries, Store
from statuspage.storage.convert import parse_ts
from statuspage.storage.public import IncidentFingerprint
from statuspage.uptime import Interval


@dataclass(frozen=True)
class Snapshot:
    """Everything the public site shows, as of one revision and one instant."""

    revision: int
    taken_at: datetime
    page: Page
    groups: tuple[Group, ...]
    components: tuple[Component, ...]  # page order, groups' members together
    incidents: tuple[Incident, ...]  # incidents and maintenance, newest first
    versions: Mapping[str, str]  # incident id -> fingerprint: changes when the incident does
    changes: Mapping[str, tuple[StatusChange, ...]]  # component id -> its changes, time order
    overlays: Mapping[str, tuple[Interval, ...]] = field(default_factory=dict)  # backfills
    incidents_version: int = 0  # the same number means the same incidents and versions
    # Components whose uptime built-in checks give: their probes per day (site.probes).
    probes: Mapping[str, Probes] = field(default_factory=dict)
    probe_mark: ProbeMark | None = None  # where the probes stood (None: no check feeds uptime)

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.page.time_zone)

    @cached_property
    def today(self) -> date:
        return self.taken_at.astimezone(self.tz).date()

    @cached_property
    def status(self) -> PageStatus:
        return page_status(self.components, self.open_items)

    @cached_property
    def component_by_id(self) -> Mapping[str, Component]:
        return {c.id: c for c in self.components}

    @cached_property
    def open_items(self) -> tuple[Incident, ...]:
        return tuple(i for i in self.incidents if i.is_open)

    @cached_property
    def unresolved(self) -> tuple[Incident, ...]:
        """Open incidents (not maintenance), newest first."""
        return tuple(i for i in self.open_items if not i.is_maintenance)

    @cached_property
    def maintenances(self) -> tuple[Incident, ...]:
        return tuple(i for i in self.incidents if i.is_maintenance)

    @cached_property
    def active_maintenance(self) -> tuple[Incident, ...]:
        return tuple(m for m in self.maintenances if m.status in ACTIVE_MAINTENANCE)

    @cached_property
    def upcoming_maintenance(self) -> tuple[Incident, ...]:
        """Scheduled maintenance, soonest first."""
        found = [m for m in self.maintenances if m.status == MaintenanceStatus.SCHEDULED]
        return tuple(sorted(found, key=lambda m: m.scheduled_for or m.started_at))

    @cached_property
    def updated_at(self) -> datetime:
        """When anything shown last changed."""
        stamps = [self.page.updated_at]
        stamps += [c.updated_at for c in self.components] + [g.updated_at for g in self.groups]
        stamps += [i.updated_at for i in self.incidents[:50]]
        stamps += [i.updated_at for i in self.open_items]
        return max(stamps)

    def next_deadline(self) -> datetime | None:
        """The next scheduled start or end of a maintenance window after this snapshot."""
        times = [
            t
            for m in self.maintenances
            if m.is_open
            for t in (m.scheduled_for, m.scheduled_until)
            if t is not None and t > self.taken_at
        ]
        return min(times, default=None)


# Incidents are reread by change time, with a margin for clocks of other processes; a full
# scan (which notices deletions, and an incident deleted and another added between two polls)
# runs whenever a count shrinks, and at least this often.
CLOCK_MARGIN = timedelta(minutes=10)
FULL_SCAN_EVERY = 30.0


class SnapshotReader:
    """Reads snapshots, rereading only what changed since the previous one (one per process)."""

    def __init__(
        self,
        store: Store,
        clock: Clock = utcnow,
        uptime_feeds: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.probes = ProbeReader(uptime_feeds or {})
        self._incidents: dict[str, Incident] = {}
        self._versions: dict[str, str] = {}
        self._order: tuple[Incident, ...] | None = None
        self._generation = 0  # grows whenever `incidents` or `versions` change
        self._versions_view: Mapping[str, str] | None = None
        self._prints: dict[str, IncidentFingerprint] = {}
        self._sort_keys: dict[str, tuple[Incident, tuple[float, float]]] = {}
        self._overlay_cache: Mapping[str, tuple[Interval, ...]] | None = None
        self._mark: tuple[object, ...] = ()
        self._full_at = 0.0
        self._rows: dict[str, list[tuple[datetime, int, StatusChange]]] = {}
        self._known = 0
        self._last_id = 0
        self._changes: dict[str, tuple[StatusChange, ...]] = {}

    async def read(self) -> Snapshot:
        """A fresh snapshot from one read transaction."""
        async with self.store.read() as q:
            revision = await q.current_revision()
            page = await q.get_page()
            if page is None:
                raise NotFound("the database has no page yet; run `statuspage init`")
            groups, components = await q.list_groups(), await q.list_components()
            await self._refresh_incidents(q)
            await self._refresh_changes(q)
            taken_at = self.clock()
            mark, probes = await self.probes.read(q, components, ZoneInfo(page.time_zone), taken_at)
        incidents = self._sorted_incidents()
        return Snapshot(
            revision=revision,
            taken_at=taken_at,
            page=page,
            groups=tuple(groups),
            components=tuple(components),
            incidents=incidents,
            incidents_version=self._generation,
            versions=self._frozen_versions(),
            changes={c.id: self._changes.get(c.id, ()) for c in components},
            overlays=self._overlays(),
            probes=probes,
            probe_mark=mark,
        )

    async def _refresh_incidents(self, q: Queries) -> None:
        """Reread the incidents whose fingerprint changed (none when the watermark did not)."""
        mark = await q.incident_watermark()
        if mark == self._mark:
            return
        previous = self._mark or (0, None, 0, None, 0)
        shrank = any(_count(mark[i]) < _count(previous[i]) for i in (0, 2, 4))
        latest = _earliest(previous)
        full = latest is None or shrank or time.monotonic() - self._full_at > FULL_SCAN_EVERY
        since = None if full or latest is None else latest - CLOCK_MARGIN
        prints = {p.id: p for p in await q.incident_fingerprints(since)}
        gone = self._incidents.keys() - prints.keys() if full else set()
        for incident_id in gone:
            del self._incidents[incident_id], self._versions[incident_id]
            self._prints.pop(incident_id, None)
        stale = [p.id for p in prints.values() if self._versions.get(p.id) != p.version]
        for incident in await q.incidents_by_id(stale) if stale else []:
            self._incidents[incident.id] = incident
            self._versions[incident.id] = prints[incident.id].version
            self._prints[incident.id] = prints[incident.id]
        if stale or gone:
            self._order, self._versions_view = None, None
            self._generation += 1
        if any(prints[i].backfilled for i in stale) or gone:
            self._overlay_cache = None
        self._mark = mark
        if full:
            self._full_at = time.monotonic()

    def _frozen_versions(self) -> Mapping[str, str]:
        if self._versions_view is None:
            self._versions_view = MappingProxyType(dict(self._versions))
        return self._versions_view

    def _overlays(self) -> Mapping[str, tuple[Interval, ...]]:
        if self._overlay_cache is None:
            self._overlay_cache = _overlays(self._prints.values(), self._incidents)
        return self._overlay_cache

    def _sorted_incidents(self) -> tuple[Incident, ...]:
        if self._order is None:
            keys = self._sort_keys
            for incident in self._incidents.values():
                if incident.id not in keys or keys[incident.id][0] is not incident:
                    keys[incident.id] = (incident, _newest_first(incident))
            for gone in keys.keys() - self._incidents.keys():
                del keys[gone]
            ordered = sorted(keys.values(), key=lambda entry: entry[1])
            self._order = tuple(incident for incident, _ in ordered)
        return self._order

    async def _refresh_changes(self, q: Queries) -> None:
        log = await q.status_change_log(self._last_id, self._known)
        if log.after_id != self._last_id:  # rows were deleted: start afresh
            self._rows, self._changes, self._known = {}, {}, 0
        touched = set()
        for row_id, change in log.rows:
            self._rows.setdefault(change.component_id, []).append((change.at, row_id, change))
            touched.add(change.component_id)
        self._known += len(log.rows)
        self._last_id = log.last_id
        for component_id in touched:
            rows = sorted(self._rows[component_id], key=lambda r: (r[0], r[1]))
            self._rows[component_id] = rows
            self._changes[component_id] = tuple(c for _, _, c in rows)


def _newest_first(incident: Incident) -> tuple[float, float]:
    return (-incident.listed_at.timestamp(), -incident.created_at.timestamp())


def _count(value: object) -> int:
    return int(value) if isinstance(value, int) else 0


def _earliest(mark: tuple[object, ...]) -> datetime | None:
    """The older of the latest incident change and the latest update change of a watermark."""
    if mark[1] is None or mark[3] is None:
        return None
    return min(parse_ts(str(mark[1])), parse_ts(str(mark[3])))


def _overlays(
    prints: Iterable[IncidentFingerprint], incidents: Mapping[str, Incident]
) -> Mapping[str, tuple[Interval, ...]]:
    """Backfilled incidents as intervals per component (they have no recorded changes)."""
    out: dict[str, list[Interval]] = {}
    for p in prints:
        incident = incidents.get(p.id)
        if not p.backfilled or incident is None or incident.resolved_at is None:
            continue
        for component_id, status in p.holds:
            interval = Interval(incident.started_at, incident.resolved_at, status)
            out.setdefault(component_id, []).append(interval)
    return {cid: tuple(sorted(v, key=lambda o: o.start)) for cid, v in out.items()}
