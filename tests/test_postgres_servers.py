"""Several servers on one PostgreSQL: each hears the others' writes; one ticker at a time."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator

import pytest

from statuspage.service import Service
from statuspage.storage import Store
from tests.conftest import FakeClock

SERVER = os.environ.get("STATUSPAGE_TEST_DB") or "postgresql://postgres@127.0.0.1/test"


@pytest.fixture
async def url() -> AsyncIterator[str]:
    asyncpg = pytest.importorskip("asyncpg")
    schema = f"s_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(SERVER)
    await admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{SERVER}{'&' if '?' in SERVER else '?'}search_path={schema}"
    finally:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


async def test_a_write_on_one_server_is_heard_by_the_other(url: str) -> None:
    one, two = await Store.open(url), await Store.open(url)
    heard: asyncio.Queue[int] = asyncio.Queue()
    two.after_commit.append(heard.put_nowait)
    try:
        svc = Service(one, FakeClock())
        await svc.ensure_page("Acme", "https://status.acme.test", "Europe/Berlin")
        await svc.add_component("API")
        revision = await one.revision()
        seen = 0
        while seen != revision:  # notifications arrive in commit order
            seen = await asyncio.wait_for(heard.get(), 5)
        assert await two.revision() == revision
    finally:
        await one.close()
        await two.close()


async def test_one_ticker_at_a_time_and_another_takes_over_when_it_is_gone(url: str) -> None:
    one, two = await Store.open(url), await Store.open(url)
    try:
        assert await one.holds("ticker")
        assert await one.holds("ticker")  # still
        assert not await two.holds("ticker")
        await one.close()  # the server is gone: its sessions end
        for _ in range(50):
            if await two.holds("ticker"):
                break
            await asyncio.sleep(0.1)
        assert await two.holds("ticker")
    finally:
        await two.close()


async def test_an_sqlite_store_ticks_in_every_process(tmp_path: object) -> None:
    from pathlib import Path

    store = await Store.open(Path(str(tmp_path)) / "x.db", create=True)
    assert await store.holds("ticker")
    await store.close()
