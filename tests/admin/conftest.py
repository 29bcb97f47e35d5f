"""Fixtures for the admin API, remote CLI and audit tests: a seeded page and real clients."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from click.testing import CliRunner, Result
from starlette.testclient import TestClient

from statuspage.app import create_app
from statuspage.cli import cli
from statuspage.config import Settings
from statuspage.events import Event
from statuspage.service import Service
from statuspage.storage import Queries, Store
from tests.conftest import FakeClock


@dataclass
class Seeded:
    page_id: str
    keys: dict[str, str]
    components: dict[str, str]  # name -> id


async def seed(db_path: Path, clock: FakeClock) -> Seeded:
    store = await Store.open(db_path, create=True)
    try:
        svc = Service(store, clock)
        page = await svc.ensure_page("Acme", "https://status.acme.test", "Europe/Berlin")
        await svc.add_group("Core")
        api = await svc.add_component("API", group="Core", description="REST API")
        web = await svc.add_component("Web")
        keys = {s: (await svc.create_api_key(f"{s}-bot", s))[1] for s in ("read", "write", "admin")}
        return Seeded(page.id, keys, {"API": api.id, "Web": web.id})
    finally:
        await store.close()


@dataclass
class Api:
    """The app behind a real HTTP client, with a key of each scope."""

    client: TestClient
    seeded: Seeded
    events: list[Event] = field(default_factory=list)

    @property
    def page_id(self) -> str:
        return self.seeded.page_id

    def id_of(self, name: str) -> str:
        return self.seeded.components[name]

    def url(self, rest: str = "") -> str:
        return f"/v1/pages/{self.page_id}{rest}"

    def request(self, method: str, rest: str, scope: str = "admin", **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"OAuth {self.seeded.keys[scope]}", **kw.pop("headers", {})}
        return self.client.request(method, self.url(rest), headers=headers, **kw)

    def ok(self, method: str, rest: str, status: int = 200, **kw: Any) -> Any:
        response = self.request(method, rest, **kw)
        assert response.status_code == status, response.text
        return response.json() if response.content else None


def make_api(db_path: Path, clock: FakeClock, **settings: Any) -> Iterator[Api]:
    seeded = asyncio.run(seed(db_path, clock))
    app = create_app(Settings(db=db_path, **{"api_rate_limit": 0, **settings}), clock)
    with TestClient(app) as client:
        api = Api(client, seeded)

        async def record(q: Queries, event: Event) -> None:
            api.events.append(event)

        app.state.service.sinks.append(record)
        yield api


@pytest.fixture
def api(db_path: Path, clock: FakeClock) -> Iterator[Api]:
    yield from make_api(db_path, clock)


@dataclass
class Live:
    """The app served by uvicorn on a loopback port."""

    url: str
    seeded: Seeded


@contextmanager
def serving(db_path: Path, **settings: Any) -> Iterator[str]:
    """Serve the app for `db_path` with uvicorn on 127.0.0.1 in a thread; yield its URL."""
    options: dict[str, Any] = {"api_rate_limit": 0, "tick_interval": 3600, **settings}
    app = create_app(Settings(db=db_path, **options))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
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


@pytest.fixture
def live(db_path: Path) -> Iterator[Live]:
    seeded = asyncio.run(seed(db_path, FakeClock(datetime.now(UTC))))
    with serving(db_path) as url:
        yield Live(url, seeded)


# A server's database made with the CLI, and the CLI in remote mode against it.
INIT = [
    "init",
    "--name",
    "Acme",
    "--url",
    "https://status.acme.test",
    "--time-zone",
    "Europe/Berlin",
]
Run = Callable[..., Result]


@pytest.fixture
def server_db(tmp_path: Path) -> Path:
    return tmp_path / "server.db"


@pytest.fixture
def remote(server_db: Path) -> Iterator[Run]:
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(server_db), *INIT]).exit_code == 0
    made = runner.invoke(
        cli, ["--db", str(server_db), "token", "create", "oncall", "--scope", "admin", "--json"]
    )
    key = json.loads(made.output)["key"]
    with serving(server_db, comms_plan="off") as url:

        def run(*args: str, token: str = key) -> Result:
            return runner.invoke(cli, ["--server", url, *args], env={"STATUSPAGE_TOKEN": token})

        run.url = url  # type: ignore[attr-defined]
        yield run
