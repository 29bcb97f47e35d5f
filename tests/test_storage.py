from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from statuspage.errors import NotFound
from statuspage.migrations import migrations
from statuspage.service import Service
from statuspage.storage import Store
from statuspage.storage.db import split_statements


async def test_opening_a_missing_database_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="statuspage init"):
        await Store.open(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()


@pytest.mark.sqlite_only
async def test_migrations_run_once_and_are_recorded_by_name(db_path: Path) -> None:
    first = await Store.open(db_path, create=True)
    assert first.applied_migrations == [name for name, _ in migrations()]
    await first.close()
    second = await Store.open(db_path)
    assert second.applied_migrations == []
    assert await second.migrate() == []
    await second.close()
    conn = sqlite3.connect(db_path)
    names = [r[0] for r in conn.execute("SELECT name FROM schema_migrations")]
    assert names == [name for name, _ in migrations()]


@pytest.mark.sqlite_only
async def test_wal_mode_and_foreign_keys_are_on(store: Store) -> None:
    async with store.read() as q:
        journal = await q.fetchone("PRAGMA journal_mode")
        fks = await q.fetchone("PRAGMA foreign_keys")
    assert journal is not None and journal[0] == "wal"
    assert fks is not None and fks[0] == 1


async def test_a_failed_use_case_rolls_back_everything(svc: Service) -> None:
    before = await svc.store.revision()
    with pytest.raises(RuntimeError):
        async with svc.store.write() as q:
            await q.execute("UPDATE page SET name = 'changed'")
            raise RuntimeError("boom")
    assert (await svc.page()).name == "Acme"
    assert await svc.store.revision() == before


async def test_public_writes_bump_the_revision_seen_by_other_connections(svc: Service) -> None:
    other = await Store.open(svc.store.path)
    before = await other.revision()
    await svc.add_component("API")
    assert await other.revision() == before + 1
    async with svc.store.write(public=False):
        pass
    assert await other.revision() == before + 1
    await other.close()


def test_split_statements_keeps_comments_with_their_statement() -> None:
    script = "-- a table\nCREATE TABLE t (x);\nINSERT INTO t VALUES (';');\n"
    assert split_statements(script) == [
        "-- a table\nCREATE TABLE t (x);",
        "INSERT INTO t VALUES (';');",
    ]


@pytest.mark.sqlite_only
async def test_a_read_that_fails_part_way_leaves_no_transaction_open(
    store: Store, db_path: Path
) -> None:
    other = sqlite3.connect(db_path)
    other.execute("INSERT INTO meta (key, value) VALUES ('probe', CAST(? AS TEXT))", (b"\xff",))
    other.commit()
    with pytest.raises(sqlite3.OperationalError, match="UTF-8"):
        async with store.read() as q:
            await q.fetchall("SELECT value FROM meta WHERE key = 'probe'")
    other.execute("UPDATE meta SET value = 'fixed' WHERE key = 'probe'")
    other.commit()
    other.close()
    async with store.read() as q:  # a fresh snapshot, not the one the failed read held
        row = await q.fetchone("SELECT value FROM meta WHERE key = 'probe'")
        assert row is not None and tuple(row) == ("fixed",)
    async with store.write() as q:  # and this connection can still write
        await q.execute("DELETE FROM meta WHERE key = 'probe'")
