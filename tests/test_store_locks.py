"""On SQLite, one process at a time does what must happen once (the ticker, the publisher's
shared steps such as the mirror, the built-in checks), as on PostgreSQL: `serve --workers 2`
must not probe or upload twice. The lock is a `flock` the kernel drops with the process."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from statuspage.storage import Store

HOLD = """
import asyncio, sys
from statuspage.storage import Store
async def main():
    store = await Store.open(sys.argv[1])
    print(await store.holds("checks"), flush=True)
    sys.stdin.readline()  # hold it until told
asyncio.run(main())
"""


async def test_one_store_on_a_file_holds_a_purpose_and_another_takes_it_when_it_closes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.db"
    one = await Store.open(path, create=True)
    two = await Store.open(path)
    try:
        assert await one.holds("checks") and await one.holds("checks")  # and keeps it
        assert not await two.holds("checks")
        assert await two.holds("ticker")  # each purpose is a lock of its own
        assert not await one.holds("ticker")
        await one.close()
        assert await two.holds("checks")
    finally:
        await two.close()


def test_a_process_that_dies_gives_its_purpose_up(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    asyncio.run(_create(path))
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    ) as holder:  # fmt: skip
        assert holder.stdout is not None and holder.stdout.readline().strip() == "True"
        assert asyncio.run(_holds(path)) is False
        holder.kill()  # SIGKILL: no clean-up of its own
        holder.wait(timeout=10)
    assert asyncio.run(_holds(path)) is True


async def _create(path: Path) -> None:
    await (await Store.open(path, create=True)).close()


async def _holds(path: Path) -> bool:
    store = await Store.open(path)
    try:
        return await store.holds("checks")
    finally:
        await store.close()


async def test_an_in_memory_database_always_holds(tmp_path: Path) -> None:
    store = await Store.open(":memory:", create=True)
    try:
        assert await store.holds("publisher")
    finally:
        await store.close()
