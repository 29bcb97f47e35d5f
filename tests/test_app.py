"""The server: the app in-process, and `statuspage serve` as a real process on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from starlette.testclient import TestClient

from statuspage.app import create_app
from statuspage.config import Settings
from tests.conftest import RunCli


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_serving(
    url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 30
) -> httpx.Response:
    """The first 200 from `url` of a `statuspage serve` process; fails with its log if the
    process exits first, or after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)


def test_the_home_page_lists_components_and_open_incidents(run_cli: RunCli, db_path: Path) -> None:
    run_cli("component", "add", "API")
    run_cli(
        "incident",
        "declare",
        "<b>API</b> errors",
        "--impact",
        "major",
        "--component",
        "API",
        "-m",
        "Looking.",
    )
    with TestClient(create_app(Settings(db=db_path))) as client:
        html = client.get("/").text
    assert "Partial System Outage" in html
    assert '<h3 class="name">API</h3>' in html and "Partial outage" in html
    assert "&lt;b&gt;API&lt;/b&gt; errors" in html  # autoescaped


def test_serve_refuses_a_port_in_use_in_one_line(run_cli: RunCli) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("serve", "--port", str(port))
    assert result.exit_code == 2
    assert f"error: cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "--port" in result.stderr


def test_statuspage_serve_runs_uvicorn_on_loopback(
    run_cli: RunCli, db_path: Path, tmp_path: Path
) -> None:
    run_cli("component", "add", "API")
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "statuspage.cli",
            "--db",
            str(db_path),
            "serve",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        response = wait_until_serving(f"http://127.0.0.1:{port}/", proc, tmp_path / "serve.log")
        assert "All Systems Operational" in response.text
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
    assert "warning: STATUSPAGE_SECRET_KEY is not set" in (tmp_path / "serve.log").read_text()


def test_the_server_performs_due_maintenance_transitions_on_its_own(
    run_cli: RunCli, db_path: Path
) -> None:
    run_cli("component", "add", "DB")
    run_cli(
        "maintenance", "schedule", "Upgrade", "--start", "-1m", "--end", "+1h", "--component", "DB"
    )
    with TestClient(create_app(Settings(db=db_path, tick_interval=0.05))) as client:
        deadline = time.monotonic() + 5
        # (the uptime legend says "Under maintenance" on every page: wait for the banner)
        while "Service Under Maintenance" not in client.get("/").text:
            assert time.monotonic() < deadline, "the server did not start the maintenance"
            time.sleep(0.05)
        page = client.get("/").text
        assert 'id="maintenance-heading"' in page and "Upgrade" in page
