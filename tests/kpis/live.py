"""The real app for the KPI tests: served by uvicorn on loopback, on the test's clock."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from statuspage.app import create_app
from statuspage.config import Settings
from statuspage.events import Clock, utcnow
from tests.delivery.conftest import PLAN


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def app_settings(db_path: Path, **changes: Any) -> Settings:
    """The test plan, no dispatcher: the server sends nothing of the story on its own (its
    first tick, at start, may still remind owners of an overdue update: comms_plan="off")."""
    defaults = {"comms_plan": str(PLAN), "dispatcher": False, "tick_interval": 3600,
                "api_rate_limit": 0}  # fmt: skip
    return Settings(db=db_path, **{**defaults, **changes})


@contextmanager
def serving(settings: Settings, clock: Clock = utcnow) -> Iterator[str]:
    """The app with uvicorn on a loopback port, in a thread, on the test's clock."""
    app = create_app(settings, clock)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


async def get(url: str, **kw: Any) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.get(url, **kw)
