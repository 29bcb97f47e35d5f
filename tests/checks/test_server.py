"""The server runs the checks of STATUSPAGE_AUTOMATION on their own schedules and publishes
what they change; a file that does not validate stops the start."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from statuspage.errors import PlanError
from statuspage.service import Service
from tests.checks.conftest import free_port
from tests.conftest import FakeClock
from tests.site_helpers import client, seed


def test_the_server_probes_on_schedule_and_the_page_follows(
    db_path: Path, tmp_path: Path, clock: FakeClock, request: pytest.FixtureRequest
) -> None:
    async def add(svc: Service) -> None:
        await svc.add_component("API")

    seed(db_path, clock, add)
    listener = socket.socket()
    request.addfinalizer(listener.close)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    rules = tmp_path / "automation.yaml"
    rules.write_text(
        f"version: 1\nchecks:\n  - name: api-port\n    tcp: {{host: 127.0.0.1, port: {port}}}\n"
        "    components: [API]\n    interval: 1s\n    timeout: 500ms\n"
    )
    with client(db_path, clock, automation=str(rules), check_concurrency=2) as http:

        def api() -> str:
            return str(http.get("/api/v2/components.json").json()["components"][0]["status"])

        deadline = time.monotonic() + 5
        while api() != "major_outage":  # nothing listens yet
            assert time.monotonic() < deadline, "the check did not take the API down"
            time.sleep(0.05)
        listener.listen(8)
        deadline = time.monotonic() + 5
        while api() != "operational":
            assert time.monotonic() < deadline, "the check did not restore the API"
            time.sleep(0.05)
        indicator = http.get("/api/v2/status.json").json()["status"]["indicator"]
        assert indicator == "none"


def test_a_broken_checks_list_stops_the_server_start(
    db_path: Path, tmp_path: Path, clock: FakeClock
) -> None:
    seed(db_path, clock, lambda svc: svc.list_components())
    rules = tmp_path / "automation.yaml"
    rules.write_text(f"version: 1\nchecks:\n  - name: x\n"
                     f"    tcp: {{host: db, port: {free_port()}}}\n    interval: 0s\n")  # fmt: skip
    broken = pytest.raises(PlanError, match=r"automation.yaml:5:15: error: bad duration")
    with broken, client(db_path, clock, automation=str(rules)):
        pass
