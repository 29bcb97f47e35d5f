"""Use cases for built-in checks: store a probe (and settle the check's state), list the
checks' last results, prune old results, and count the probes behind a component's uptime.

A probe is stored in a private transaction (the public page does not change). What a
change of a check's state does to components is not decided here: the checks feed the
alerts rules engine (`statuspage.service.automation`, through
`statuspage.checks.runner.EngineSink`), which records each change with cause "automation",
its rule and its check, and leaves a status a person set by hand alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from statuspage.checks.outcome import CheckResult, CheckState, Probe
from statuspage.checks.spec import CheckSpec
from statuspage.checks.state import Step, step
from statuspage.checks.uptime import combined, probe_days, spans
from statuspage.service.context import ServiceContext
from statuspage.uptime import Day


@dataclass(frozen=True)
class CheckRow:
    """A check's state and last probe, for `checks list`."""

    name: str
    state: CheckState | None
    last: CheckResult | None


class ChecksService:
    """Results and states of the built-in checks."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def record(self, spec: CheckSpec, probe: Probe) -> Step:
        """Store a probe and move the check's state; the step says whether it changed."""
        async with self.ctx.write(public=False) as q:
            now = self.ctx.now()
            await q.add_check_result(CheckResult(spec.name, now, probe))
            previous = await q.get_check_state(spec.name)
            moved = step(previous, spec.name, probe.outcome, spec.retries, now)
            await q.save_check_state(moved.state)
            return moved

    async def rows(self, names: Sequence[str]) -> list[CheckRow]:
        """Each named check's state and last probe (None for a check never probed)."""
        async with self.ctx.read() as q:
            states = await q.list_check_states()
            last = await q.last_check_results()
        return [CheckRow(n, states.get(n), last.get(n)) for n in names]

    async def prune(self, before: datetime) -> int:
        """Delete probe results older than `before`; returns how many."""
        async with self.ctx.write(public=False) as q:
            return await q.prune_check_results(before)

    async def results(
        self, names: Sequence[str], start: datetime, end: datetime
    ) -> list[CheckResult]:
        """The probes of some checks in [start, end), oldest first."""
        async with self.ctx.read() as q:
            return await q.check_results(names, start, end)

    async def probe_days(self, names: Sequence[str], days: Sequence[date]) -> list[Day]:
        """Uptime per day (page time zone) from the probes of some checks taken together:
        the figure the uptime bars use for a component they feed (statuspage.checks.uptime)."""
        tz = ZoneInfo(await self.ctx.time_zone())
        async with self.ctx.read() as q:
            tallies = await q.probe_tallies(spans(days, tz), names)
        return probe_days(combined(tallies, names), days, tz, self.ctx.now())
