"""The PostgreSQL connection (asyncpg) behind the same query API as SQLite's.

Statements are written in SQLite's dialect and translated once (storage.dialect). asyncpg is
strict about types where SQLite is not, so each argument is adapted to the type PostgreSQL
inferred for its parameter (an int for a text column, a JSON list for an array, 0/1 for a
boolean). Timestamps stay ISO text, as on SQLite: the same converters, the same text order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import asyncpg

from statuspage.storage.dialect import bind, translate

Params = Sequence[Any] | dict[str, Any]

_COUNTED = re.compile(r"^(INSERT|UPDATE|DELETE|MERGE)\b")
_TEXT = {"text", "varchar", "bpchar", "name", "unknown", "character varying"}
_INTS = {"int2", "int4", "int8"}
_FLOATS = {"float4", "float8"}


def adapt(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind.endswith("[]"):  # an array: SQLite's queries pass it as a JSON list
        items = json.loads(value) if isinstance(value, str) else list(value)
        return [adapt(kind[:-2], item) for item in items]
    if kind in _TEXT and not isinstance(value, str):
        return str(int(value)) if isinstance(value, bool) else str(value)
    if kind in _INTS and not isinstance(value, int):
        return int(value)
    if kind in _FLOATS and not isinstance(value, float):
        return float(value)
    if kind == "bool" and not isinstance(value, bool):
        return bool(int(value))
    return value


_VALUES = re.compile(r"^(INSERT INTO \w+ \([^)]*\)) VALUES \(([^()]*)\)( ON CONFLICT .*)?$", re.S)


def _bulk_insert(text: str) -> str | None:
    """`INSERT INTO t (cols) VALUES ($1, 'x', $2) [ON CONFLICT DO NOTHING]` as an INSERT ...
    SELECT over `{unnest}`; None for any other statement."""
    match = _VALUES.match(text.strip())
    if match is None or (match.group(3) or " ON CONFLICT DO NOTHING") != " ON CONFLICT DO NOTHING":
        return None  # an upsert may meet its own rows twice in one statement: row by row
    values = re.sub(r"\$(\d+)", r"v.p\1", match.group(2))
    return f"{match.group(1)} SELECT {values} FROM {{unnest}}{match.group(3) or ''}"  # noqa: S608


class PgConnection:
    """One asyncpg connection: the calls QueryBase makes, and a count of changed rows."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.raw = conn
        self.total_changes = 0
        self._statements: dict[str, tuple[Any, tuple[str | int, ...], tuple[str, ...]]] = {}
        self.trace: Callable[[str], object] | None = None

    async def _prepared(self, sql: str) -> tuple[Any, tuple[str | int, ...], tuple[str, ...]]:
        cached = self._statements.get(sql)
        if cached is None:
            text, order = translate(sql)
            try:
                statement = await self.raw.prepare(text)
            except asyncpg.PostgresSyntaxError as exc:
                raise type(exc)(f"{exc}: {text}") from None
            except asyncpg.PostgresError as exc:
                exc.args = (f"{exc}: {text}",)
                raise
            kinds = tuple(t.name for t in statement.get_parameters())
            cached = self._statements[sql] = (statement, order, kinds)
        return cached

    def _count(self, status: str | None) -> int:
        if status and _COUNTED.match(status):
            n = int(status.rsplit(" ", 1)[-1])
            self.total_changes += n
            return n
        return 0

    async def _run(self, sql: str, params: Params) -> tuple[list[asyncpg.Record], int]:
        if self.trace is not None:
            self.trace(sql)
        statement, order, kinds = await self._prepared(sql)
        args = [adapt(k, v) for k, v in zip(kinds, bind(params, order), strict=True)]
        rows = await statement.fetch(*args)
        return list(rows), self._count(statement.get_statusmsg())

    async def fetchall(self, sql: str, params: Params = ()) -> list[asyncpg.Record]:
        return (await self._run(sql, params))[0]

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; the number of rows it changed."""
        return (await self._run(sql, params))[1]

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Many rows of one statement. An `INSERT ... VALUES` of many rows is one statement
        over arrays (unnest): one round trip, and the count of rows it really inserted."""
        rows = list(rows)
        text, order = translate(sql)
        bulk = _bulk_insert(text)
        if bulk is None or len(rows) < 2:
            for params in rows:
                await self._run(sql, params)
            return
        _, _, kinds = await self._prepared(sql)
        columns = [list(c) for c in zip(*(bind(p, order) for p in rows), strict=True)]
        casts = ", ".join(f"${i + 1}::{k}[]" for i, k in enumerate(kinds))
        names = ", ".join(f"p{i + 1}" for i in range(len(kinds)))
        statement = await self.raw.prepare(
            bulk.replace("{unnest}", f"unnest({casts}) AS v({names})")
        )
        args = [[adapt(k, v) for v in column] for k, column in zip(kinds, columns, strict=True)]
        if self.trace is not None:
            self.trace(sql)
        await statement.fetch(*args)
        self._count(statement.get_statusmsg())

    async def command(self, sql: str) -> None:
        """A statement without parameters, untranslated (BEGIN, SAVEPOINT, DDL)."""
        if self.trace is not None:
            self.trace(sql)
        await self.raw.execute(sql)
