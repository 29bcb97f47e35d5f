"""Uptime from check results: a day's uptime is the share of its probes that were not down.

For a component fed by checks, every probe of those checks in the calendar day (page time
zone) counts once: up and degraded probes are uptime, down probes are downtime (degraded
does not count as downtime, as degraded performance does not in the incident-based formula,
statuspage.uptime). A day without probes has no data. Several days together: each day's
share weighted by how long the day was observed (today: up to now), as `uptime.overall`
does, so these Days can stand in for the incident-based ones of a component. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from statuspage.checks.outcome import CheckResult, Outcome
from statuspage.model import ComponentStatus
from statuspage.uptime import Day, day_bounds, local_day

WORST = {
    Outcome.UP: ComponentStatus.OPERATIONAL,
    Outcome.DEGRADED: ComponentStatus.DEGRADED_PERFORMANCE,
    Outcome.DOWN: ComponentStatus.MAJOR_OUTAGE,
}


def probe_share(results: Iterable[CheckResult]) -> float | None:
    """The share of probes that were not down; None when there are none."""
    total = down = 0
    for r in results:
        total += 1
        down += r.probe.outcome is Outcome.DOWN
    return None if total == 0 else (total - down) / total


def probe_days(
    results: Sequence[CheckResult], days: Sequence[date], tz: ZoneInfo, now: datetime
) -> list[Day]:
    """One Day per date from the probes (of one component's checks) in it."""
    by_day: dict[date, list[CheckResult]] = {}
    for r in results:
        by_day.setdefault(local_day(r.at, tz), []).append(r)
    return [_day(d, by_day.get(d, []), tz, now) for d in days]


def _day(day: date, results: list[CheckResult], tz: ZoneInfo, now: datetime) -> Day:
    share = probe_share(results)
    if share is None:
        return Day(day, None)
    start, end = day_bounds(day, tz)
    worst = max((r.probe.outcome for r in results), key=lambda o: o.rank)
    observed = max(0.0, (min(end, now) - start).total_seconds())
    return Day(day, share, WORST[worst], observed_seconds=observed)


def prefer_probes(recorded: Sequence[Day], probes: Sequence[Day]) -> list[Day]:
    """A component's days for the uptime bars: each day's uptime from its probes where it
    has some, else from the recorded status changes; the incidents of the day (tooltips)
    and the worse of the two statuses are kept. The seam for `site/uptime_view.py`."""
    by_day = {d.day: d for d in probes if d.uptime is not None}
    out = []
    for day in recorded:
        probed = by_day.get(day.day)
        if probed is None:
            out.append(day)
            continue
        worst = max(
            (s for s in (day.worst, probed.worst) if s is not None),
            key=lambda s: s.rank,
            default=None,
        )
        observed = day.observed_seconds if day.uptime is not None else probed.observed_seconds
        out.append(replace(day, uptime=probed.uptime, worst=worst, observed_seconds=observed))
    return out
