"""Moving an install from SQLite to PostgreSQL: every table, row for row, counts verified.

The target is migrated first, then emptied and filled in one transaction with triggers off
(the rows carry their own audit log; foreign keys hold in the source already), so running it
again gives the same result. Identity sequences continue after the copied ids.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from statuspage.errors import StatuspageError
from statuspage.storage.db import Store
from statuspage.storage.location import DatabaseUrl
from statuspage.storage.pg_store import PgStore
from statuspage.storage.postgres import adapt

# Not copied: the migrations table (each side records its own), the per-write actor row.
_SKIPPED = {"schema_migrations", "audit_context"}
_TYPES = {
    "integer": "int4", "bigint": "int8", "double precision": "float8", "text": "text",
    "bytea": "bytea",  # the page logo: bytes as they are
}  # fmt: skip


async def copy_database(source: Path, target: DatabaseUrl) -> dict[str, int]:
    """Copy the SQLite database at `source` into `target`; the rows per table."""
    if not source.is_file():  # noqa: ASYNC240  # one stat, before anything starts
        raise StatuspageError(f"no database at {source}")
    sqlite_store = await Store.open(source)  # brings it to the current schema first
    await sqlite_store.close()
    store = await Store.open(target)
    if not isinstance(store, PgStore):
        raise StatuspageError(f"{target} is not a PostgreSQL database")
    try:
        tables = _read(source)
        await _fill(store, tables)
        counts = await _counts(store, list(tables))
    finally:
        await store.close()
    expected = {name: len(rows) for name, (_, rows) in tables.items()}
    if counts != expected:
        wrong = sorted(t for t in expected if counts.get(t) != expected[t])
        raise StatuspageError(f"the copy differs from {source} in {', '.join(wrong)}")
    return counts


def _read(source: Path) -> dict[str, tuple[list[str], list[tuple[object, ...]]]]:
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("BEGIN")  # one snapshot for every table, even while a server writes
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " ORDER BY name"
            )
        ]
        tables = {}
        for name in names:
            if name in _SKIPPED:
                continue
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({name})")]
            if name in {"incident_updates", "comms_events"}:
                columns.append("rowid")  # an explicit column on PostgreSQL
            rows = conn.execute(f"SELECT {', '.join(columns)} FROM {name}").fetchall()  # noqa: S608
            tables[name] = (columns, rows)
        return tables
    finally:
        conn.close()


async def _fill(
    store: PgStore, tables: dict[str, tuple[list[str], list[tuple[object, ...]]]]
) -> None:
    raw = store.connection.raw
    async with raw.transaction():
        await raw.execute("SET LOCAL session_replication_role = replica")
        await raw.execute(f"TRUNCATE {', '.join(tables)}")
        for name, (columns, rows) in tables.items():
            kinds = {
                r[0]: _TYPES.get(r[1], "text")
                for r in await raw.fetch(
                    "SELECT column_name, data_type FROM information_schema.columns"
                    " WHERE table_schema = current_schema() AND table_name = $1",
                    name,
                )
            }
            records = [
                tuple(adapt(kinds[c], v) for c, v in zip(columns, row, strict=True)) for row in rows
            ]
            if records:
                await raw.copy_records_to_table(name, records=records, columns=columns)
            for column in _IDENTITIES.get(name, ()):
                await raw.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', '{column}'),"  # noqa: S608
                    f" COALESCE(MAX({column}), 0) + 1, false) FROM {name}"
                )


# The identity columns, which continue after the copied values.
_IDENTITIES = {
    "status_changes": ("id",), "outbox": ("id",), "audit_log": ("id",),
    "check_results": ("id",), "incident_updates": ("rowid",), "comms_events": ("rowid",),
}  # fmt: skip


async def _counts(store: PgStore, tables: list[str]) -> dict[str, int]:
    raw = store.connection.raw
    return {t: int(await raw.fetchval(f"SELECT COUNT(*) FROM {t}")) for t in tables}  # noqa: S608
