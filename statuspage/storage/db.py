"""The connection: pragmas, migrations and transactions.

One process holds one connection; an asyncio lock makes every use of it a whole
transaction, so concurrent tasks never interleave inside one another's writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

try:
    import fcntl
except ImportError:  # pragma: no cover  # not on Windows: every process holds
    fcntl = None  # type: ignore[assignment]

from statuspage.errors import NotFound, StatuspageError
from statuspage.events import EventSink
from statuspage.migrations import migrations
from statuspage.storage.audit import begin_audit, end_audit
from statuspage.storage.location import DatabaseUrl, Location, location
from statuspage.storage.queries import Queries

BUSY_TIMEOUT = "PRAGMA busy_timeout = 10000"
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = NORMAL",
)


class Store:
    """The database of one status page."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self.path: Location = path
        self.applied_migrations: list[str] = []
        # Told after each commit that changed what the public sees (the server's publisher).
        self.after_commit: list[EventSink] = []
        self._lock_files: dict[str, int] = {}  # purpose -> the open lock file this process holds

    @classmethod
    async def open(cls, path: Path | str | DatabaseUrl, *, create: bool = False) -> Store:
        """Open (and migrate) the database at `path`; create it only when `create` is set.

        A postgresql:// URL opens a PostgreSQL database instead (storage.pg_store)."""
        where = location(path)
        if isinstance(where, DatabaseUrl):
            from statuspage.storage.pg_store import PgStore

            return await PgStore.connect(where)
        path = where
        if not create and str(path) != ":memory:" and not path.exists():
            raise NotFound(f"no database at {path}; create it with `statuspage init`")
        if str(path) != ":memory:" and not path.parent.is_dir():
            raise StatuspageError(f"cannot open the database {path}: no directory {path.parent}")
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StatuspageError(f"cannot open the database {path}: {exc}") from exc
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute(BUSY_TIMEOUT)
            await _refuse_foreign(conn, path)  # before WAL, which would change a foreign file
            for pragma in PRAGMAS:
                await conn.execute(pragma)
            store = cls(conn, path)
            store.applied_migrations = await store.migrate()
        except BaseException as exc:
            # The connection's thread keeps the process alive until it is closed.
            await conn.close()
            if isinstance(exc, sqlite3.OperationalError):
                raise StatuspageError(f"cannot open the database {path}: {exc}") from exc
            if isinstance(exc, sqlite3.DatabaseError):
                raise StatuspageError(f"{path} is not a statuspage database ({exc})") from exc
            raise
        return store

    async def close(self) -> None:
        for fd in self._lock_files.values():
            os.close(fd)  # the lock goes with it
        self._lock_files.clear()
        await self._conn.close()

    async def trace(self, callback: Callable[[str], object] | None) -> None:
        """Call `callback` with every SQL statement run from now on (None: stop); for
        tests and benchmarks that count what a use case does."""
        await self._conn.set_trace_callback(callback)  # type: ignore[arg-type]  # None: sqlite3 takes it

    async def migrate(self) -> list[str]:
        """Apply the migrations not yet applied; return their names."""
        await self._conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT"
            " NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
        )
        applied: list[str] = []
        for name, sql in migrations():
            async with self._lock:
                if await self._apply(name, sql):
                    applied.append(name)
        return applied

    async def _apply(self, name: str, sql: str) -> bool:
        await self._conn.execute("BEGIN IMMEDIATE")
        try:
            cursor = await self._conn.execute(
                "SELECT 1 FROM schema_migrations WHERE name = ?", (name,)
            )
            if await cursor.fetchone() is not None:
                await self._conn.execute("ROLLBACK")
                return False
            for statement in split_statements(sql):
                await self._conn.execute(statement)
            await self._conn.execute("INSERT INTO schema_migrations (name) VALUES (?)", (name,))
            await self._conn.execute("COMMIT")
            return True
        except BaseException:
            await self._conn.execute("ROLLBACK")
            raise

    @asynccontextmanager
    async def write(
        self, *, public: bool = True, at: datetime | None = None
    ) -> AsyncIterator[Queries]:
        """One write transaction; if it changed a row and is `public`, the revision grows.

        `at` is when it happens, for the audit log: the service passes its clock's time;
        writers without a clock of their own (the comms workers) get the system's.

        A write opened inside another one (in the same task) joins it as a savepoint, so a
        use case built from other use cases is still one transaction. After a public change
        commits, the `after_commit` sinks hear its revision.
        """
        outer = _ACTIVE.get()
        if outer is not None and outer.store is self:
            outer.public = outer.public or public
            async with outer.savepoint():
                yield outer.queries
            return
        revision: int | None = None
        async with self._lock:
            tx = _Transaction(self, self._queries(), public)
            token = _ACTIVE.set(tx)
            try:
                changes_before = await self._begin_write(at or datetime.now(UTC))
                yield tx.queries
                changed = await self._changes() != changes_before
                if tx.public and changed:
                    revision = await self._bump_revision()
                await self._commit()
            except BaseException:
                await self._rollback()
                raise
            finally:
                _ACTIVE.reset(token)
        if revision is not None:  # committed, and the lock is free for whoever republishes
            for sink in self.after_commit:
                sink(revision)

    def _queries(self) -> Queries:
        return Queries(self._conn)

    async def _begin_write(self, at: datetime) -> int:
        """BEGIN a write transaction; the count of changes so far."""
        await self._conn.execute("BEGIN IMMEDIATE")
        await begin_audit(self._conn, at)
        return self._conn.total_changes

    async def _changes(self) -> int:
        return self._conn.total_changes

    async def _commit(self) -> None:
        await end_audit(self._conn)
        await self._conn.execute("COMMIT")

    async def _bump_revision(self) -> int:
        async with self._conn.execute(
            "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'"
            " RETURNING value"
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _rollback(self) -> None:
        """Roll back after an error or a cancellation.

        A task cancelled while awaiting COMMIT may find it done (the statement still runs on
        the connection's thread): ROLLBACK then fails, and that error must not replace the
        cancellation, or the cancelled task would carry on.
        """
        with contextlib.suppress(sqlite3.OperationalError):
            await self._conn.execute("ROLLBACK")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Queries]:
        """One consistent read transaction (inside a write: that write's view)."""
        outer = _ACTIVE.get()
        if outer is not None and outer.store is self:
            yield outer.queries
            return
        async with self._lock:
            try:
                await self._begin_read()
                yield self._queries()
            finally:
                await self._end_read()

    async def _begin_read(self) -> None:
        await self._conn.execute("BEGIN")

    async def _end_read(self) -> None:
        """End a read transaction whatever happened in it. A statement that failed part way
        (a text column that is not UTF-8, an I/O error) can make COMMIT fail; left open, the
        transaction would pin this connection to an old snapshot and block its writes."""
        try:
            await self._conn.execute("COMMIT")
        except sqlite3.OperationalError:
            with contextlib.suppress(sqlite3.OperationalError):
                await self._conn.execute("ROLLBACK")

    async def holds(self, purpose: str) -> bool:  # PostgreSQL's takes an advisory lock
        """Whether this process is the one doing `purpose` (ticker, publisher, checks) among
        the processes sharing the database (`serve --workers N`): an exclusive `flock` on
        `<database>-<purpose>.lock`, kept while the store is open; the kernel releases it
        when the process dies, and another takes it at its next try."""
        if purpose in self._lock_files:
            return True
        if str(self.path) == ":memory:" or fcntl is None:  # one process; no flock (Windows)
            return True
        lock = f"{self.path}-{purpose}.lock"
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._lock_files[purpose] = fd
        return True

    async def revision(self) -> int:
        """A number that grows with every committed public change, from any process."""
        async with self._lock:
            cursor = await self._conn.execute("SELECT value FROM meta WHERE key = 'revision'")
            row = await cursor.fetchone()
        return int(row[0]) if row else 0


async def _refuse_foreign(conn: aiosqlite.Connection, path: Path) -> None:
    """Refuse a database someone else made, or a newer statuspage, before writing to it."""
    cursor = await conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    tables = {row[0] for row in await cursor.fetchall()}
    if not tables:
        return  # a new (or empty) file: ours to create
    if "schema_migrations" not in tables:
        raise StatuspageError(
            f"{path} is not a statuspage database (it holds other tables, such as "
            f"{sorted(tables)[0]!r})"
        )
    cursor = await conn.execute("SELECT name FROM schema_migrations")
    known = {name for name, _ in migrations()}
    unknown = sorted({row[0] for row in await cursor.fetchall()} - known)
    if unknown:
        raise StatuspageError(
            f"{path} was made by a newer version of statuspage (schema {unknown[-1]!r} is "
            "unknown to this one); upgrade statuspage to use it"
        )


class _Transaction:
    """The write transaction under way in a task, which nested writes join."""

    def __init__(self, store: Store, queries: Queries, public: bool) -> None:
        self.store = store
        self.queries = queries
        self.public = public
        self.depth = 0

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        self.depth += 1
        name = f"nested_{self.depth}"
        await self.queries.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            await self.queries.execute(f"ROLLBACK TO {name}")
            raise
        finally:
            await self.queries.execute(f"RELEASE {name}")
            self.depth -= 1


_ACTIVE: ContextVar[_Transaction | None] = ContextVar("statuspage_transaction", default=None)


def split_statements(script: str) -> list[str]:
    """Split an SQL script into complete statements (executescript would commit first)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not buffer.strip().startswith("--"):
        statements.append(buffer.strip())
    return statements
