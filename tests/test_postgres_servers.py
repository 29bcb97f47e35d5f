"""Several servers on one PostgreSQL: each hears the others' writes; one ticker, one
publisher and one prober of the checks at a time, and another takes over when the one
holding it is gone."""

from __future__ import annotations

import asyncio
import os
import secrets
import socketserver
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from statuspage.app import create_app
from statuspage.config import Settings
from statuspage.service import Service
from statuspage.site.artifacts import Site
from statuspage.site.asgi import SiteApp
from statuspage.site.publisher import Publisher
from statuspage.storage import Store
from statuspage.storage.location import DatabaseUrl
from tests.conftest import FakeClock
from tests.site_helpers import wait_for

pytestmark = pytest.mark.postgres
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


async def _write(url: str, component: str) -> int:
    """A write by another process (the CLI, say): a component added; the new revision."""
    store = await Store.open(url)
    try:
        svc = Service(store, FakeClock())
        await svc.ensure_page("Acme", "https://status.acme.test", "Europe/Berlin")
        await svc.add_component(component)
        return await store.revision()
    finally:
        await store.close()


def test_one_server_publishes_to_shared_storage_and_another_takes_over_when_it_closes(
    url: str,
) -> None:
    asyncio.run(_write(url, "API"))
    apps = [
        create_app(Settings(db=DatabaseUrl(url), tick_interval=3600, poll_interval=0.05))
        for _ in range(2)
    ]
    clients = [TestClient(app) for app in apps]
    open_clients = []
    try:
        for c in clients:
            c.__enter__()
            open_clients.append(c)
        publishers = [_publisher(app) for app in apps]
        wait_for(lambda: any(p.is_publisher for p in publishers))
        time.sleep(1.5)  # more than an election interval: the other asked too, and lost
        assert sorted(p.is_publisher for p in publishers) == [False, True]
        leader = 0 if publishers[0].is_publisher else 1
        other = 1 - leader
        shared: list[list[int]] = [[], []]
        for n, p in enumerate(publishers):
            p.shared.append(lambda site, n=n: shared[n].append(_revision(site)))

        revision = asyncio.run(_write(url, "Payments"))
        wait_for(lambda: all(_revision(p.published.site) == revision for p in publishers))
        assert b"Payments" in clients[other].get("/").content  # every server serves it
        wait_for(lambda: shared[leader] == [revision])  # told after its site is served
        assert shared[other] == []

        clients[leader].__exit__(None, None, None)  # its sessions end; the lock is free
        open_clients.remove(clients[leader])
        started = time.monotonic()
        wait_for(lambda: publishers[other].is_publisher, timeout=5)
        assert time.monotonic() - started < 3
        # The new publisher shares the site it serves at once: the one before may have died
        # before its upload finished.
        assert shared[other] == [revision]
    finally:
        for c in open_clients:
            c.__exit__(None, None, None)


def _publisher(app: object) -> Publisher:
    assert isinstance(app, SiteApp) and app.published.publisher is not None
    return app.published.publisher


def _revision(site: Site | None) -> int:
    return site.revision if site is not None else -1


class _Counter(socketserver.ThreadingTCPServer):
    """A TCP service the checks probe: it counts the connections (the probes) it gets."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), socketserver.BaseRequestHandler)
        self.count = 0

    def process_request(self, request: Any, client_address: Any) -> None:
        self.count += 1
        self.shutdown_request(request)


def test_one_server_runs_the_checks_and_another_takes_over_when_it_closes(
    url: str, tmp_path: Path
) -> None:
    asyncio.run(_write(url, "API"))
    target = _Counter()
    threading.Thread(target=target.serve_forever, daemon=True).start()
    rules = tmp_path / "automation.yaml"
    rules.write_text(
        "version: 1\nchecks:\n  - name: api-port\n"
        f"    tcp: {{host: 127.0.0.1, port: {target.server_address[1]}}}\n"
        "    components: [API]\n    interval: 1s\n    timeout: 500ms\n"
    )
    settings = Settings(
        db=DatabaseUrl(url), tick_interval=3600, poll_interval=0.05, automation=str(rules)
    )
    clients = [TestClient(create_app(settings)) for _ in range(2)]
    open_clients = []
    try:
        for c in clients:
            c.__enter__()
            open_clients.append(c)
        wait_for(lambda: target.count >= 1, timeout=5)
        start, began = target.count, time.monotonic()
        time.sleep(4)
        rate = (target.count - start) / (time.monotonic() - began)
        assert 0.3 <= rate <= 1.6, rate  # one prober at 1/s; two would make it about 2/s
        open_clients.pop(0).__exit__(None, None, None)  # whichever probed, one is left
        time.sleep(2.5)  # the lock is asked for every second
        start, began = target.count, time.monotonic()
        time.sleep(3)
        rate = (target.count - start) / (time.monotonic() - began)
        assert 0.3 <= rate <= 1.6, rate  # the one left probes
    finally:
        for c in open_clients:
            c.__exit__(None, None, None)
        target.shutdown()
        target.server_close()
