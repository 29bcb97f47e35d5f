"""SQL for rate limits that hold across server processes: one GCRA cell per key.

A cell allows `limit` requests at once and then one every `period / limit` seconds. It
stores only when it is next free (its "theoretical arrival time"); keys are pseudonyms
(HMACs) of addresses, and a cell is deleted once it is back to full.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

from statuspage.storage.base import QueryBase


@dataclass(frozen=True)
class Limit:
    key: str
    limit: int  # requests ...
    period: float  # ... per this many seconds

    @property
    def interval(self) -> float:
        return self.period / self.limit


class RateLimitQueries(QueryBase):
    async def take(self, limits: Sequence[Limit], now: float) -> int:
        """Count one request against every limit, or against none: 0 when all allow it,
        else the seconds until all would (rounded up)."""
        active = [lim for lim in limits if lim.limit > 0]
        await self.execute("DELETE FROM rate_limits WHERE expires_at <= ?", (now,))
        cells = await self._cells([lim.key for lim in active])
        wait = 0.0
        for lim in active:
            tat = max(cells.get(lim.key, now), now)
            over = tat - now - (lim.period - lim.interval)
            wait = max(wait, over)
        if wait > 0:
            return max(1, math.ceil(wait))
        await self.executemany(
            "INSERT INTO rate_limits (key, tat, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET tat = excluded.tat,"
            " expires_at = excluded.expires_at",
            [_next(lim, max(cells.get(lim.key, now), now)) for lim in active],
        )
        return 0

    async def drop_expired_rates(self, now: float) -> int:
        return await self.execute("DELETE FROM rate_limits WHERE expires_at <= ?", (now,))

    async def forget_rate_keys(self, keys: Sequence[str]) -> None:
        await self.execute(
            "DELETE FROM rate_limits WHERE key IN (SELECT value FROM json_each(?))",
            (json.dumps(list(keys)),),
        )

    async def _cells(self, keys: Sequence[str]) -> dict[str, float]:
        rows = await self.fetchall(
            "SELECT key, tat FROM rate_limits WHERE key IN (SELECT value FROM json_each(?))",
            (json.dumps(list(keys)),),
        )
        return {r["key"]: float(r["tat"]) for r in rows}


def _next(lim: Limit, tat: float) -> tuple[str, float, float]:
    new_tat = tat + lim.interval
    return lim.key, new_tat, new_tat
