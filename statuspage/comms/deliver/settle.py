"""Recording outcomes: a group commit, so one transaction records many sends.

`record(outcome)` returns once the outcome is committed. Whatever arrives while a commit
runs goes into the next one. A sender keeps its concurrency slot until then, so at any
moment the messages sent but not yet recorded are at most the channel's concurrency: the
most a crash can make us send twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from statuspage.comms.deliver.effects import apply_effects
from statuspage.comms.deliver.outcomes import Outcome
from statuspage.comms.deliver.receipts import apply_kept_reports
from statuspage.comms.plan.schema import Plan
from statuspage.storage import Queries, Store

log = logging.getLogger("statuspage.dispatch")
RETRY_WAITS = (0.5, 2.0, 5.0)  # seconds between attempts to record outcomes


class Settler:
    def __init__(self, store: Store, owner: str, plan: Plan, now: Callable[[], datetime]) -> None:
        self.store = store
        self.owner = owner
        self.plan = plan
        self.now = now
        self._pending: list[tuple[Outcome, asyncio.Future[bool]]] = []
        self._task: asyncio.Task[None] | None = None
        # Rows whose outcome could not be recorded: their leases are no longer renewed, so
        # they run out and the rows are tried again (looked up first where possible).
        self.abandoned: set[int] = set()

    async def record(self, outcome: Outcome) -> bool:
        """Record one outcome; False when the row's lease was lost (another took it)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((outcome, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                settled = await self._commit_with_retries([o for o, _ in batch])
            except Exception as exc:  # given up: the rows' leases run out; they are retried
                log.exception("could not record %d outcomes", len(batch))
                self.abandoned.update(o.row_id for o, _ in batch)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for outcome, future in batch:
                if not future.done():
                    future.set_result(outcome.row_id in settled)

    async def _commit_with_retries(self, outcomes: list[Outcome]) -> set[int]:
        for wait in RETRY_WAITS:
            try:
                return await self._commit(outcomes)
            except Exception:  # the database is busy or locked: try again shortly
                log.warning("recording %d outcomes failed; again in %.1f s", len(outcomes), wait)
                await asyncio.sleep(wait)
        return await self._commit(outcomes)

    async def _commit(self, outcomes: list[Outcome]) -> set[int]:
        now = self.now()
        async with self.store.write(public=False) as q:
            settled = set(await q.settle_many(self.owner, [o.settlement for o in outcomes], now))
            for outcome in outcomes:
                if outcome.row_id in settled:
                    await apply_effects(q, self.plan, outcome.claimed.row, outcome.effects, now)
            await self._kept_reports(q, outcomes, settled, now)
        return settled

    async def _kept_reports(
        self, q: Queries, outcomes: list[Outcome], settled: set[int], now: datetime
    ) -> None:
        sms = [
            o.settlement.provider_message_id
            for o in outcomes
            if o.row_id in settled and o.claimed.row.channel == "sms"
            and o.settlement.provider_message_id
        ]  # fmt: skip
        if sms:
            await apply_kept_reports(q, self.plan, "sms", [s for s in sms if s], now)
