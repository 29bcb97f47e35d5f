"""The small helpers every query module builds on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import aiosqlite

if TYPE_CHECKING:  # imported where PostgreSQL is used: SQLite never loads asyncpg
    from statuspage.storage.postgres import PgConnection

Params = Sequence[Any] | dict[str, Any]


def _fetchall_closing(conn: aiosqlite.Connection, sql: str, params: Params) -> list[Any]:
    """Run in the connection's thread: the rows, with the cursor closed even when fetching
    fails part way (a text column that is not UTF-8, an I/O error). A cursor left open keeps
    its statement un-reset, and that pins the connection to its old snapshot: the process
    would never see another change and could not write."""
    cursor = conn._conn.execute(sql, params)  # aiosqlite's sqlite3 connection, in its thread
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


class QueryBase:
    """Wraps the connection of the current transaction: SQLite's, or PostgreSQL's (which
    translates the same SQL; rows are addressable by name and by index on both)."""

    def __init__(self, conn: aiosqlite.Connection | PgConnection) -> None:
        self.conn = conn

    async def fetchall(self, sql: str, params: Params = ()) -> Iterable[aiosqlite.Row]:
        if not isinstance(self.conn, aiosqlite.Connection):
            return await self.conn.fetchall(sql, params)  # asyncpg's rows: the same API
        # One trip to the connection's thread, not two (execute, then fetch): each trip
        # waits for a turn of the event loop, which is slow when the loop is busy sending.
        rows: list[aiosqlite.Row] = await self.conn._execute(  # type: ignore[no-untyped-call]
            _fetchall_closing, self.conn, sql, params
        )
        return rows

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """The row of a query of one row (by key, an aggregate, LIMIT 1), or None."""
        return next(iter(await self.fetchall(sql, params)), None)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        if not isinstance(self.conn, aiosqlite.Connection):
            return await self.conn.execute(sql, params)
        cursor = await self.conn.execute(sql, params)
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        if not isinstance(self.conn, aiosqlite.Connection):
            await self.conn.executemany(sql, rows)
            return
        await self.conn.executemany(sql, rows)
