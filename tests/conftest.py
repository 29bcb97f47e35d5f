"""Shared fixtures: a controllable clock, a real SQLite store, the service, the CLI."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import secrets
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from statuspage.cli import cli as statuspage_cli
from statuspage.service import Service
from statuspage.storage import Store
from statuspage.storage.location import DatabaseUrl

# A key strong enough for STATUSPAGE_SECRET_KEY (32+ characters, 16+ different ones).
TEST_SECRET_KEY = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
START = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.current = now

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# STATUSPAGE_TEST_DB=postgresql://127.0.0.1/test: `db_path` (and every suite built on it, and on
# `store`) is a PostgreSQL schema of its own per test instead, dropped afterwards.
TEST_DB = os.environ.get("STATUSPAGE_TEST_DB", "")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: about SQLite itself; skipped on PostgreSQL")
    config.addinivalue_line(
        "markers", "postgres: several servers on PostgreSQL; run by `make unit-postgres` only"
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    """On PostgreSQL, a server that does not answer stops the run at once, in one line."""
    if TEST_DB:
        try:
            asyncio.run(_pg(TEST_DB, "SELECT 1"))
        except Exception as exc:
            pytest.exit(
                f"STATUSPAGE_TEST_DB={TEST_DB}: cannot connect ({exc}). Start PostgreSQL"
                " there (15 or newer, a database the user may create schemas in) or point"
                " STATUSPAGE_TEST_DB at one.",
                returncode=3,
            )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Under pytest-xdist (`make unit` runs `-n 3 --dist loadgroup`) the browser suite stays on
    # one worker in one run: it shares one browser and one server, package-scoped.
    for item in items:
        if item.path.parent.name == "browser":
            item.add_marker(pytest.mark.xdist_group("browser"))
    if TEST_DB:
        skip = pytest.mark.skip(reason="about SQLite itself (STATUSPAGE_TEST_DB is set)")
        for item in items:
            if item.get_closest_marker("sqlite_only"):
                item.add_marker(skip)
        return
    # Without STATUSPAGE_TEST_DB (`make unit`) the slow multi-server tests are left to
    # `make unit-postgres`, which runs them.
    later = [item for item in items if item.get_closest_marker("postgres")]
    if later:
        config.hook.pytest_deselected(items=later)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]


@pytest.fixture
def db_path(tmp_path: Path) -> Iterator[Path]:
    if not TEST_DB:
        yield tmp_path / "status.db"
        return
    schema = _FREE.pop() if _FREE else f"t_{secrets.token_hex(6)}"
    if schema not in _MADE:
        asyncio.run(_pg(TEST_DB, f"CREATE SCHEMA {schema}"))
        _MADE.append(schema)
    try:
        yield DatabaseUrl(pg_url(schema))  # type: ignore[misc]  # answers what tests ask of a Path
    finally:
        asyncio.run(_pg(pg_url(schema), *_emptied(schema)))
        _FREE.append(schema)


# Migrating a schema takes a second or more: each is emptied after its test and used again.
_FREE: list[str] = []
_MADE: list[str] = []


def pg_url(schema: str) -> str:
    sep = "&" if "?" in TEST_DB else "?"
    return f"{TEST_DB}{sep}search_path={schema}&application_name={schema}"


def _emptied(schema: str) -> list[str]:
    return [
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        f" WHERE application_name = '{schema}' AND pid <> pg_backend_pid()",
        # DELETE with triggers (and so foreign keys) off, not TRUNCATE: TRUNCATE makes new
        # files for every table and index, seconds per test on a busy machine.
        "DO $$ DECLARE t record; BEGIN"
        " PERFORM set_config('session_replication_role', 'replica', true);"
        " FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        " AND tablename <> 'schema_migrations' LOOP"
        " EXECUTE format('DELETE FROM %I', t.tablename); END LOOP;"
        " FOR t IN SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"
        " LOOP EXECUTE format('ALTER SEQUENCE %I RESTART', t.sequencename); END LOOP; END $$",
        "INSERT INTO meta (key, value) SELECT 'revision', '0' WHERE EXISTS"
        " (SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'meta')",
    ]


@pytest.fixture(scope="session", autouse=True)
def _drop_test_schemas() -> Iterator[None]:
    yield
    for schema in _MADE:
        asyncio.run(_pg(TEST_DB, *_emptied(schema)[:1], f"DROP SCHEMA {schema} CASCADE"))


async def _dump_pg(url: str) -> list[str]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        lines: list[str] = []
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        )
        for (table,) in tables:
            rows = await conn.fetch(f'SELECT * FROM "{table}"')
            lines += sorted(f"{table} {tuple(r)!r}" for r in rows)
        return lines
    finally:
        await conn.close()


async def _pg(url: str, *statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(db_path, create=True)
    yield opened
    await opened.close()


@pytest.fixture
async def svc(store: Store, clock: FakeClock) -> Service:
    service = Service(store, clock)
    await service.ensure_page("Acme", "https://status.acme.test", "Europe/Berlin")
    return service


def dump(path: Path) -> list[str]:
    """Every row and schema statement of a database, to prove nothing changed."""
    if isinstance(path, DatabaseUrl):
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, _dump_pg(path.url)).result()
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


RunCli = Callable[..., Result]


@pytest.fixture
def run_cli(db_path: Path) -> RunCli:
    """Run `statuspage --db <tmp db> ARGS...`; the database is initialised first."""
    runner = CliRunner()
    first = [True]  # on PostgreSQL the database "exists" from the start: init at first use

    def run(*args: str, input: str | None = None, init: bool = True) -> Result:
        fresh = first[0] if isinstance(db_path, DatabaseUrl) else not db_path.exists()
        first[0] = False
        if init and fresh:
            result = runner.invoke(
                statuspage_cli, ["--db", str(db_path), "init", "--time-zone", "Europe/Berlin"]
            )
            assert result.exit_code == 0, result.output
        return runner.invoke(statuspage_cli, ["--db", str(db_path), *args], input=input)

    return run
