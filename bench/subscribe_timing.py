"""Subscribe timing: does POST /subscribe take longer for a new address than for one that
is subscribed already? (It must not: the difference would tell who is subscribed.)

The real app in-process (httpx's ASGI transport, the JSON form of /subscribe), rate limits
off, the dispatcher off (nothing is sent). Requests for new and for already-active
addresses alternate, each address asked once; prints the median of each and their ratio.

    .venv/bin/python bench/subscribe_timing.py [N] [channel]    # N per side (default 400)
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from statuspage.app import create_app
from statuspage.config import Settings
from statuspage.model import Channel, SubscriberState
from statuspage.service import Service
from statuspage.service.subscribers import NewSubscriber
from statuspage.storage import Store

WARMUP = 50


def address(channel: Channel, kind: str, i: int) -> str:
    if channel is Channel.EMAIL:
        return f"{kind}-{i}@example.com"
    return f"https://127.0.0.1/{kind}/{i}"


async def seed(db: Path, channel: Channel, n: int) -> None:
    """A page and n + WARMUP active subscribers of `channel`."""
    store = await Store.open(db, create=True)
    try:
        svc = Service(store)
        await svc.ensure_page("Bench", "https://status.bench.test", "Etc/UTC")
        await svc.add_component("API")
        for i in range(n + WARMUP):
            new = NewSubscriber(channel, address(channel, "old", i), skip_confirmation=True)
            found = await svc.add_subscriber(new)
            assert found.state is SubscriberState.ACTIVE or channel is not Channel.EMAIL
    finally:
        await store.close()


def settings(db: Path) -> Settings:
    return Settings(
        db=db, secret_key="bench-" + "k" * 40, dispatcher=False, subscribe_rate_ip=0,
        subscribe_rate_address=0, smtp_host="127.0.0.1", smtp_from="Bench <s@bench.test>",
        webhook_secret="whsec_" + "QUJD" * 8, webhook_allow_http=True, webhook_allow_private=True,
    )  # fmt: skip


async def timed(client: httpx.AsyncClient, channel: Channel, to: str) -> float:
    body = {"channel": channel.value, "email" if channel is Channel.EMAIL else "url": to}
    started = time.perf_counter()
    answer = await client.post("/subscribe", json=body)
    elapsed = time.perf_counter() - started
    assert answer.status_code == 202, answer.text
    return elapsed


async def measure(db: Path, channel: Channel, n: int) -> tuple[list[float], list[float]]:
    app = create_app(settings(db))
    new: list[float] = []
    known: list[float] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for i in range(n + WARMUP):
                a = await timed(client, channel, address(channel, "new", i))
                b = await timed(client, channel, address(channel, "old", i))
                if i >= WARMUP:
                    new.append(a)
                    known.append(b)
    return new, known


async def main(n: int, channel: Channel) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        await seed(db, channel, n)
        new, known = await measure(db, channel, n)
    a, b = statistics.median(new), statistics.median(known)
    print(f"{channel.value}: {n} requests each")
    print(f"  new address      median {a * 1000:.3f} ms")
    print(f"  existing address median {b * 1000:.3f} ms")
    print(f"  ratio new/existing      {a / b:.3f}")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    chosen = Channel(sys.argv[2]) if len(sys.argv) > 2 else Channel.EMAIL
    asyncio.run(main(count, chosen))
