"""The PostgreSQL migrations: frozen like SQLite's, the same names, the same tables and columns."""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
from pathlib import Path

import pytest

from statuspage.migrations import migrations
from statuspage.storage import Store

# Add a line for each new migration; never change a line that is here.
SHIPPED = {
    "0001_core": "741abea9b5b98344a292d63de612a0bd426b9417dac3854560e7ccff77420297",
    "0002_subscribers": "fce2ee7f756e691654c129fb5b8697c918c50e29e12ddbcc952214da146f18bc",
    "0201_comms_outbox": "cdd5f6ed2ad4adcb554b1105b8410f25811f83408ec1c83af04055b013983f72",
    "0301_api_keys_templates_audit": (
        "26f5224711048b98e9059e5448ce5417d2d6a8de9573f8e3350f66f30518efdc"
    ),
    "0302_audit_comms_approvals": (
        "c4493bca0d610299095f9bc9b3e6c0307b717e3346f72285ea2bd54078cb398d"
    ),
    "0401_delivery": "360c3fe48aa73f661b2ceb11387668010233d12830ccf4e1bf3a619d4c0978d8",
    "0501_subscriptions": "667cffbb21643c9b61c37e91a7edb49fffe899c6c63976222dfaf5290223144f",
    "0502_audit_subscriber_components_tags": (
        "0b02f4e5f26d50c429b86e5674fc4a7a31d5fddb62bc10cfeb9d31e046dc52ff"
    ),
    "0601_translations": "ab5102bc84bfb2bee9a370b312abc6ade967da70602e3bdbc7dd4d8c1519c8cb",
    "0701_automation": "58942b2ae43ddbc5566de96812251bfbe31284fd72e77ec31bbb78f24c78ecde",
    "0703_checks": "40fcf13c680dbcb6412088584426e488fe57955a91941fd7baa9a8a7f3fffb16",
}
# SQLite's implicit rowid, made an explicit column where queries order by it.
IMPLICIT = {"rowid"}
SERVER = os.environ.get("STATUSPAGE_TEST_DB") or "postgresql://postgres@127.0.0.1/test"


def test_no_shipped_postgresql_migration_was_edited_renamed_or_removed() -> None:
    found = {n: hashlib.sha256(sql.encode()).hexdigest() for n, sql in migrations("postgresql")}
    assert {name: found.get(name) for name in SHIPPED} == SHIPPED


def test_both_dialects_have_the_same_migrations_by_name() -> None:
    assert [n for n, _ in migrations("postgresql")] == [n for n, _ in migrations()]


def _sqlite_schema(path: Path) -> dict[str, set[str]]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: {r[1] for r in conn.execute(f"PRAGMA table_info({t})")} for t in tables}
    finally:
        conn.close()


async def test_both_dialects_end_with_the_same_tables_and_columns(tmp_path: Path) -> None:
    asyncpg = pytest.importorskip("asyncpg")
    sqlite_store = await Store.open(tmp_path / "s.db", create=True)
    await sqlite_store.close()
    schema = f"m_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(SERVER)
    await admin.execute(f"CREATE SCHEMA {schema}")
    try:
        sep = "&" if "?" in SERVER else "?"
        pg = await Store.open(f"{SERVER}{sep}search_path={schema}")
        assert pg.applied_migrations == [n for n, _ in migrations("postgresql")]
        await pg.close()
        again = await Store.open(f"{SERVER}{sep}search_path={schema}")
        assert again.applied_migrations == []
        await again.close()
        rows = await admin.fetch(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = $1 AND table_name IN (SELECT table_name FROM"
            " information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE')",
            schema,
        )
    finally:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()
    postgres: dict[str, set[str]] = {}
    for table, column in rows:
        if column not in IMPLICIT:
            postgres.setdefault(table, set()).add(column)
    assert postgres == _sqlite_schema(tmp_path / "s.db")
