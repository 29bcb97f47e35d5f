"""Enqueue benchmark: one SEV1 declaration to 100,000 subscribers, in one transaction.

60,000 e-mail, 30,000 SMS and 10,000 webhook subscribers of every component; the shipped
default plan routes SEV1 `declared` to all three. Prints the time to write the change and its
outbox rows (target: under 2 s), the rows written, and the time of a coalescing update.

    .venv/bin/python bench/comms_enqueue.py
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from pathlib import Path

from statuspage.comms.compose.validate import load_plan
from statuspage.comms.kit import Comms
from statuspage.model import new_id
from statuspage.resources import DEFAULT_PLAN
from statuspage.service import Service
from statuspage.storage import Store

MIX = {"email": 60_000, "sms": 30_000, "webhook": 10_000}
TARGET_SECONDS = 2.0


def seed(path: Path) -> None:
    conn = sqlite3.connect(path)
    now = "2026-01-01T00:00:00.000000Z"
    rows = [
        (sid, channel, f"{channel}-{sid}", now, now)
        for channel, count in MIX.items()
        for sid in (new_id() for _ in range(count))
    ]
    conn.executemany(
        "INSERT INTO subscribers (id, channel, address, state, created_at, updated_at)"
        " VALUES (?, ?, ?, 'active', ?, ?)",
        rows,
    )
    conn.commit()
    conn.close()


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        store = await Store.open(path, create=True)
        svc = Service(store, comms=Comms(load_plan(DEFAULT_PLAN)))
        await svc.ensure_page("Bench", "https://status.bench.test", "Etc/UTC")
        await svc.add_component("API")
        seed(path)
        started = time.perf_counter()
        incident = await svc.declare_incident(
            "API down", message="Investigating.", severity="SEV1", components=[("API", None)]
        )
        declared = time.perf_counter() - started
        started = time.perf_counter()
        await svc.update_incident(incident.id, message="Found it.", status="identified")
        updated = time.perf_counter() - started
        async with store.read() as q:
            counts = await q.outbox_state_counts(incident.id)
        await store.close()
    verdict = "OK" if declared < TARGET_SECONDS else "TOO SLOW"
    print(
        f"declare SEV1 to {sum(MIX.values()):,} subscribers: {declared:.2f} s ({verdict}, "
        f"target < {TARGET_SECONDS:.0f} s)"
    )
    print(f"update superseding the unsent rows: {updated:.2f} s")
    print("outbox rows by state:", dict(sorted(counts.items())))


if __name__ == "__main__":
    asyncio.run(main())
