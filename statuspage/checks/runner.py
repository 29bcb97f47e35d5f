"""Runs the checks: each on its own jittered schedule in the server, or all once (`checks
run --once`, for cron), at most `concurrency` probes at a time.

After each probe the result is stored and the check's state moved (retries before down);
a change of state becomes signals for the check's components, handed to a `SignalSink`.
`default_sink` is the one place that decides what follows them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Self

import aiohttp

from statuspage.checks.dns_probe import probe_dns
from statuspage.checks.http_probe import CertExpiry, probe_http
from statuspage.checks.outcome import Outcome, Probe
from statuspage.checks.signals import Signal, SignalSink, resolved, signals_for
from statuspage.checks.spec import CheckSpec, HttpProbe, TcpProbe
from statuspage.checks.state import Step
from statuspage.checks.tcp_probe import probe_tcp
from statuspage.service.checks import Applied, ChecksService

log = logging.getLogger("statuspage.checks")
PRUNE_EVERY = timedelta(hours=1)
JITTER = 0.1  # each wait is the interval give or take 10 %


def default_sink(
    checks: ChecksService, report: Callable[[Signal, Applied], None] | None = None
) -> SignalSink:
    """What follows the checks' signals: applied to the components directly.

    The seam for the alerts rules engine: when it is there, return a sink that hands each
    signal to its rules (labels statuspage_component, check and severity) instead.
    """

    async def apply(signal: Signal) -> None:
        applied = await checks.apply(signal)
        (report or _log)(signal, applied)

    return apply


def _log(signal: Signal, applied: Applied) -> None:
    if applied.changed and applied.old is not None and applied.new is not None:
        old, new = applied.old.value, applied.new.value
        log.info("check %s: %s %s -> %s", signal.check, applied.component, old, new)
    elif applied.held:
        log.info("check %s: %s is held by hand, left alone", signal.check, applied.component)
    elif applied.unknown:
        log.warning("check %s: no component %r", signal.check, applied.component)


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
    ) -> None:
        self.specs = list(specs)
        self.checks = checks
        self.sink = sink
        self.retention = retention
        self.limit = asyncio.Semaphore(concurrency)
        self.rng = rng or random.Random()
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
        """Signal each check's stored state again, and let go what checks no longer hold.

        A state is stored before its signals are applied, so a stop in between (or a file
        edited since: a check removed, a component no longer fed) would leave components
        out of step; applying a signal twice changes nothing. With no checks defined at all
        nothing is let go: that is more likely a missing STATUSPAGE_AUTOMATION.
        """
        rows = await self.checks.rows([s.name for s in self.specs])
        for spec, row in zip(self.specs, rows, strict=True):
            if row.state is not None and row.state.state is not Outcome.UP:
                detail = row.last.probe.detail if row.last else ""
                for signal in signals_for(spec, row.state.state, detail, row.state.since):
                    await self.sink(signal)
        if not self.specs:
            return  # no checks at all is more likely a missing setting than an intent
        for check, component in await self.checks.stale_holds(self.specs):
            await self.sink(resolved(check, component, self.checks.ctx.now()))

    async def run_once(self) -> list[Ran]:
        """Every check once, at most `concurrency` at a time; then old results are pruned."""
        await self.reconcile()
        ran = await asyncio.gather(*(self.run_check(spec) for spec in self.specs))
        await self.prune()
        return list(ran)

    async def run_check(self, spec: CheckSpec) -> Ran:
        """Probe once, store the result, and signal a change of the check's state."""
        async with self.limit:
            probe = await self.probe(spec)
        moved = await self.checks.record(spec, probe)
        if moved.changed:
            at = moved.state.updated_at
            for signal in signals_for(spec, moved.state.state, probe.detail, at):
                await self.sink(signal)
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
