"""Migration 0704 retires the checks' own holds and causes: the causes already recorded
become automation causes (rule 'check', the check's fingerprint), both tables go."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from statuspage.storage import Store
from tests.automation.test_migration import migrate_up_to, rows


async def test_the_checks_causes_become_automation_causes_and_their_tables_go(
    db_path: Path,
) -> None:
    migrate_up_to(db_path, "0703_checks")
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.executescript(
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
    conn.close()
    store = await Store.open(db_path)
    await store.close()
    assert "0704_checks_through_rules" in store.applied_migrations
    assert rows(db_path, "SELECT id, cause FROM status_changes ORDER BY id") == [
        (7, "manual"),
        (8, "automation"),
    ]
    assert rows(db_path, "SELECT * FROM automation_changes") == [
        (8, "c1", "check", "check", "check:api-port", "api-port")
    ]
    tables = {r[0] for r in rows(db_path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not tables & {"check_holds", "check_changes"}


async def test_the_probes_already_stored_are_counted_into_quarter_hour_tallies(
    db_path: Path,
) -> None:
    migrate_up_to(db_path, "0704_checks_through_rules")
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.executescript(
        "INSERT INTO check_results (name, at, outcome) VALUES"
        " ('api', '2026-03-10T12:00:00.000000Z', 'up'),"
        " ('api', '2026-03-10T12:14:59.999999Z', 'down'),"
        " ('api', '2026-03-10T12:15:00.000000Z', 'degraded'),"
        " ('api', '2026-03-10T12:59:30.000000Z', 'up'),"
        " ('web', '2026-03-10T12:05:00.000000Z', 'degraded');"
    )
    conn.close()
    store = await Store.open(db_path)
    await store.close()
    assert rows(db_path, "SELECT * FROM check_tallies ORDER BY name, bucket") == [
        ("api", "2026-03-10T12:00:00.000000Z", 2, 1, 2),
        ("api", "2026-03-10T12:15:00.000000Z", 1, 0, 1),
        ("api", "2026-03-10T12:45:00.000000Z", 1, 0, 0),
        ("web", "2026-03-10T12:00:00.000000Z", 1, 0, 1),
    ]
