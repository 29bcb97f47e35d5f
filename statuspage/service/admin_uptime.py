"""A component's uptime over a range of days, for the Manage API.

The range is resolved and checked here; the figures come from the page's own computation
(`statuspage.uptime.component_days`), fed the same recorded status changes and backfill
overlays as the published page, and for a component built-in checks feed, the same probes
in place of them on the days that have some (`statuspage.checks.uptime.prefer_probes`), so
the API and the page never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from statuspage.checks.uptime import combined, feeding, prefer_probes, probe_days, spans
from statuspage.errors import InvalidInput, NotFound
from statuspage.model import Component, ComponentStatus
from statuspage.service.components import Components
from statuspage.service.context import ServiceContext
from statuspage.storage import Queries
from statuspage.storage.components import ComponentIncident
from statuspage.uptime import (
    Day,
    Event,
    Interval,
    RangeUptime,
    component_days,
    day_bounds,
    day_range,
    existence_start,
    local_day,
    over_range,
)

DEFAULT_DAYS = 90  # Statuspage's default, and the page's uptime bars
MAX_DAYS = 6 * 365 + 2  # six years and their leap days: bounds the work of one request


def resolve_range(
    start: date | None, end: date | None, *, today: date, history: date
) -> tuple[date, date, list[str]]:
    """The first and last day to count, and a warning for each day asked for that moved.

    `history` is the day the component's history begins. By default the range is the 90
    days ending today, beginning no earlier than `history`. An end after today becomes today;
    a start before `history` becomes `history`. Refused (InvalidInput): an end before the
    start, a start after today, a range with no day of history, more than six years.
    """
    if start is not None and end is not None and end < start:
        raise InvalidInput(f"end ({end}) is before start ({start})")
    if start is not None and start > today:
        raise InvalidInput(f"start ({start}) is after today ({today} in the page's time zone)")
    warnings = []
    if end is not None and end > today:
        warnings.append(f"end {end} is after today: range_end is today, {today}, up to now")
    last = min(end or today, today)
    if last < history:
        raise InvalidInput(
            f"the component's history begins on {history} (its creation or start_date); "
            f"the range ends on {last}"
        )
    first = _first_day(start, last, today=today, history=history, warnings=warnings)
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(
            f"the range {first} to {last} is longer than six years ({MAX_DAYS} days); "
            "ask for less at a time"
        )
    return first, last, warnings


def _first_day(
    start: date | None, last: date, *, today: date, history: date, warnings: list[str]
) -> date:
    if start is None:
        first = max(today - timedelta(days=DEFAULT_DAYS - 1), history)
        if last < first:
            raise InvalidInput(
                f"end ({last}) is before the default start ({first}, {DEFAULT_DAYS} days "
                "ago or when the component's history begins); give a start too"
            )
        return first
    if start < history:
        warnings.append(
            f"start {start} is before the component's history begins (its creation or "
            f"start_date): range_start is {history}"
        )
        return history
    return start


class Uptime:
    """A component's uptime over a range of days, for the Manage API."""

    def __init__(
        self,
        ctx: ServiceContext,
        components: Components,
        feeds: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.ctx = ctx
        self.components = components
        # The checks whose probes give a component's uptime, by the component's name or id
        # as the automation file gives it (statuspage.checks.uptime.uptime_feeds).
        self.feeds = feeds or {}

    async def component_uptime(
        self, ref: str, *, start: date | None = None, end: date | None = None
    ) -> RangeUptime:
        """A component's uptime over whole days of the page's time zone; see `resolve_range`.

        Today counts up to now. A component group is refused (NotFound), as on Statuspage,
        where a group's uptime has an endpoint of its own.
        """
        page, now = await self.components.page(), self.ctx.now()
        tz = ZoneInfo(page.time_zone)
        async with self.ctx.read() as q:
            component = await self._uptime_component(q, ref)
            begins = existence_start(component.created_at, component.start_date, tz)
            first, last, warnings = resolve_range(
                start, end, today=local_day(now, tz), history=local_day(begins, tz)
            )
            lo, hi = day_bounds(first, tz)[0], day_bounds(last, tz)[1]
            changes = await q.list_status_changes([component.id])
            incidents = await q.component_incidents(component.id, lo, hi)
            span = day_range(last, (last - first).days + 1)
            probes = await self._probes(q, component, span, tz, now)
        days = component_days(
            span,
            tz,
            changes=changes,
            overlays=_overlays(incidents),
            events=_events(incidents),
            begins=begins,
            now=now,
        )
        days = prefer_probes(days, probes) if probes else days
        return over_range(component.id, component.name, days, warnings)

    async def _probes(
        self, q: Queries, component: Component, span: list[date], tz: ZoneInfo, now: datetime
    ) -> list[Day]:
        """The days' uptime from the probes of the checks feeding the component (none when
        no check feeds it)."""
        if not self.feeds:
            return []
        names = feeding(self.feeds, await q.list_components()).get(component.id)
        if not names:
            return []
        tallies = await q.probe_tallies(spans(span, tz), names)
        return probe_days(combined(tallies, names), span, tz, now)

    async def _uptime_component(self, q: Queries, ref: str) -> Component:
        found = await q.find_component(ref.strip())
        if found is not None:
            return found
        group = await q.find_group(ref.strip())
        if group is None:
            return await self.ctx.component(q, ref)  # refuses, naming the known components
        members = [c.name for c in await q.list_components() if c.group_id == group.id]
        raise NotFound(
            f"{group.name!r} is a component group; uptime is given per component "
            f"(its components: {', '.join(members) or 'none'})"
        )


def _overlays(incidents: Sequence[ComponentIncident]) -> list[Interval]:
    """Backfilled incidents' holds: they recorded no status changes (as on the page)."""
    return [
        Interval(i.started_at, i.resolved_at, i.held)
        for i in incidents
        if i.backfilled and i.resolved_at is not None and i.held is not None
    ]


def _events(incidents: Sequence[ComponentIncident]) -> list[Event]:
    """The incidents to name, each from when it first changed the component's status."""
    return [
        Event(i.id, i.name, i.first_change or i.started_at, i.resolved_at)
        for i in incidents
        if i.first_change is not None or i.held is not ComponentStatus.OPERATIONAL
    ]
