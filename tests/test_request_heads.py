"""Request heads (request line and headers) are capped at 16 KiB: a larger one is answered 431
and its connection closed, with and without the fast path, while it streams in. Real uvicorn
servers on loopback, raw sockets."""

from __future__ import annotations

import contextlib
import http.client
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from statuspage.app import create_app
from statuspage.config import Settings
from statuspage.site.fast_path import HeaderLimitProtocol, PublishedFirstProtocol
from tests.conftest import RunCli
from tests.test_app import free_port
from tests.test_published_http import (
    Answer,
    Connection,
    CountingApp,
    ServerThread,
    fetch,
    request,
)

MEGABYTE_OF_CODINGS = "Accept-Encoding: " + "gzip, " * 180_000  # some 1 MB


@pytest.fixture
def settings(run_cli: RunCli, db_path: Path) -> Settings:
    result = run_cli("init", "--demo", init=False)
    assert result.exit_code == 0, result.output
    return Settings(db=db_path, poll_interval=0.1, dispatcher=False, comms_plan="off")


@pytest.fixture(params=[PublishedFirstProtocol, HeaderLimitProtocol], ids=["fast", "no-fast"])
def server(settings: Settings, request: pytest.FixtureRequest) -> Iterator[ServerThread]:
    app = CountingApp(create_app(settings))
    with ServerThread(app, http=request.param) as running:
        yield running


def send_and_answer(port: int, raw: bytes) -> tuple[Answer, Connection]:
    """Send a request from a thread while reading the answer (which may come first)."""
    conn = Connection(port)
    sending = threading.Thread(target=_send_all, args=(conn, raw), daemon=True)
    sending.start()
    answer = conn.answer()
    sending.join(timeout=10)
    return answer, conn


def _send_all(conn: Connection, raw: bytes) -> None:
    with contextlib.suppress(OSError):  # the server closed the connection: the answer says why
        conn.sock.sendall(raw)


def test_a_megabyte_accept_encoding_gets_431_and_the_next_client_is_answered_promptly(
    server: ServerThread,
) -> None:
    answer, conn = send_and_answer(server.port, request("/", "GET", MEGABYTE_OF_CODINGS))
    try:
        assert answer.status == 431
        assert b"16 KiB" in answer.body
        assert answer.header("connection") == "close"
        assert answer.header("x-content-type-options") == "nosniff"
        assert conn.closed_by_server(within=5)
    finally:
        conn.close()
    started = time.monotonic()
    assert fetch(server.port, "/", "GET", "Accept-Encoding: gzip").status == 200
    assert time.monotonic() - started < 1.0
    assert server.app.requests in ([], ["GET /"])  # the 431 never reached the app


def test_a_huge_header_is_refused_while_it_streams_in(server: ServerThread) -> None:
    """The head is never finished; the 431 comes once 16 KiB of it have arrived."""
    conn = Connection(server.port)
    try:
        conn.send(b"GET / HTTP/1.1\r\nHost: status.test\r\nAccept-Encoding: ")
        for _ in range(8):
            conn.send(b"gzip, " * 1000)  # 6 KB at a time, no end of line
            time.sleep(0.01)
        answer = conn.answer()
        assert answer.status == 431
    finally:
        conn.close()
    assert server.app.requests == []


def test_many_headers_that_together_exceed_16_kib_get_431(server: ServerThread) -> None:
    fillers = [f"X-Filler-{n}: {'a' * 500}" for n in range(40)]  # 20 KB, sent at once
    answer, conn = send_and_answer(server.port, request("/", "GET", *fillers))
    conn.close()
    assert answer.status == 431
    assert server.app.requests == []


def test_a_head_just_under_16_kib_is_answered(server: ServerThread) -> None:
    fillers = [f"X-Filler-{n}: {'a' * 500}" for n in range(30)]  # 15 KB
    assert fetch(server.port, "/robots.txt", "GET", *fillers).status == 200


def test_pipelined_requests_and_large_bodies_are_not_taken_for_large_heads(
    server: ServerThread,
) -> None:
    count = 1000  # some 45 KB of small requests in one go
    conn = Connection(server.port)
    try:
        conn.send(*[request("/robots.txt") for _ in range(count)])
        assert [conn.answer().status for _ in range(count)] == [200] * count
        body = b"x" * 100_000
        conn.send(request("/", "POST", f"Content-Length: {len(body)}") + body)
        assert conn.answer().status == 405
        conn.send(request("/robots.txt"))
        assert conn.answer().status == 200
    finally:
        conn.close()


@pytest.mark.parametrize("flags", [(), ("--no-fast-path",)], ids=["fast", "no-fast"])
def test_statuspage_serve_answers_a_megabyte_header_with_431(
    run_cli: RunCli, db_path: Path, tmp_path: Path, flags: tuple[str, ...]
) -> None:
    run_cli("component", "add", "API")
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "statuspage.cli", "--db", str(db_path), "serve",
         "--port", str(port), *flags],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for(port, proc)
        answer, conn = send_and_answer(port, request("/", "GET", MEGABYTE_OF_CODINGS))
        conn.close()
        assert answer.status == 431
        assert fetch(port, "/api/v2/status.json").status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()
    assert "outside the tested range" not in (tmp_path / "serve.log").read_text()


def wait_for(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if fetch(port, "/robots.txt").status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        assert proc.poll() is None, "server exited"
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)
