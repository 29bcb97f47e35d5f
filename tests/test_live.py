"""Real processes on loopback: `serve --workers 2`, changed by the CLI from another process."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import RunCli
from tests.test_app import free_port, wait_until_serving


@pytest.fixture
def server(run_cli: RunCli, db_path: Path, tmp_path: Path) -> Iterator[str]:
    run_cli("component", "add", "API")
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "statuspage.cli", "--db", str(db_path), "serve",
         "--port", str(port), "--workers", "2"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base + "/", proc, tmp_path / "serve.log")
        # Every worker up: a run of requests on fresh connections all answered.
        for _ in range(40):
            assert fresh_get(base + "/api/v2/status.json").status == 200
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


def fresh_get(url: str) -> Reply:
    """A request on a new connection, so the kernel may hand it to either worker."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=2)
    try:
        conn.request("GET", parts.path)
        response = conn.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return Reply(response.status, headers, response.read().decode())
    finally:
        conn.close()


def test_a_cli_change_shows_on_every_worker_within_a_second(server: str, db_path: Path) -> None:
    before = {fresh_get(server + "/api/v2/status.json").headers["etag"] for _ in range(10)}
    assert len(before) == 1  # every worker publishes the same bytes
    subprocess.run(
        [sys.executable, "-m", "statuspage.cli", "--db", str(db_path), "incident", "declare",
         "Live outage", "--impact", "critical", "--component", "API", "-m", "Down."],
        check=True, capture_output=True,
    )  # fmt: skip
    changed_at = time.monotonic()
    first_seen = None
    while first_seen is None:
        body = fresh_get(server + "/api/v2/summary.json").json()
        if [i["name"] for i in body["incidents"]] == ["Live outage"]:
            first_seen = time.monotonic() - changed_at
        assert time.monotonic() - changed_at < 1.0, "the change did not show within 1 s"
    # One second after the change every worker must serve it: requests on fresh connections
    # land on either worker (a run of correct answers alone could all come from one).
    time.sleep(max(0.0, 1.0 - (time.monotonic() - changed_at)))
    for _ in range(40):
        body = fresh_get(server + "/api/v2/summary.json").json()
        assert [i["name"] for i in body["incidents"]] == ["Live outage"], "a worker was stale"
    html = fresh_get(server + "/").text
    assert "Major Service Outage" in html and "Live outage" in html
    replies = [fresh_get(server + "/api/v2/status.json") for _ in range(10)]
    after = {r.headers["etag"] for r in replies}
    assert len(after) == 1, sorted({r.text[-150:] for r in replies})
    assert after != before
