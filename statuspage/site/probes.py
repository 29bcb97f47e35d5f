"""The probes behind the uptime bars, read for each snapshot: each check's probes counted
per day in SQL (`storage.checks.probe_tallies`), kept between snapshots and brought up to
date by what changed, so a republish while 200 checks probe every 30 s reads the few rows
stored since the last one, not the millions kept.

- the first read (or the first with probes, or after the table was emptied and refilled, or
  the page's time zone changed) counts every day the bars can show;
- then only the rows stored since (by id) are counted, into yesterday and today;
- when the local day rolls over, the days since the last read are counted afresh (a probe
  another process stored just after midnight by its clock lands in the right day);
- when old rows were pruned, the days before the oldest row go and its day is recounted.

Which checks feed which component's uptime is `statuspage.checks.uptime.uptime_feeds` of the
automation file; components no check feeds get nothing here (the incident-based figure).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from statuspage.checks.outcome import ProbeMark, Tally
from statuspage.checks.uptime import feeding, spans
from statuspage.model import Component
from statuspage.storage import Queries
from statuspage.uptime import day_range, local_day

# Days of tallies kept: the site shows at most 92 (site.uptime_view.window: 90 days, or the
# last three calendar months).
PROBE_DAYS = 100


@dataclass(frozen=True)
class Probes:
    """One component's probes per day: the sum over the checks feeding its uptime."""

    closed: tuple[tuple[date, Tally], ...]  # days before today, oldest first
    today: Tally | None


class ProbeReader:
    """Keeps each check's tally per local day; one per SnapshotReader."""

    def __init__(self, feeds: Mapping[str, Sequence[str]]) -> None:
        self.feeds = feeds  # component name or id -> the checks giving its uptime
        self._checks = sorted({name for names in feeds.values() for name in names})
        self._wanted = frozenset(self._checks)
        self._days: dict[date, dict[str, Tally]] = {}
        self._mark: ProbeMark | None = None
        self._where: tuple[date, str] | None = None  # today and the time zone of _days
        self._closed_moved = True  # a day before today changed since the last `read`
        self._fed: dict[str, tuple[str, ...]] = {}
        self._out: dict[str, Probes] = {}
        self._out_today: date | None = None  # the day `_out` was summed for

    async def read(
        self, q: Queries, components: Iterable[Component], tz: ZoneInfo, now: datetime
    ) -> tuple[ProbeMark | None, Mapping[str, Probes]]:
        """Where the probes stand, and each fed component's tallies (by component id)."""
        if not self.feeds:
            return None, {}
        mark = await q.probe_mark()
        today = local_day(now, tz)
        await self._refresh(q, mark, tz, today)
        return mark, self._per_component(feeding(self.feeds, components), today)

    async def _refresh(self, q: Queries, mark: ProbeMark, tz: ZoneInfo, today: date) -> None:
        previous, where = self._mark, (today, str(tz))
        oldest_kept = today - timedelta(days=PROBE_DAYS - 1)
        if mark.last_id == 0 or mark.first_at is None:  # no probes at all
            self._moved(self._days.keys())
            self._days = {}
        elif previous is None or not 0 < previous.last_id <= mark.last_id or self._tz_moved(where):
            self._days, self._closed_moved = {}, True  # count everything afresh
            oldest = max(local_day(mark.first_at, tz), oldest_kept)
            await self._recount(q, day_range(today, (today - oldest).days + 1), tz)
        elif self._where is not None and self._where != where:  # the day rolled over
            first = max(min(self._where[0], today - timedelta(days=1)), oldest_kept)
            await self._recount(q, day_range(today, (today - first).days + 1), tz)
        elif mark.last_id > previous.last_id:
            await self._add(q, previous.last_id, [today - timedelta(days=1), today], tz)
        if previous is not None and mark.first_id > previous.first_id and mark.first_at:
            await self._pruned(q, local_day(mark.first_at, tz), tz)
        self._forget_before(oldest_kept)
        self._mark, self._where = mark, where

    def _tz_moved(self, where: tuple[date, str]) -> bool:
        return self._where is not None and self._where[1] != where[1]

    async def _recount(self, q: Queries, days: Sequence[date], tz: ZoneInfo) -> None:
        """Count these days afresh."""
        found = await q.probe_tallies(spans(days, tz), self._checks)
        for day in days:
            self._days.pop(day, None)
        for (name, day), tally in found.items():
            self._days.setdefault(day, {})[name] = tally
        self._moved(days)

    async def _add(self, q: Queries, after_id: int, days: Sequence[date], tz: ZoneInfo) -> None:
        """Add the probes stored after row `after_id` to what these days have."""
        found = await q.probe_tallies_after(after_id, spans(days, tz))
        found = {key: tally for key, tally in found.items() if key[0] in self._wanted}
        for (name, day), tally in found.items():
            tallies = self._days.setdefault(day, {})
            had = tallies.get(name)
            tallies[name] = tally if had is None else had + tally
        self._moved({day for _, day in found})

    async def _pruned(self, q: Queries, oldest: date, tz: ZoneInfo) -> None:
        """Rows before `oldest`'s were deleted (retention): forget them, recount its day."""
        self._forget_before(oldest)
        if oldest in self._days:
            await self._recount(q, [oldest], tz)

    def _forget_before(self, first: date) -> None:
        gone = [day for day in self._days if day < first]
        for day in gone:
            del self._days[day]
        self._moved(gone)

    def _moved(self, days: Iterable[date]) -> None:
        today = self._where[0] if self._where else None
        if any(day != today for day in days):
            self._closed_moved = True

    def _per_component(self, fed: dict[str, tuple[str, ...]], today: date) -> dict[str, Probes]:
        """Each fed component's tallies; the closed days are summed again only when one of
        them (or the day, or the feeds) changed, else the last tuple is reused as it was."""
        rebuild = self._closed_moved or fed != self._fed or self._out_today != today
        out: dict[str, Probes] = {}
        for component_id, names in fed.items():
            before = self._out.get(component_id)
            if rebuild or before is None:
                closed = tuple(
                    (day, total)
                    for day in sorted(self._days)
                    if day < today and (total := _sum(self._days[day], names)) is not None
                )
            else:
                closed = before.closed
            out[component_id] = Probes(closed, _sum(self._days.get(today, {}), names))
        self._fed, self._out, self._out_today, self._closed_moved = fed, out, today, False
        return out


def _sum(tallies: Mapping[str, Tally], names: Iterable[str]) -> Tally | None:
    total: Tally | None = None
    for name in names:
        found = tallies.get(name)
        if found is not None:
            total = found if total is None else total + found
    return total
