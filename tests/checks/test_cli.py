"""`statuspage checks validate|example|run --once|list|uptime` through click's runner on a
real database, probing real sockets on loopback."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import trustme

from tests.checks.conftest import free_port
from tests.conftest import RunCli


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"status": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def https(tmp_path: Path) -> Iterator[tuple[int, str, datetime]]:
    """An HTTPS server with a certificate (from trustme) that expires in 10 days."""
    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    cert = ca.issue_cert("localhost", not_before=expires - timedelta(days=30), not_after=expires)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], str(ca_file), expires
    server.shutdown()
    server.server_close()


@pytest.fixture
def listening() -> Iterator[int]:
    """A port that accepts connections (the kernel completes them; nobody needs to accept)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        yield s.getsockname()[1]


def automation(tmp_path: Path, http_port: int, tcp_port: int, retries: int = 0) -> Path:
    path = tmp_path / "automation.yaml"
    path.write_text(
        f"""version: 1
rules: []
checks:
  - name: api
    http: {{url: "http://127.0.0.1:{http_port}/health", json_path: $.status, json_value: ok}}
    components: [API]
  - name: db
    tcp: {{host: 127.0.0.1, port: {tcp_port}}}
    components: [API]
    retries: {retries}
"""
    )
    return path


def test_run_once_stores_applies_and_exits_0_when_nothing_is_down(
    run_cli: RunCli, tmp_path: Path, http_port: int, listening: int
) -> None:
    run_cli("component", "add", "API")
    path = automation(tmp_path, http_port, listening)
    result = run_cli("checks", "run", "--once", "--file", str(path))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["CHECK", "PROBE", "LATENCY", "STATE", "FAILURES", "DETAIL"]
    assert lines[1].split()[:2] == ["api", "up"] and lines[1].endswith("HTTP 200")
    assert lines[2].split()[:2] == ["db", "up"] and lines[2].endswith("connected")
    listed = json.loads(run_cli("checks", "list", "--file", str(path), "--json").output)
    assert [(c["name"], c["state"], c["last"]["outcome"]) for c in listed] == [
        ("api", "up", "up"),
        ("db", "up", "up"),
    ]
    assert listed[0]["last"]["latency_ms"] > 0 and listed[0]["components"] == ["API"]


def test_run_once_exits_1_when_a_check_is_down_and_moves_its_component(
    run_cli: RunCli, tmp_path: Path, http_port: int
) -> None:
    run_cli("component", "add", "API")
    closed = free_port()
    path = automation(tmp_path, http_port, closed, retries=1)
    first = run_cli("checks", "run", "--once", "--file", str(path))
    assert first.exit_code == 0, first.output  # one failure: within its retries
    assert "Operational" in run_cli("component", "list").output
    second = run_cli("checks", "run", "--once", "--file", str(path), "--json")
    assert second.exit_code == 1, second.output
    report = json.loads(second.output)
    db = next(c for c in report["checks"] if c["name"] == "db")
    assert (db["outcome"], db["state"], db["failures"], db["changed"]) == ("down", "down", 2, True)
    assert report["changes"] == [
        {"component": "API", "from": "operational", "to": "major_outage", "rule": "default",
         "checks": ["db"]}
    ]  # fmt: skip
    assert (report["held_by_hand"], report["pending"], report["ignored"]) == ([], [], [])
    assert "Major Outage" in run_cli("component", "list").output
    listed = run_cli("checks", "list", "--file", str(path))
    assert listed.exit_code == 0
    row = next(line for line in listed.output.splitlines() if line.startswith("db "))
    assert row.split()[2:5] == ["down", "2", "down"]
    assert f"127.0.0.1:{closed}" in row and " ms " in row
    assert " ago " in row or " just now " in row  # when the last probe ran
    audit = run_cli("audit").output
    assert "automation via automation" in audit and "check db down" in audit
    assert "operational → major_outage" in audit
    history = json.loads(run_cli("automation", "show", "--rules", str(path), "--json").output)
    assert [(c["component"], c["to"], c["rule"], c["source"], c["alertname"])
            for c in history["recent_changes"]] == [
        ("API", "major_outage", "default", "check", "db")
    ]  # fmt: skip


def test_run_once_reports_a_status_left_as_set_by_hand(
    run_cli: RunCli, tmp_path: Path, http_port: int
) -> None:
    run_cli("component", "add", "API")
    run_cli("component", "set", "API", "degraded_performance")
    path = automation(tmp_path, http_port, free_port())
    result = run_cli("checks", "run", "--once", "--file", str(path))
    assert result.exit_code == 1
    assert "API: left as set by hand (check db)" in result.output
    assert "Degraded Performance" in run_cli("component", "list").output


def test_validate_prints_file_line_errors_and_exits_2(run_cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("checks:\n  - name: x\n    tcp: {host: db, port: 0}\n")
    result = run_cli("checks", "validate", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:3:27: error: port must be a whole number of 1 or more" in result.output
    assert result.output.rstrip().endswith(f"{bad}: 1 error, 0 warnings.")
    unset = run_cli("checks", "validate")
    assert unset.exit_code == 2 and "no automation file is configured" in unset.output
    run = run_cli("checks", "run", "--once", "--file", str(bad))
    assert run.exit_code == 2 and "do not validate" in run.output


def test_the_example_prints_a_file_that_validates(run_cli: RunCli, tmp_path: Path) -> None:
    example = run_cli("checks", "example", init=False)
    assert example.exit_code == 0 and "checks:" in example.output
    path = tmp_path / "automation.yaml"
    path.write_text(example.output)
    result = run_cli("checks", "validate", str(path))
    assert result.exit_code == 0 and result.output == f"{path}: OK (4 checks).\n"


def test_uptime_is_the_share_of_probes_not_down(
    run_cli: RunCli, tmp_path: Path, http_port: int, listening: int
) -> None:
    run_cli("component", "add", "API")
    path = automation(tmp_path, http_port, listening)
    run_cli("checks", "run", "--once", "--file", str(path))
    broken = automation(tmp_path, free_port(), listening)  # the same names, api broken
    run_cli("checks", "run", "--once", "--file", str(broken))  # api down once, db up
    result = json.loads(
        run_cli("checks", "uptime", "--days", "2", "--file", str(path), "--json").output
    )
    assert result["API"]["days"][-1]["uptime"] == 0.75
    assert result["API"]["days"][0]["uptime"] is None
    text = run_cli("checks", "uptime", "--file", str(path)).output
    assert text.splitlines()[1].split() == ["API", "api,", "db", "75.00"]


def test_list_shows_when_the_certificate_expires_and_warns_before(
    run_cli: RunCli, tmp_path: Path, https: tuple[int, str, datetime]
) -> None:
    port, ca_file, expires = https
    run_cli("component", "add", "API")
    path = tmp_path / "automation.yaml"
    path.write_text(
        f"version: 1\nchecks:\n  - name: tls\n    http:\n      url: https://localhost:{port}/\n"
        f"      ca_file: {ca_file}\n      cert_warning: 14d\n    components: [API]\n"
    )
    result = run_cli("checks", "run", "--once", "--file", str(path))
    assert result.exit_code == 0, result.output  # degraded is not down
    assert "API: operational -> degraded_performance (rule default, check tls)" in result.output
    listed = run_cli("checks", "list", "--file", str(path)).output
    assert "the TLS certificate expires in 9 days" in listed
    assert f"(certificate until {expires:%Y-%m-%d})" in listed
    as_json = json.loads(run_cli("checks", "list", "--file", str(path), "--json").output)
    assert as_json[0]["last"]["cert_expires_at"] == expires.isoformat()


def test_validate_also_checks_the_rules_the_checks_feed(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "automation.yaml"
    path.write_text("checks:\n  - name: x\n    tcp: {host: db, port: 5432}\n")
    result = run_cli("checks", "validate", str(path))
    assert result.exit_code == 2
    assert f"{path}:1:1: error: the rules file has no 'version'" in result.output
    path.write_text("version: 1\n" + path.read_text())
    assert run_cli("checks", "validate", str(path)).output == f"{path}: OK (1 check).\n"
