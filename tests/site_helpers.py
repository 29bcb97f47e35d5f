"""Helpers for tests of the public site: seed a database through the use cases, open the app."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from starlette.testclient import TestClient

from statuspage.app import create_app
from statuspage.config import Settings
from statuspage.events import Clock
from statuspage.service import Service
from statuspage.storage import Store

T = TypeVar("T")


def seed(
    db_path: Path, clock: Clock, use: Callable[[Service], Awaitable[T]], tz: str = "Europe/Berlin"
) -> T:
    """Run `use` on a Service over the database (created with a page if new)."""

    async def go() -> T:
        store = await Store.open(db_path, create=True)
        try:
            svc = Service(store, clock)
            await svc.ensure_page("Acme", "https://status.acme.test", tz)
            return await use(svc)
        finally:
            await store.close()

    return asyncio.run(go())


def client(db_path: Path, clock: Clock, **settings: Any) -> TestClient:
    """A TestClient for the real app (use it as a context manager: it runs the lifespan)."""
    values: dict[str, Any] = {"db": db_path, "tick_interval": 3600, "poll_interval": 0.02}
    values.update(settings)
    return TestClient(create_app(Settings(**values), clock=clock))


def wait_for(check: Callable[[], bool], timeout: float = 3.0) -> None:
    """Poll `check` until it holds; fail after `timeout` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)
