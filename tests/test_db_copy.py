"""`statuspage db copy`: an SQLite install moves to PostgreSQL, all tables, counts verified."""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from statuspage.cli import cli
from statuspage.service import Service
from statuspage.storage import Store

SERVER = os.environ.get("STATUSPAGE_TEST_DB") or "postgresql://postgres@127.0.0.1/test"


def test_an_install_moves_over_and_copying_again_changes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "status.db"
    result = CliRunner().invoke(
        cli, ["--db", str(source), "init", "--demo", "--url", "http://x.test"]
    )
    assert result.exit_code == 0, result.output
    schema = f"c_{secrets.token_hex(6)}"
    url = f"{SERVER}{'&' if '?' in SERVER else '?'}search_path={schema}"
    asyncio.run(_admin(f"CREATE SCHEMA {schema}"))
    try:
        for _ in range(2):  # idempotent: the second copy replaces the first
            result = CliRunner().invoke(cli, ["db", "copy", str(source), url])
            assert result.exit_code == 0, result.output
            assert "Copied" in result.output
        asyncio.run(_compare(source, url, schema))
    finally:
        asyncio.run(_admin(f"DROP SCHEMA {schema} CASCADE"))


async def _admin(sql: str) -> None:
    asyncpg = pytest.importorskip("asyncpg")
    admin = await asyncpg.connect(SERVER)
    try:
        await admin.execute(sql)
    finally:
        await admin.close()


async def _compare(source: Path, url: str, schema: str) -> None:
    asyncpg = pytest.importorskip("asyncpg")
    admin = await asyncpg.connect(SERVER)
    try:
        conn = sqlite3.connect(source)
        for table in ("incidents", "incident_updates", "components", "audit_log", "outbox"):
            expected = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            assert await admin.fetchval(f"SELECT COUNT(*) FROM {schema}.{table}") == expected
        conn.close()
        sqlite_svc = await Service.open(source)
        pg_svc = await Service.open(url)
        try:
            assert [i.name for i in await pg_svc.list_incidents()] == [
                i.name for i in await sqlite_svc.list_incidents()
            ]
            await pg_svc.add_component("Added after the move")  # the sequences continue
            async with pg_svc.store.read() as q:
                assert (await q.fetchone("SELECT COUNT(*) FROM audit_log"))[0] > 0
        finally:
            await sqlite_svc.store.close()
            await pg_svc.store.close()
    finally:
        await admin.close()


def test_copy_refuses_a_target_that_is_not_postgresql(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["db", "copy", str(tmp_path / "a.db"), str(tmp_path / "b.db")])
    assert result.exit_code != 0
    assert "postgresql://" in result.output
    assert not (tmp_path / "b.db").exists()


async def test_a_store_opens_either_dialect_from_its_location(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "x.db", create=True)
    assert type(store).__name__ == "Store"
    await store.close()
