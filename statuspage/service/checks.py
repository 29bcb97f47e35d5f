"""Use cases for built-in checks: store a probe (and settle the check's state), apply a
check's signal to a component, list the checks' last results, prune old results, and read
the probes behind a component's uptime.

A probe is stored in a private transaction (the public page does not change); a signal is
applied in a public one made as the actor "check:NAME" (via check), so the audit log says
which check changed what. Each status change a check makes is recorded in status_changes
and, with its check, in check_changes. A component whose latest change is not a check's
(a person set it, or an incident or maintenance did) is left alone while it is not
operational: checks never overwrite what a person decided.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from statuspage.audit import Actor, acting_as
from statuspage.checks.outcome import CheckResult, CheckState, Probe
from statuspage.checks.signals import Signal
from statuspage.checks.spec import CheckSpec
from statuspage.checks.state import Step, step
from statuspage.checks.uptime import probe_days
from statuspage.model import ChangeCause, ComponentStatus, worst_status
from statuspage.service.context import ServiceContext
from statuspage.uptime import Day, day_bounds

VIA = "check"


def check_actor(name: str, action: str) -> Actor:
    return Actor(f"check:{name}", VIA, f"server@{socket.gethostname()}", action)


@dataclass(frozen=True)
class Applied:
    """What applying one signal did to its component."""

    component: str
    old: ComponentStatus | None
    new: ComponentStatus | None
    held: bool = False  # a person (or an incident) set the status: left alone
    unknown: bool = False  # no such component

    @property
    def changed(self) -> bool:
        return self.old is not None and self.new is not None and self.old is not self.new


@dataclass(frozen=True)
class CheckRow:
    """A check's state and last probe, for `checks list`."""

    name: str
    state: CheckState | None
    last: CheckResult | None


class ChecksService:
    """Results, states and component changes of the built-in checks."""

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

    async def apply(self, signal: Signal) -> Applied:
        """Follow one check's signal on its component; the worst failing check wins."""
        action = f"check {signal.check} {signal.outcome.value}"
        with acting_as(check_actor(signal.check, action)):
            async with self.ctx.write() as q:
                component = await q.find_component(signal.component.strip())
                if component is None:
                    return Applied(signal.component, None, None, unknown=True)
                if signal.firing and signal.status is not None:
                    await q.hold_for_check(signal.check, component.id, signal.status, signal.at)
                else:
                    await q.release_check_hold(signal.check, component.id)
                wanted = worst_status((await q.check_holds(component.id)).values())
                current = component.status
                if wanted is current:
                    return Applied(component.name, current, current)
                free = current is ComponentStatus.OPERATIONAL or bool(
                    await q.last_change_by_check(component.id)
                )
                if not free:
                    return Applied(component.name, current, current, held=True)
                await self.ctx.apply_status(q, component, wanted, ChangeCause.MANUAL)
                await q.mark_check_change(component.id, signal.check, signal.outcome)
                return Applied(component.name, current, wanted)

    async def stale_holds(self, specs: Sequence[CheckSpec]) -> list[tuple[str, str]]:
        """(check, component name) held by a check that is no longer defined, or that no
        longer feeds that component: their holds are to be let go."""
        async with self.ctx.read() as q:
            fed: set[tuple[str, str]] = set()
            for spec in specs:
                for ref in spec.components:
                    found = await q.find_component(ref.strip())
                    if found is not None:
                        fed.add((spec.name, found.id))
            stale = [h for h in await q.all_check_holds() if h not in fed]
            names = {c.id: c.name for c in await q.list_components()}
        return [(check, names.get(component_id, component_id)) for check, component_id in stale]

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
        """Uptime per day (page time zone) from the probes of some checks: the figure the
        uptime bars can use for a component that has checks (statuspage.checks.uptime)."""
        tz = ZoneInfo(await self.ctx.time_zone())
        start, end = day_bounds(days[0], tz)[0], day_bounds(days[-1], tz)[1]
        results = await self.results(names, start, end)
        return probe_days(results, days, tz, self.ctx.now())
