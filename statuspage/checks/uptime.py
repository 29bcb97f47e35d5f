"""Uptime from check results: a day's uptime is the share of its probes that were not down.

For a component fed by checks, every probe of those checks in the calendar day (page time
zone) counts once: up and degraded probes are uptime, down probes are downtime (degraded
does not count as downtime, as degraded performance does not in the incident-based formula,
statuspage.uptime). A day without probes has no data: the uptime bars keep the
incident-based figure for it (`prefer_probes`). Several days together: each day's share
weighted by how long the day was observed (today: up to now), as `uptime.overall` does, so
these Days stand in for the incident-based ones of a component.

Which components: every one a check feeds (its `components:`), unless the check says
`uptime: incidents` (`uptime_feeds`). The probes are counted per check and day in SQL
(`storage.checks.probe_tallies`); these functions take those `Tally`s. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from statuspage.checks.outcome import Outcome, Tally
from statuspage.checks.spec import CheckSpec
from statuspage.model import Component, ComponentStatus
from statuspage.uptime import Day, day_bounds

WORST = {
    Outcome.UP: ComponentStatus.OPERATIONAL,
    Outcome.DEGRADED: ComponentStatus.DEGRADED_PERFORMANCE,
    Outcome.DOWN: ComponentStatus.MAJOR_OUTAGE,
}
# Component names match ignoring ASCII case, as the store finds them (COLLATE NOCASE).
_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def uptime_feeds(specs: Iterable[CheckSpec]) -> dict[str, tuple[str, ...]]:
    """The checks whose probes give each component's uptime, by the component as the file
    names it (a name or an id): every check feeding it but those with `uptime: incidents`."""
    fed: dict[str, list[str]] = {}
    for spec in specs:
        if spec.uptime_from_probes:
            for component in spec.components:
                fed.setdefault(component, []).append(spec.name)
    return {component: tuple(names) for component, names in fed.items()}


def feeding(
    feeds: Mapping[str, Sequence[str]], components: Iterable[Component]
) -> dict[str, tuple[str, ...]]:
    """`uptime_feeds` by component id: a reference is a component's id or, failing that, its
    name ignoring case; a reference to no component is left out."""
    listed = list(components)
    by_id = {c.id: c.id for c in listed}
    by_name: dict[str, str] = {}
    for c in listed:
        by_name.setdefault(c.name.translate(_FOLD), c.id)
    out: dict[str, dict[str, None]] = {}  # ordered sets: two references to one component
    for ref, names in feeds.items():
        found = by_id.get(ref) or by_name.get(ref.translate(_FOLD))
        if found is not None:
            out.setdefault(found, {}).update(dict.fromkeys(names))
    return {cid: tuple(names) for cid, names in out.items()}


def spans(days: Iterable[date], tz: ZoneInfo) -> dict[date, tuple[datetime, datetime]]:
    """Each day's UTC start and end, as `storage.checks.probe_tallies` takes them."""
    return {d: day_bounds(d, tz) for d in days}


def combined(tallies: Mapping[tuple[str, date], Tally], checks: Iterable[str]) -> dict[date, Tally]:
    """One component's tally per day: the sum of its checks' (`checks` feed it)."""
    wanted = set(checks)
    out: dict[date, Tally] = {}
    for (name, day), tally in tallies.items():
        if name in wanted:
            found = out.get(day)
            out[day] = tally if found is None else found + tally
    return out


def tally_day(day: date, tally: Tally | None, tz: ZoneInfo, now: datetime) -> Day:
    """One day's uptime from its probes (None: no probes, no data)."""
    if tally is None or tally.probes == 0:
        return Day(day, None)
    start, end = day_bounds(day, tz)
    observed = max(0.0, (min(end, now) - start).total_seconds())
    share = (tally.probes - tally.down) / tally.probes
    return Day(day, share, WORST[tally.worst], observed_seconds=observed)


def probe_days(
    tallies: Mapping[date, Tally], days: Sequence[date], tz: ZoneInfo, now: datetime
) -> list[Day]:
    """One Day per date from one component's tallies (see `combined`)."""
    return [tally_day(d, tallies.get(d), tz, now) for d in days]


def prefer_probes(recorded: Sequence[Day], probes: Sequence[Day]) -> list[Day]:
    """A component's days for the uptime bars: each day's uptime from its probes where it
    has some, else from the recorded status changes; the incidents of the day (tooltips)
    and the worse of the two statuses are kept. Used by the published page
    (`site/uptime_view.py`) and the Manage API (`service/admin_uptime.py`) alike."""
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
