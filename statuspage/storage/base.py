"""The small helpers every query module builds on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite

Params = Sequence[Any] | dict[str, Any]


class QueryBase:
    """Wraps the connection of the current transaction."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def fetchall(self, sql: str, params: Params = ()) -> Iterable[aiosqlite.Row]:
        # One trip to the connection's thread, not two (execute, then fetch): each trip
        # waits for a turn of the event loop, which is slow when the loop is busy sending.
        return await self.conn.execute_fetchall(sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """The row of a query of one row (by key, an aggregate, LIMIT 1), or None."""
        rows = await self.conn.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        cursor = await self.conn.execute(sql, params)
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self.conn.executemany(sql, rows)
