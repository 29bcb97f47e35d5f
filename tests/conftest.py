"""Shared fixtures: a controllable clock, a real SQLite store, the service, the CLI."""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from statuspage.cli import cli as statuspage_cli
from statuspage.service import Service
from statuspage.storage import Store

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


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "status.db"


# STATUSPAGE_TEST_DB=postgresql://127.0.0.1/test: the `store` fixture (and every suite built
# on it) runs on PostgreSQL instead, in a schema of its own per test, dropped afterwards.
TEST_DB = os.environ.get("STATUSPAGE_TEST_DB", "")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: about SQLite itself; skipped on PostgreSQL")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if TEST_DB:
        skip = pytest.mark.skip(reason="about SQLite itself (STATUSPAGE_TEST_DB is set)")
        for item in items:
            if item.get_closest_marker("sqlite_only"):
                item.add_marker(skip)


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    if not TEST_DB:
        opened = await Store.open(db_path, create=True)
        yield opened
        await opened.close()
        return
    async with pg_schema() as url:
        opened = await Store.open(url)
        yield opened
        await opened.close()


@contextlib.asynccontextmanager
async def pg_schema(base: str = "") -> AsyncIterator[str]:
    """A fresh schema on the test PostgreSQL server: its URL (search_path set), dropped after."""
    import asyncpg

    base = base or TEST_DB
    schema = f"t_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(base)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        yield f"{base}{'&' if '?' in base else '?'}search_path={schema}"
    finally:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


@pytest.fixture
async def svc(store: Store, clock: FakeClock) -> Service:
    service = Service(store, clock)
    await service.ensure_page("Acme", "https://status.acme.test", "Europe/Berlin")
    return service


def dump(path: Path) -> list[str]:
    """Every row and schema statement of a database, to prove nothing changed."""
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

    def run(*args: str, input: str | None = None, init: bool = True) -> Result:
        if init and not db_path.exists():
            result = runner.invoke(
                statuspage_cli, ["--db", str(db_path), "init", "--time-zone", "Europe/Berlin"]
            )
            assert result.exit_code == 0, result.output
        return runner.invoke(statuspage_cli, ["--db", str(db_path), *args], input=input)

    return run
