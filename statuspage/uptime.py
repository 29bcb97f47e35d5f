"""Uptime per component per day, from the recorded status changes: pure functions, no I/O.

Time-weighted: a major outage counts fully, a partial outage at 30 %, degraded performance and
maintenance not at all (the Statuspage and Instatus convention). Days are calendar days in the
page's time zone, so a DST day lasts 23 or 25 hours. Backfilled incidents are not in the status
changes; they are overlaid as intervals, and the worse of the two statuses counts.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from statuspage.model import ComponentStatus, StatusChange, worst_status

WEIGHTS = {
    ComponentStatus.MAJOR_OUTAGE: 1.0,
    ComponentStatus.PARTIAL_OUTAGE: 0.3,
}


@dataclass(frozen=True)
class Interval:
    """A span of time with a status: a backfilled incident's hold, or an incident's window."""

    start: datetime
    end: datetime
    status: ComponentStatus


@dataclass(frozen=True)
class Event:
    """An incident or maintenance touching a component, for the per-day tooltips."""

    id: str
    name: str
    start: datetime
    end: datetime | None  # None while still open
    maintenance: bool = False


@dataclass(frozen=True)
class Day:
    """One day of one component (or group). `uptime` is None for "no data"."""

    day: date
    uptime: float | None
    worst: ComponentStatus | None = None
    major_seconds: float = 0.0
    partial_seconds: float = 0.0
    events: tuple[tuple[str, str], ...] = ()  # (id, name) of incidents and maintenance that day
    # Not compared: today's grows with every snapshot, while what is shown may stay the same.
    observed_seconds: float = field(default=0.0, compare=False)

    @property
    def has_data(self) -> bool:
        return self.uptime is not None


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC start and end of a calendar day in `tz` (23 or 25 hours on DST days)."""
    start = datetime.combine(day, time(0), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    return start, end


def local_day(at: datetime, tz: ZoneInfo) -> date:
    return at.astimezone(tz).date()


def day_range(last: date, count: int) -> list[date]:
    """`count` days ending with `last`, oldest first."""
    return [last - timedelta(days=n) for n in range(count - 1, -1, -1)]


def existence_start(created_at: datetime, start_date: date | None, tz: ZoneInfo) -> datetime:
    """When a component's history begins: its start_date (midnight, page time) when set."""
    if start_date is not None:
        return day_bounds(start_date, tz)[0]
    return created_at


def segments(
    changes: Sequence[StatusChange],
    overlays: Iterable[Interval],
    start: datetime,
    end: datetime,
) -> list[Interval]:
    """The status over [start, end): recorded changes, worsened by overlapping overlays.

    `changes` are one component's, in time order. Before its first change a component is
    taken to have held that change's new status (its creation status).
    """
    if end <= start:
        return []
    holds = [o for o in overlays if o.start < end and o.end > start]
    points = {start, end}
    points.update(c.at for c in changes if start < c.at < end)
    for o in holds:
        points.update(p for p in (o.start, o.end) if start < p < end)
    times = [c.at for c in changes]
    out: list[Interval] = []
    for a, b in pairwise(sorted(points)):
        status = _status_at(changes, times, a)
        covering = [o.status for o in holds if o.start <= a < o.end]
        if covering:
            status = worst_status([status, *covering])
        if out and out[-1].status is status and out[-1].end == a:
            out[-1] = Interval(out[-1].start, b, status)
        else:
            out.append(Interval(a, b, status))
    return out


def _status_at(
    changes: Sequence[StatusChange], times: list[datetime], at: datetime
) -> ComponentStatus:
    index = bisect.bisect_right(times, at) - 1
    if index < 0:
        return changes[0].new_status if changes else ComponentStatus.OPERATIONAL
    return changes[index].new_status


def component_days(
    days: Sequence[date],
    tz: ZoneInfo,
    *,
    changes: Sequence[StatusChange],
    overlays: Iterable[Interval] = (),
    events: Iterable[Event] = (),
    begins: datetime,
    now: datetime,
) -> list[Day]:
    """One `Day` per date of `days` (consecutive, oldest first); today counts up to `now`."""
    if not days:
        return []
    window_start, window_end = day_bounds(days[0], tz)[0], day_bounds(days[-1], tz)[1]
    observed_from, observed_to = max(window_start, begins), min(window_end, now)
    spans = segments(changes, overlays, observed_from, observed_to)
    touching = [
        e for e in events if e.start < window_end and (e.end is None or e.end > window_start)
    ]
    out, cursor = [], 0
    for day in days:
        lo, hi = day_bounds(day, tz)
        lo, hi = max(lo, observed_from), min(hi, observed_to)
        if hi <= lo:
            out.append(Day(day, None))
            continue
        while cursor < len(spans) and spans[cursor].end <= lo:
            cursor += 1
        out.append(_one_day(day, lo, hi, _overlapping(spans, cursor, hi), touching))
    return out


def _overlapping(spans: list[Interval], cursor: int, hi: datetime) -> Iterator[Interval]:
    for span in spans[cursor:]:
        if span.start >= hi:
            return
        yield span


def _one_day(
    day: date,
    lo: datetime,
    hi: datetime,
    spans: Iterable[Interval],
    events: Sequence[Event],
) -> Day:
    seconds = {status: 0.0 for status in ComponentStatus}
    for span in spans:
        seconds[span.status] += (min(span.end, hi) - max(span.start, lo)).total_seconds()
    observed = (hi - lo).total_seconds()
    down = sum(seconds[s] * weight for s, weight in WEIGHTS.items())
    seen = [s for s, n in seconds.items() if n > 0]
    named = tuple((e.id, e.name) for e in events if e.start < hi and (e.end is None or e.end > lo))
    return Day(
        day=day,
        uptime=max(0.0, 1.0 - down / observed),
        worst=worst_status(seen),
        major_seconds=seconds[ComponentStatus.MAJOR_OUTAGE],
        partial_seconds=seconds[ComponentStatus.PARTIAL_OUTAGE],
        events=named,
        observed_seconds=observed,
    )


def group_days(children: Sequence[Sequence[Day]]) -> list[Day]:
    """A group's days: each the worst of its children's (lowest uptime, worst status)."""
    if not children:
        return []
    out = []
    for same_day in zip(*children, strict=True):
        known = [d for d in same_day if d.has_data]
        if not known:
            out.append(Day(same_day[0].day, None))
            continue
        worst = min(known, key=lambda d: d.uptime or 0.0)
        events = tuple(dict.fromkeys(e for d in known for e in d.events))
        out.append(
            Day(
                day=worst.day,
                uptime=worst.uptime,
                worst=worst_status(d.worst for d in known if d.worst is not None),
                major_seconds=max(d.major_seconds for d in known),
                partial_seconds=max(d.partial_seconds for d in known),
                events=events,
                observed_seconds=max(d.observed_seconds for d in known),
            )
        )
    return out


def overall(days: Iterable[Day]) -> float | None:
    """The uptime over several days, weighted by how long each was observed."""
    observed = down = 0.0
    for d in days:
        if d.uptime is None:
            continue
        observed += d.observed_seconds
        down += (1.0 - d.uptime) * d.observed_seconds
    return None if observed == 0 else 1.0 - down / observed


@dataclass(frozen=True)
class RangeUptime:
    """One component's uptime over a range of whole days, e.g. for the Manage API."""

    component_id: str
    name: str
    first: date
    last: date
    uptime: float  # 0..1 over the time observed; 1.0 when nothing was observed yet
    major_seconds: float
    partial_seconds: float
    events: tuple[tuple[str, str], ...] = ()  # (id, name) of incidents, oldest first
    warnings: tuple[str, ...] = ()


def over_range(
    component_id: str, name: str, days: Sequence[Day], warnings: Sequence[str] = ()
) -> RangeUptime:
    """Consecutive days of one component taken together (see `component_days`)."""
    figure = overall(days)
    return RangeUptime(
        component_id=component_id,
        name=name,
        first=days[0].day,
        last=days[-1].day,
        uptime=1.0 if figure is None else figure,
        major_seconds=sum(d.major_seconds for d in days),
        partial_seconds=sum(d.partial_seconds for d in days),
        events=tuple(dict.fromkeys(e for d in days for e in d.events)),
        warnings=tuple(warnings),
    )


def percentage(value: float) -> float:
    """Uptime as a percentage with two decimals, rounded down: 0.99996 is 99.99."""
    # Round away float noise first (0.9999 * 10_000 is 9998.999...), then floor.
    return math.floor(round(value * 10_000, 6)) / 100


def percent(value: float | None) -> str:
    """Uptime as people read it: two decimals, rounded down so downtime never shows 100.00 %."""
    if value is None:
        return ""
    return f"{percentage(value):.2f}"
