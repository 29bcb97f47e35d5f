"""Shared fixtures: a controllable clock, a real SQLite store, the service, the CLI."""

from __future__ import annotations

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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`make unit` runs `-n 2 --dist loadgroup`), the browser suite stays on
    one worker in one run: it shares one browser and one server, package-scoped."""
    for item in items:
        if item.path.parent.name == "browser":
            item.add_marker(pytest.mark.xdist_group("browser"))
