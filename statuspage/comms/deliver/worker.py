"""One channel's sender: claims due rows as it has room, paces them, sends, records.

Room is the channel's concurrency, and never more than the rate can send in a quarter of
the lease: a claimed row is always attempted long before its lease runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from statuspage.comms.deliver.channels import Channel, Message
from statuspage.comms.deliver.outcomes import Outcome, after_error, sent
from statuspage.comms.deliver.prepare import Loaded, Preparer
from statuspage.comms.deliver.ratelimit import KeyedBuckets, TokenBucket
from statuspage.comms.deliver.retry import RetryPolicy
from statuspage.comms.deliver.settle import Settler
from statuspage.errors import DeliveryError, TransientDeliveryError
from statuspage.storage import Store
from statuspage.storage.delivery import Claimed

log = logging.getLogger("statuspage.dispatch")


@dataclass(frozen=True)
class Limits:
    rate: float  # tokens (messages; SMS segments) per second
    concurrency: int
    burst: float = 1.0
    per_key_rate: float | None = None  # per address (a Slack URL)
    batch: int = 400


@dataclass
class Shared:
    """What every channel's worker of one dispatcher shares."""

    store: Store
    owner: str
    preparer: Preparer
    settler: Settler
    policy: RetryPolicy
    lease: float
    poll: float
    now: Callable[[], datetime]
    stopping: asyncio.Event


class ChannelWorker:
    def __init__(self, name: str, channel: Channel, limits: Limits, shared: Shared) -> None:
        self.name = name
        self.channel = channel
        self.limits = limits
        self.shared = shared
        self.bucket = TokenBucket(limits.rate, limits.burst)
        self.keyed = KeyedBuckets(limits.per_key_rate) if limits.per_key_rate else None
        self.tally: Counter[str] = Counter()
        self._tasks: dict[asyncio.Task[None], int] = {}
        self._waiting: set[int] = set()  # claimed, not yet handed to the channel
        # Messages being sent or sent and not yet recorded: at most the concurrency, which
        # bounds what a crash can make us send twice.
        self._slots = asyncio.Semaphore(limits.concurrency)
        self._last_slowdown = 0.0
        self._room = asyncio.Event()  # set when few enough claimed rows are left
        self._room_at = 0

    def capacity(self) -> int:
        """How many rows may be claimed at once: a batch, a few per sender, and never
        more than the rate sends in a quarter of the lease. (The dispatcher also renews
        the leases of what it holds, so a slow provider never lets one run out.)"""
        by_rate = int(self.bucket.current_rate * self.shared.lease / 4)
        return min(self.limits.batch, 8 * self.limits.concurrency, max(1, by_rate))

    async def run(self, once: bool = False) -> None:
        """Send until stopped (or, with `once`, until nothing is due)."""
        while not self.shared.stopping.is_set():
            capacity = self.capacity()
            room = capacity - len(self._tasks)
            # Claim in batches, not a row at a time: a claim is a write transaction, and
            # while it runs no outcome can be recorded (nor its sender's slot freed).
            if room < max(1, capacity // 2):
                await self._wait_for_room(capacity - max(1, capacity // 2))
                continue
            claimed, loaded = await self._claim(room)
            if not claimed:
                if once:
                    break
                await self._idle()
                continue
            for c in claimed:
                self._waiting.add(c.row.id)
                task = asyncio.create_task(self._deliver(c, loaded))
                self._tasks[task] = c.row.id
                task.add_done_callback(self._done)
        if once and self._tasks and not self.shared.stopping.is_set():
            await asyncio.wait(list(self._tasks))  # what was claimed goes out, at its pace
        await self.finish()

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task)
        if len(self._tasks) <= self._room_at:
            self._room.set()

    async def _wait_for_room(self, at_most: int) -> None:
        """Wait until at most `at_most` claimed rows are left, or the worker is stopping.
        (Woken once per batch, not at every message sent.)"""
        self._room_at = at_most
        self._room.clear()
        waits = [asyncio.ensure_future(e.wait()) for e in (self._room, self.shared.stopping)]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()

    async def finish(self, grace: float = 15.0) -> None:
        """Stop: unstarted rows are given back; sends under way may finish."""
        for task, row_id in list(self._tasks.items()):
            if row_id in self._waiting:
                task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=grace)
        for task in list(self._tasks):
            task.cancel()  # its row stays claimed; the lease runs out; it is looked up again
        unstarted, self._waiting = list(self._waiting), set()
        if unstarted:
            async with self.shared.store.write(public=False) as q:
                await q.release_claims(self.shared.owner, unstarted, self.shared.now())

    async def _idle(self) -> None:
        """Wait until a claim would find something: look every `poll` seconds with a read,
        which costs the database far less than a claim (a write transaction)."""
        while not self.shared.stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.shared.stopping.wait(), self.shared.poll)
            if self.shared.stopping.is_set():
                return
            async with self.shared.store.read() as q:
                if await q.channel_due(self.name, self.shared.now()):
                    return

    async def _claim(self, limit: int) -> tuple[list[Claimed], Loaded | None]:
        now = self.shared.now()
        until = now + timedelta(seconds=self.shared.lease)
        async with self.shared.store.write(public=False) as q:
            throttle = (await q.throttles(now)).get(self.name)
            if throttle is not None:
                self.bucket.limit_to(throttle[0])
            claimed = await q.claim_channel(self.shared.owner, self.name, now, until, limit)
            loaded = await self.shared.preparer.load(q, claimed, now) if claimed else None
        return claimed, loaded

    async def _deliver(self, c: Claimed, loaded: Loaded | None) -> None:
        async with self._slots:
            try:
                outcome = await self._attempt(c, loaded)
            except Exception as exc:  # a bug must not lose the row: retry it, and say so
                log.exception("%s: unexpected error sending row %s", self.name, c.row.id)
                error = TransientDeliveryError(f"unexpected {type(exc).__name__}")
                now = self.shared.now()
                outcome = after_error(c, error, self.shared.policy, now, c.ambiguous_since)
            self._waiting.discard(c.row.id)
            self.tally[outcome.kind] += 1
            self._react(outcome)
            await self._record(c, outcome)

    async def _record(self, c: Claimed, outcome: Outcome) -> None:
        try:
            if not await self.shared.settler.record(outcome):
                log.warning("%s: row %s was taken over before its outcome was recorded",
                            self.name, c.row.id)  # fmt: skip
        except Exception:  # logged by the settler; the lease expires and the row is retried
            self.tally["unrecorded"] += 1

    async def _attempt(self, c: Claimed, loaded: Loaded | None) -> Outcome:
        assert loaded is not None
        prepared = await self.shared.preparer.message(c, loaded)
        if isinstance(prepared, Outcome):
            return prepared
        await self.bucket.acquire(prepared.segments)
        if self.keyed is not None:
            await self.keyed.acquire(prepared.to)
        self._waiting.discard(c.row.id)
        return await self._send(c, prepared)

    async def _send(self, c: Claimed, message: Message) -> Outcome:
        policy, since = self.shared.policy, c.ambiguous_since
        try:
            if since is not None:
                found = await self.channel.find_sent(message, since)
                if found is not None:
                    return sent(c, found)
                since = None  # the provider does not have it: sending is safe
            receipt = await self.channel.send(message)
        except DeliveryError as exc:
            return after_error(c, exc, policy, self.shared.now(), since)
        return sent(c, receipt)

    def _react(self, outcome: Outcome) -> None:
        busy = outcome.effects.busy
        if busy is None:
            return
        now = asyncio.get_running_loop().time()
        if busy.retry_after:
            if now >= self._last_slowdown + busy.retry_after:  # say it once per pause
                log.warning("%s: provider busy (%s); pausing %.0f s", self.name, busy,
                            busy.retry_after)  # fmt: skip
                self._last_slowdown = now
            self.bucket.pause(busy.retry_after)
            return
        if now - self._last_slowdown >= 1.0:
            self._last_slowdown = now
            share = self.bucket.slow_down()
            log.warning("%s: provider busy (%s); sending at %.0f%% of the rate", self.name, busy,
                        share * 100)  # fmt: skip
