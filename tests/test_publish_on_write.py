"""Publish on write: a change made in the server's process is on the page as soon as it commits;
a change made by another process (the CLI) is found by the publisher's poll."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from statuspage.errors import InvalidInput
from statuspage.service import Service
from statuspage.storage import Store
from tests.admin.conftest import Api, make_api
from tests.conftest import FakeClock
from tests.site_helpers import seed, wait_for

LONG_POLL = 60.0  # far longer than any test waits: only an after-commit publish can be seen


def _status(api: Api, name: str) -> str:
    components = api.client.get("/api/v2/summary.json").json()["components"]
    return str(next(c["status"] for c in components if c["name"] == name))


@pytest.fixture
def long_poll(db_path: Path, clock: FakeClock) -> Iterator[Api]:
    yield from make_api(db_path, clock, poll_interval=LONG_POLL, tick_interval=3600)


def test_a_manage_api_write_is_on_the_public_summary_at_once_despite_a_long_poll(
    long_poll: Api,
) -> None:
    assert _status(long_poll, "API") == "operational"
    long_poll.ok("PATCH", "/components/API", json={"component": {"status": "major_outage"}})
    wait_for(lambda: _status(long_poll, "API") == "major_outage", timeout=1.0)


def test_a_service_call_inside_the_server_is_published_at_once_despite_a_long_poll(
    long_poll: Api,
) -> None:
    service = long_poll.client.app.state.service  # type: ignore[attr-defined]
    long_poll.client.portal.call(service.set_component_status, "Web", "partial_outage")  # type: ignore[union-attr]
    wait_for(lambda: _status(long_poll, "Web") == "partial_outage", timeout=1.0)


def test_a_write_by_another_process_waits_for_the_poll(
    long_poll: Api, db_path: Path, clock: FakeClock
) -> None:
    seed(db_path, clock, lambda svc: svc.set_component_status("Web", "major_outage"))
    time.sleep(0.5)
    assert _status(long_poll, "Web") == "operational"  # nothing in this process was told
    # The next publish (here: caused by a write in the process) reads the whole database.
    long_poll.ok("PATCH", "/components/API", json={"component": {"status": "under_maintenance"}})
    wait_for(lambda: _status(long_poll, "Web") == "major_outage", timeout=1.0)


@pytest.fixture
def short_poll(db_path: Path, clock: FakeClock) -> Iterator[Api]:
    yield from make_api(db_path, clock, poll_interval=0.05, tick_interval=3600)


def test_a_write_by_another_process_is_published_by_a_short_poll(
    short_poll: Api, db_path: Path, clock: FakeClock
) -> None:
    seed(db_path, clock, lambda svc: svc.set_component_status("Web", "major_outage"))
    wait_for(lambda: _status(short_poll, "Web") == "major_outage", timeout=1.0)


async def test_the_store_tells_its_sinks_the_revision_after_a_public_change_commits(
    db_path: Path, clock: FakeClock
) -> None:
    store = await Store.open(db_path, create=True)
    heard: list[int] = []
    try:
        svc = Service(store, clock)
        await svc.ensure_page("Acme", "https://status.acme.test", "UTC")
        await svc.add_component("API")
        store.after_commit.append(heard.append)
        before = await store.revision()
        async with store.write() as q, store.write() as inner:  # a nested write is one commit
            assert inner is q
            await q.execute("UPDATE components SET description = 'x'")
        assert heard == [before + 1] == [await store.revision()]
        async with store.write() as q:
            await q.execute("UPDATE components SET description = 'x' WHERE 0")
        async with store.write(public=False) as q:
            await q.execute("UPDATE components SET description = 'y'")
        with pytest.raises(InvalidInput):
            async with store.write() as q:
                await q.execute("UPDATE components SET description = 'z'")
                raise InvalidInput("refused")
        assert heard == [before + 1]  # no change, not public, rolled back: nothing to publish
    finally:
        await store.close()
