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
    "0704_checks_through_rules": (
        "abfe53d6470ea8b74dba433784b972dc65ae1e7ad4c59f859a2a50965cec77b4"
    ),
    "0705_check_tallies": "063590cf3eb7d0b15232d2a71f11a8749d4487f527fff6860e81eb8436ab22e0",
    "0801_page_branding": "c37007e7132d6090240274ccd8c465ee5af2b49f7acdfad4014fcdac60361a2f",
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


async def test_0704_keeps_the_checks_causes_as_automation_causes_on_postgresql() -> None:
    asyncpg = pytest.importorskip("asyncpg")
    schema = f"m_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(SERVER)
    await admin.execute(f"CREATE SCHEMA {schema}")
    url = f"{SERVER}{'&' if '?' in SERVER else '?'}search_path={schema}"
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
        )
        for name, sql in migrations("postgresql"):
            if name > "0703_checks":
                break
            await conn.execute(sql)
            await conn.execute("INSERT INTO schema_migrations VALUES ($1, 'then')", name)
        await conn.execute(
            "INSERT INTO components (id, name, position, status, created_at, updated_at) VALUES"
            " ('c1', 'API', 1, 'major_outage', 't', 't');"
            "INSERT INTO status_changes (id, component_id, at, old_status, new_status, cause)"
            " VALUES (7, 'c1', 't1', NULL, 'operational', 'manual'),"
            " (8, 'c1', 't2', 'operational', 'major_outage', 'manual');"
            "INSERT INTO check_changes (status_change_id, component_id, check_name, outcome)"
            " VALUES (8, 'c1', 'api-port', 'down');"
            "INSERT INTO check_holds (check_name, component_id, status, since)"
            " VALUES ('api-port', 'c1', 'major_outage', 't2');"
        )
        store = await Store.open(url)
        await store.close()
        assert store.applied_migrations[0] == "0704_checks_through_rules"
        causes = await conn.fetch("SELECT id, cause FROM status_changes ORDER BY id")
        assert [tuple(r) for r in causes] == [(7, "manual"), (8, "automation")]
        kept = await conn.fetch("SELECT * FROM automation_changes")
        assert [tuple(r) for r in kept] == [
            (8, "c1", "check", "check", "check:api-port", "api-port")
        ]
        left = await conn.fetch(
            "SELECT relname FROM pg_class WHERE relnamespace = $1::regnamespace"
            " AND relname LIKE 'check\\_%' UNION SELECT proname FROM pg_proc"
            " WHERE pronamespace = $1::regnamespace AND proname LIKE '%check\\_changes%'",
            schema,
        )
        assert not {r[0] for r in left} & {"check_holds", "check_changes"}
        assert not [r[0] for r in left if r[0].startswith("audit_")]
    finally:
        await conn.close()
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()
