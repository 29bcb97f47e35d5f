"""Migration 0701 rebuilds api_keys and status_changes to widen their CHECKs: every row and id
stays, the keys' audit triggers come back, and the new values are taken."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from statuspage.migrations import migrations
from statuspage.storage import Store
from statuspage.storage.db import split_statements


def migrate_up_to(db: Path, last: str) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        for name, sql in migrations():
            if name > last:
                break
            conn.execute("BEGIN")
            for statement in split_statements(sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations VALUES (?, 'then')", (name,))
            conn.execute("COMMIT")
    finally:
        conn.close()


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.execute(sql).fetchall())
    finally:
        conn.close()


async def test_keys_and_status_changes_keep_every_row_and_take_the_new_values(
    db_path: Path,
) -> None:
    migrate_up_to(db_path, "0601_translations")
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.executescript(
        "INSERT INTO components (id, name, position, status, created_at, updated_at) VALUES"
        " ('c1', 'API', 1, 'operational', 't', 't');"
        "INSERT INTO status_changes (id, component_id, at, new_status, cause) VALUES"
        " (41, 'c1', 't1', 'operational', 'manual'), (42, 'c1', 't2', 'major_outage', 'manual');"
        "INSERT INTO api_keys (id, name, scope, key_hash, created_at, created_by) VALUES"
        " ('k1', 'bot', 'write', 'h1', 't', 'me');"
    )
    conn.close()
    before_keys = rows(db_path, "SELECT * FROM api_keys")
    before_changes = rows(db_path, "SELECT * FROM status_changes ORDER BY id")
    store = await Store.open(db_path)
    await store.close()
    assert store.applied_migrations[0] == "0701_automation"
    assert rows(db_path, "SELECT * FROM api_keys") == before_keys
    assert rows(db_path, "SELECT * FROM status_changes ORDER BY id") == before_changes
    triggers = {
        r[0] for r in rows(db_path, "SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }
    assert {"audit_api_keys_insert", "audit_api_keys_update", "audit_api_keys_delete"} <= triggers
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute(
        "INSERT INTO api_keys (id, name, scope, key_hash, created_at, created_by) VALUES"
        " ('k2', 'am', 'alerts', 'h2', 't', 'me')"
    )
    conn.execute(
        "INSERT INTO status_changes (component_id, at, new_status, cause) VALUES"
        " ('c1', 't3', 'operational', 'automation')"
    )
    conn.close()
    assert rows(db_path, "SELECT id FROM status_changes ORDER BY id") == [(41,), (42,), (43,)]
    assert ("api_keys", "k2") in rows(db_path, "SELECT table_name, row_id FROM audit_log")
