"""Runs the checks: each on its own jittered schedule in the server, or all once (`checks
run --once`, for cron), at most `concurrency` probes at a time.

After each probe the result is stored and the check's state moved (retries before down);
a change of state becomes alert signals, handed to the alerts rules engine (`EngineSink`):
the rules decide what follows, with their `for` and `hold_down` on top of the retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Self

import aiohttp

from statuspage.automation.signals import Signal
from statuspage.checks.dns_probe import probe_dns
from statuspage.checks.http_probe import CertExpiry, probe_http
from statuspage.checks.outcome import Outcome, Probe
from statuspage.checks.signals import SOURCE, SignalSink, check_of, fed_by, signals_for
from statuspage.checks.spec import CheckSpec, HttpProbe, TcpProbe
from statuspage.checks.state import Step
from statuspage.checks.tcp_probe import probe_tcp
from statuspage.service.automation import Automation
from statuspage.service.automation import Outcome as Moved
from statuspage.service.checks import ChecksService

log = logging.getLogger("statuspage.checks")
PRUNE_EVERY = timedelta(hours=1)
JITTER = 0.1  # each wait is the interval give or take 10 %
Report = Callable[[Sequence[Signal], Moved], None]


class EngineSink:
    """The checks' signals handed to the alerts rules engine (`Automation`), as alerts from
    source "check": the same rules, flap damping, worst-wins, holds by hand and causes.

    Each delivery is one transaction made as the actor "automation" (via automation), with
    source "check:NAME" and the action "check NAME down" (or degraded, up) in the audit log.
    """

    def __init__(self, automation: Automation, report: Report | None = None) -> None:
        self.automation = automation
        self.report = report or _log

    async def send(self, signals: Sequence[Signal], /, *, action: str) -> None:
        names = sorted({check_of(s) for s in signals})
        source = f"{SOURCE}:{names[0]}" if len(names) == 1 else ""
        moved = await self.automation.receive(signals, source=source, action=action)
        self.report(signals, moved)

    async def retain(self, fed: Mapping[str, Sequence[str]], /) -> None:
        moved = await self.automation.retain(SOURCE, fed, action="checks re-synced with the file")
        self.report([], moved)

    async def tick(self) -> None:
        self.report([], await self.automation.tick())


def default_sink(automation: Automation, report: Report | None = None) -> EngineSink:
    """What follows the checks' signals: the alerts rules engine."""
    return EngineSink(automation, report)


def _log(signals: Sequence[Signal], moved: Moved) -> None:
    for change in moved.changes:
        log.info("%s: %s -> %s (rule %s, %s)", change.component, change.old.value,
                 change.new.value, change.rule, change.alert)  # fmt: skip
    for name in sorted(set(moved.held)):
        log.info("%s is held by hand; the checks leave it alone", name)
    for reason in moved.ignored:
        log.warning("%s", reason)


@dataclass(frozen=True)
class Ran:
    """One probe of one check and what it did to the check's state."""

    spec: CheckSpec
    probe: Probe
    step: Step


class Runner:
    """Probes checks with bounded concurrency; `async with` owns the HTTP session."""

    def __init__(
        self,
        specs: Sequence[CheckSpec],
        checks: ChecksService,
        sink: SignalSink,
        *,
        concurrency: int = 16,
        retention: timedelta = timedelta(days=30),
        rng: random.Random | None = None,
        tick_every: float | None = None,
    ) -> None:
        self.specs = list(specs)
        self.checks = checks
        self.sink = sink
        self.retention = retention
        self.limit = asyncio.Semaphore(concurrency)
        self.rng = rng or random.Random()
        self.tick_every = tick_every  # None: someone else ticks the engine (the server)
        self._session: aiohttp.ClientSession | None = None
        self.certs = CertExpiry()

    async def __aenter__(self) -> Self:
        connector = aiohttp.TCPConnector(force_close=True, use_dns_cache=False, limit=0)
        self._session = aiohttp.ClientSession(connector=connector, trust_env=False)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def reconcile(self) -> None:
        """Send each check's stored state to the engine again, and let go of what checks
        no longer hold.

        A state is stored before its signals are sent, so a stop in between (or a file
        edited since: a check removed, a component no longer fed) would leave components
        out of step; sending a state twice changes nothing. It also lets a pending alert
        whose rule's `for` is over apply (in cron mode, the next run). With no checks
        defined at all nothing is let go: that is more likely a missing STATUSPAGE_AUTOMATION.
        """
        if not self.specs:
            return
        await self.sink.retain(fed_by(self.specs))
        rows = await self.checks.rows([s.name for s in self.specs])
        signals: list[Signal] = []
        for spec, row in zip(self.specs, rows, strict=True):
            if row.state is not None:
                detail = row.last.probe.detail if row.last else ""
                signals += signals_for(spec, row.state.state, detail, row.state.since)
        if signals:
            await self.sink.send(signals, action="checks re-synced with their stored states")

    async def run_once(self) -> list[Ran]:
        """Every check once, at most `concurrency` at a time; then the engine's tick (a
        rule's `for` or `hold_down` that is over takes effect) and old results are pruned."""
        await self.reconcile()
        ran = await asyncio.gather(*(self.run_check(spec) for spec in self.specs))
        await self.sink.tick()
        await self.prune()
        return list(ran)

    async def run_check(self, spec: CheckSpec) -> Ran:
        """Probe once, store the result, and signal a change of the check's state."""
        async with self.limit:
            probe = await self.probe(spec)
        moved = await self.checks.record(spec, probe)
        if moved.changed:
            state = moved.state.state
            signals = signals_for(spec, state, probe.detail, moved.state.updated_at)
            await self.sink.send(signals, action=f"check {spec.name} {state.value}")
        return Ran(spec, probe, moved)

    async def probe(self, spec: CheckSpec) -> Probe:
        limit = spec.timeout.total_seconds()
        p = spec.probe
        try:
            if isinstance(p, HttpProbe):
                now = self.checks.ctx.now()
                return await probe_http(self.session, p, limit, now, self.certs)
            if isinstance(p, TcpProbe):
                return await probe_tcp(p, limit)
            return await probe_dns(p, limit)
        except Exception as exc:  # a probe's own bug must not stop the others
            log.exception("check %s failed to probe", spec.name)
            return Probe(Outcome.DOWN, None, f"the probe failed: {exc}")

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("use the Runner in `async with`")
        return self._session

    async def prune(self) -> int:
        return await self.checks.prune(self.checks.ctx.now() - self.retention)

    async def run_forever(self) -> None:
        """Each check on its own schedule (first within one interval, spread at random)."""
        try:
            await self.reconcile()
        except Exception:
            log.exception("could not bring the components in step with the checks' states")
        tasks = [asyncio.create_task(self._every(spec)) for spec in self.specs]
        tasks.append(asyncio.create_task(self._prune_every()))
        if self.tick_every is not None:
            tasks.append(asyncio.create_task(self._tick_every(self.tick_every)))
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _every(self, spec: CheckSpec) -> None:
        interval = spec.interval.total_seconds()
        await asyncio.sleep(self.rng.uniform(0, interval))
        while True:
            try:
                await self.run_check(spec)
            except Exception:
                log.exception("check %s failed; trying again in %s s", spec.name, interval)
            await asyncio.sleep(interval * self.rng.uniform(1 - JITTER, 1 + JITTER))

    async def _prune_every(self) -> None:
        while True:
            try:
                if pruned := await self.prune():
                    log.info("deleted %d check results older than the retention", pruned)
            except Exception:
                log.exception("pruning check results failed")
            await asyncio.sleep(PRUNE_EVERY.total_seconds())

    async def _tick_every(self, interval: float) -> None:
        while True:
            try:
                await self.sink.tick()
            except Exception:
                log.exception("automation tick failed; trying again in %s s", interval)
            await asyncio.sleep(interval)
