"""The dispatcher: drains the outbox through the channels, within each provider's limits.

One dispatcher sends at a time (a lease in the database), so rate limits hold however many
server workers and `statuspage comms dispatch` processes run; the others stand by and take
over when the lease of one that died runs out. Each configured channel has a worker
(worker.py) that claims its due rows under a row lease, renders them (prepare.py), sends
them at the channel's rate and concurrency, and records every outcome (settle.py). A
channel that is not configured leaves its rows queued, and says so once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from statuspage.comms.compose.templates import Templates
from statuspage.comms.deliver.channels import Channel
from statuspage.comms.deliver.prepare import Preparer
from statuspage.comms.deliver.retry import RetryPolicy
from statuspage.comms.deliver.settle import Settler
from statuspage.comms.deliver.worker import ChannelWorker, Limits, Shared
from statuspage.comms.plan.schema import Plan
from statuspage.events import utcnow
from statuspage.links import LinkSigner
from statuspage.storage import Store

log = logging.getLogger("statuspage.dispatch")


def new_owner() -> str:
    """A dispatcher's name, unique per process: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Timing:
    lease: float = 60.0  # a claimed row's lease, and the dispatcher's own
    poll: float = 1.0  # how often an idle worker looks for due rows


@dataclass
class Report:
    """What one `run_once` did."""

    leader: bool
    standby_for: str | None = None
    tally: dict[str, Counter[str]] = field(default_factory=dict)
    unconfigured: dict[str, str] = field(default_factory=dict)
    queued: dict[str, int] = field(default_factory=dict)  # rows still queued afterwards


class Dispatcher:
    def __init__(
        self,
        store: Store,
        plan: Plan,
        templates: Templates,
        channels: Mapping[str, Channel],
        limits: Mapping[str, Limits],
        *,
        signer: LinkSigner,
        environ: Mapping[str, str],
        unconfigured: Mapping[str, str] | None = None,
        policy: RetryPolicy | None = None,
        timing: Timing | None = None,
        now: Callable[[], datetime] = utcnow,
        owner: str | None = None,
    ) -> None:
        self.store = store
        self.channels = dict(channels)
        self.limits = dict(limits)
        self.unconfigured = dict(unconfigured or {})
        self.timing = timing or Timing()
        self.owner = owner or new_owner()
        self.now = now
        self._stop = asyncio.Event()
        self.shared = Shared(
            store=store,
            owner=self.owner,
            preparer=Preparer(plan, templates, signer, environ),
            settler=Settler(store, self.owner, plan, now),
            policy=policy or RetryPolicy(),
            lease=self.timing.lease,
            poll=self.timing.poll,
            now=now,
            stopping=asyncio.Event(),
        )
        self.workers = {
            name: ChannelWorker(name, channel, self.limits[name], self.shared)
            for name, channel in self.channels.items()
        }
        self._told_standby = False

    async def run(self) -> None:
        """Send until `stop()`: while this dispatcher leads; otherwise stand by."""
        await self._say_unconfigured()
        try:
            while not self._stop.is_set():
                if await self._lead():
                    await self._send_while_leading()
                else:
                    await self._wait(self.timing.lease / 3)
        finally:
            await self._resign()

    async def run_once(self) -> Report:
        """Send everything due now, then stop (for cron, or `comms dispatch --once`)."""
        await self._say_unconfigured()
        if not await self._lead():
            lease = await self._lease_holder()
            return Report(False, lease, unconfigured=self.unconfigured)
        keeper = asyncio.create_task(self._keep_leases())
        try:
            await self._rounds()
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            await self._resign()
        async with self.store.read() as q:
            queued = await q.queued_by_channel()
        tally = {name: w.tally for name, w in self.workers.items()}
        return Report(True, None, tally, self.unconfigured, queued)

    async def _rounds(self, most: int = 5) -> None:
        """Send what is due, again while a round sets off more (an alert to the owners)."""
        for _ in range(most):
            before = sum(sum(w.tally.values()) for w in self.workers.values())
            await asyncio.gather(*(w.run(once=True) for w in self.workers.values()))
            if sum(sum(w.tally.values()) for w in self.workers.values()) == before:
                return

    def stop(self) -> None:
        self._stop.set()
        self.shared.stopping.set()

    async def aclose(self) -> None:
        for channel in self.channels.values():
            with contextlib.suppress(Exception):
                await channel.aclose()

    async def _send_while_leading(self) -> None:
        self.shared.stopping.clear()
        log.info("dispatcher %s is sending: %s", self.owner, ", ".join(self.workers) or "nothing")
        tasks = [asyncio.create_task(w.run()) for w in self.workers.values()]
        try:
            while not self._stop.is_set():
                await self._wait(self.timing.lease / 3)
                if not self._stop.is_set() and not await self._lead():
                    log.warning("dispatcher %s lost its lease; standing by", self.owner)
                    break
        finally:
            self.shared.stopping.set()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _keep_leases(self) -> None:
        while True:
            await asyncio.sleep(self.timing.lease / 3)
            await self._lead()

    async def _lead(self) -> bool:
        """Take or renew the dispatcher's lease, and the leases of the rows it holds."""
        now = self.now()
        notes = {"channels": sorted(self.channels), "unconfigured": self.unconfigured}
        try:
            async with self.store.write(public=False) as q:
                until = now + timedelta(seconds=self.timing.lease)
                leading = await q.lead_dispatch(self.owner, now, until, notes)
                if leading:
                    await q.renew_claims(self.owner, until, self.shared.settler.abandoned)
        except Exception:
            log.exception("dispatcher %s could not renew its lease", self.owner)
            return False
        if not leading and not self._told_standby:
            self._told_standby = True
            log.info("another dispatcher is sending; %s stands by", self.owner)
        return leading

    async def _lease_holder(self) -> str | None:
        async with self.store.read() as q:
            lease = await q.dispatcher_lease()
        return lease.owner if lease else None

    async def _resign(self) -> None:
        with contextlib.suppress(Exception):
            async with self.store.write(public=False) as q:
                await q.resign_dispatch(self.owner, self.now())

    async def _wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    async def _say_unconfigured(self) -> None:
        if not self.unconfigured:
            return
        async with self.store.read() as q:
            queued = await q.queued_by_channel()
        for name, reason in sorted(self.unconfigured.items()):
            n = queued.get(name, 0)
            waiting = {0: "none waits yet", 1: "1 message waits"}.get(n, f"{n:,} messages wait")
            log.warning(
                "%s is not configured (%s): its messages stay queued until it is (%s)",
                name, reason, waiting,
            )  # fmt: skip
