"""The Store on PostgreSQL: the same transactions as on SQLite, for several servers at once.

- Writes are serial, as on SQLite: each write transaction first takes a transaction-level
  advisory lock of the database (its schema), so the read-then-write use cases written for
  SQLite's single writer stay correct when several servers write. Reads do not wait for it.
- The audit triggers read the actor from transaction-local settings (statuspage.*).
- The revision bump notifies (pg_notify, delivered at COMMIT); every store listens on a
  second connection and tells its `after_commit` sinks, so the publisher of every server
  republishes within moments of a write, whichever server took it.
- `holds(purpose)` takes a session advisory lock (one publisher, one ticker at a time); the
  server holding it dies, its session ends, and the lock is free for the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

import asyncpg

from statuspage.audit import current_actor
from statuspage.errors import StatuspageError
from statuspage.migrations import migrations
from statuspage.storage.convert import ts
from statuspage.storage.db import Store
from statuspage.storage.location import DatabaseUrl
from statuspage.storage.postgres import PgConnection
from statuspage.storage.queries import Queries

DIALECT = "postgresql"
# Second keys of the advisory locks (the first is the schema's hash).
WRITE, MIGRATE = 1, 2
PURPOSES = {"publisher": 3, "ticker": 4, "dispatcher": 5, "checks": 6}
# Seconds a lock holder's check may take: a connection that hangs (half-open) loses the lock
# instead of stalling every purpose behind it.
HOLD_TIMEOUT = 5.0

_BEGIN_WRITE = (
    "SELECT pg_advisory_xact_lock($1, $2), set_config('statuspage.tx_id', $3, true),"
    " set_config('statuspage.at', $4, true), set_config('statuspage.actor', $5, true),"
    " set_config('statuspage.via', $6, true), set_config('statuspage.source', $7, true),"
    " set_config('statuspage.action', $8, true)"
)
_BUMP = (
    "WITH r AS (UPDATE meta SET value = (CAST(value AS BIGINT) + 1)::text"
    " WHERE key = 'revision' RETURNING value) SELECT value, pg_notify($1, value) FROM r"
)


class PgStore(Store):
    """The database of one status page, on a PostgreSQL server."""

    def __init__(self, conn: PgConnection, url: DatabaseUrl, key: int, schema: str) -> None:
        self._pg = conn
        self._lock = asyncio.Lock()
        self.path = url
        self.applied_migrations: list[str] = []
        self.after_commit = []
        self._key = key
        self.channel = f"statuspage_{schema}"
        self._listener: asyncpg.Connection | None = None
        self._holds: dict[str, asyncpg.Connection] = {}  # one connection per purpose
        self._held: set[str] = set()  # the purposes whose lock this server holds
        self._holding = asyncio.Lock()

    @classmethod
    async def connect(cls, url: DatabaseUrl) -> PgStore:
        """Connect to (and migrate) the database at `url`."""
        try:
            raw = await asyncpg.connect(url.url, statement_cache_size=0)
        except (OSError, asyncpg.PostgresError) as exc:
            raise StatuspageError(f"cannot open the database {url.shown}: {exc}") from exc
        try:
            schema = await raw.fetchval("SELECT current_schema()")
            if schema is None:
                raise StatuspageError(f"cannot open the database {url.shown}: no schema")
            key = await raw.fetchval("SELECT hashtext(current_schema())")
            store = cls(PgConnection(raw), url, key, schema)
            await store._refuse_foreign()
            store.applied_migrations = await store.migrate()
            await store._listen()
        except BaseException:
            await raw.close()
            raise
        return store

    @property
    def connection(self) -> PgConnection:
        return self._pg

    async def close(self) -> None:
        for conn in [*self._holds.values(), self._listener]:
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.close()
        await self._pg.raw.close()

    async def trace(self, callback: Callable[[str], object] | None) -> None:
        self._pg.trace = callback

    async def migrate(self) -> list[str]:
        raw = self._pg.raw
        applied: list[str] = []
        async with self._lock:
            await raw.execute("SELECT pg_advisory_lock($1, $2)", self._key, MIGRATE)
            try:
                await raw.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY,"
                    " applied_at TEXT NOT NULL DEFAULT to_char(clock_timestamp() AT TIME ZONE"
                    " 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))"
                )
                done = {r[0] for r in await raw.fetch("SELECT name FROM schema_migrations")}
                for name, sql in migrations(DIALECT):
                    if name not in done:
                        async with raw.transaction():
                            await raw.execute(sql)
                            await raw.execute(
                                "INSERT INTO schema_migrations (name) VALUES ($1)", name
                            )
                        applied.append(name)
            finally:
                await raw.execute("SELECT pg_advisory_unlock($1, $2)", self._key, MIGRATE)
        return applied

    async def _refuse_foreign(self) -> None:
        tables = {
            r[0]
            for r in await self._pg.raw.fetch(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            )
        }
        if not tables:
            return
        if "schema_migrations" not in tables:
            raise StatuspageError(
                f"{self.path} is not a statuspage database (it holds other tables, such as "
                f"{sorted(tables)[0]!r})"
            )
        names = {r[0] for r in await self._pg.raw.fetch("SELECT name FROM schema_migrations")}
        unknown = sorted(names - {name for name, _ in migrations(DIALECT)})
        if unknown:
            raise StatuspageError(
                f"{self.path} was made by a newer version of statuspage (schema {unknown[-1]!r}"
                " is unknown to this one); upgrade statuspage to use it"
            )

    async def _listen(self) -> None:
        """Hear every server's revision bumps (LISTEN on a connection of its own)."""
        self._listener = await asyncpg.connect(self.path.url)  # type: ignore[union-attr]
        await self._listener.add_listener(self.channel, self._heard)

    def _heard(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        for sink in self.after_commit:
            sink(int(payload))

    def _queries(self) -> Queries:
        return Queries(self._pg)

    async def _begin_write(self, at: datetime) -> int:
        actor = current_actor()
        await self._pg.command("BEGIN")
        await self._pg.raw.execute(
            _BEGIN_WRITE, self._key, WRITE, secrets.token_hex(8), ts(at), actor.name,
            actor.via, actor.source, actor.action or "",
        )  # fmt: skip
        return self._pg.total_changes

    async def _changes(self) -> int:
        return self._pg.total_changes

    async def _commit(self) -> None:
        await self._pg.command("COMMIT")

    async def _bump_revision(self) -> int:
        row = await self._pg.raw.fetchrow(_BUMP, self.channel)
        return int(row[0]) if row else 0

    async def _rollback(self) -> None:
        with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError):
            await self._pg.command("ROLLBACK")

    async def _begin_read(self) -> None:
        await self._pg.command("BEGIN ISOLATION LEVEL REPEATABLE READ")

    async def _end_read(self) -> None:
        try:
            await self._pg.command("COMMIT")
        except asyncpg.PostgresError:
            with contextlib.suppress(asyncpg.PostgresError):
                await self._pg.command("ROLLBACK")

    async def revision(self) -> int:
        async with self._lock:
            value = await self._pg.raw.fetchval("SELECT value FROM meta WHERE key = 'revision'")
        return int(value) if value is not None else 0

    async def holds(self, purpose: str) -> bool:
        """Whether this server is the one doing `purpose` (ticker, publisher): a session
        advisory lock on a connection of its own, kept while it lives. When the server
        holding it dies, PostgreSQL ends its session and the next to ask takes over.

        The holder checks its session is still there on each call (a lost connection lost
        the lock too); the others keep their connection and try again on it."""
        async with self._holding:
            conn = self._holds.get(purpose)
            try:
                if conn is None or conn.is_closed():
                    self._held.discard(purpose)
                    url = self.path.url  # type: ignore[union-attr]
                    conn = await asyncpg.connect(url, timeout=HOLD_TIMEOUT)
                    self._holds[purpose] = conn
                if purpose in self._held:
                    await conn.fetchval("SELECT 1", timeout=HOLD_TIMEOUT)
                    return True
                key = PURPOSES[purpose]
                took = "SELECT pg_try_advisory_lock($1, $2)"
                if await conn.fetchval(took, self._key, key, timeout=HOLD_TIMEOUT):
                    self._held.add(purpose)
                    return True
                return False
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                self._held.discard(purpose)
                if conn is not None:
                    conn.terminate()
                return False
