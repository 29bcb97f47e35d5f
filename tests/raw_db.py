"""SQL a test runs by hand, past the store: on SQLite, or on the PostgreSQL of the test."""

from __future__ import annotations

import asyncio
import concurrent.futures
import sqlite3
from pathlib import Path
from typing import Any

from statuspage.storage.dialect import bind, translate
from statuspage.storage.location import DatabaseUrl


def refused() -> tuple[type[Exception], ...]:
    """What a trigger's refusal raises: SQLite's RAISE(ABORT), PostgreSQL's RAISE EXCEPTION."""
    import asyncpg

    return (sqlite3.IntegrityError, asyncpg.RaiseError)


class _Rows:
    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows

    def fetchall(self) -> list[Any]:
        return self.rows

    def fetchone(self) -> Any:
        return self.rows[0] if self.rows else None


class PgRaw:
    """The few calls of sqlite3's connection the tests make, on PostgreSQL (autocommit)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def execute(self, sql: str, params: Any = ()) -> _Rows:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return _Rows(pool.submit(asyncio.run, self._run(sql, params)).result())

    async def _run(self, sql: str, params: Any) -> list[Any]:
        import asyncpg

        from statuspage.storage.postgres import adapt

        text, order = translate(sql)
        conn = await asyncpg.connect(self.url)
        try:
            statement = await conn.prepare(text)
            kinds = [t.name for t in statement.get_parameters()]
            args = [adapt(k, v) for k, v in zip(kinds, bind(params, order), strict=True)]
            return list(await statement.fetch(*args))
        finally:
            await conn.close()

    def commit(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> PgRaw:
        return self

    def __exit__(self, *_: object) -> None:
        pass


def connect(db: Path | DatabaseUrl) -> Any:
    if isinstance(db, DatabaseUrl):
        return PgRaw(db.url)
    return sqlite3.connect(db)
