"""Request bodies are capped before they are read: by Content-Length, or while streaming."""

from __future__ import annotations

import json
import select
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from statuspage.app import create_app
from statuspage.body_limit import MAX_API, MAX_PUBLIC
from statuspage.config import Settings
from tests.conftest import TEST_SECRET_KEY, RunCli
from tests.subscribe.conftest import Site
from tests.test_app import free_port, wait_until_serving

PUBLIC_POSTS = [
    "/subscribe",
    "/subscriptions/confirm",
    "/subscriptions/manage",
    "/subscriptions/unsubscribe?token=x",
    "/hooks/twilio/inbound",
    "/hooks/twilio/status",
]


@pytest.mark.parametrize("path", PUBLIC_POSTS)
def test_a_public_post_declaring_a_body_over_the_cap_gets_413(site: Site, path: str) -> None:
    body = b"email=" + b"a" * MAX_PUBLIC
    answer = site.client.post(
        path, content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert answer.status_code == 413
    assert f"larger than {MAX_PUBLIC} bytes" in answer.text
    assert answer.headers["connection"] == "close"


def test_a_json_subscribe_over_the_cap_gets_a_json_413(site: Site) -> None:
    answer = site.client.post("/subscribe", json={"channel": "email", "email": "a" * MAX_PUBLIC})
    assert answer.status_code == 413
    assert answer.json() == {"error": f"the request body is larger than {MAX_PUBLIC} bytes"}


def test_the_manage_api_takes_bodies_up_to_its_own_cap(site: Site) -> None:
    url = f"/v1/pages/{site.page_id}/incidents"
    auth = {"Authorization": f"OAuth {site.key}"}
    big = {"incident": {"name": "x", "body": "b" * (MAX_API + 1)}}
    answer = site.client.post(url, json=big, headers=auth)
    assert answer.status_code == 413 and "error" in answer.json()
    padded = json.dumps({"incident": {"name": "Slow API"}}) + " " * (MAX_PUBLIC * 2)
    headers = {**auth, "content-type": "application/json"}
    assert site.client.post(url, content=padded, headers=headers).status_code == 201


def test_a_form_within_the_cap_still_subscribes(site: Site) -> None:
    answer = site.subscribe("email", "fits@example.com", note="n" * (MAX_PUBLIC - 500))
    assert answer.status_code == 200 and "Check your messages" in answer.text


class Lazy:
    """A body of `total` bytes made one chunk at a time, counting what was taken."""

    def __init__(self, total: int, chunk: int = 16 * 1024) -> None:
        self.total, self.chunk, self.taken = total, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.taken < self.total:
            self.taken += self.chunk
            yield b"x" * self.chunk


@pytest.mark.parametrize("path", ["/subscribe", "/hooks/twilio/inbound", "/v1/pages/p/incidents"])
async def test_a_streamed_body_is_refused_once_past_the_cap_without_reading_the_rest(
    tmp_path: Path, path: str
) -> None:
    app = create_app(Settings(db=tmp_path / "s.db", secret_key=TEST_SECRET_KEY))
    body = Lazy(total=200 * 1024 * 1024)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        answer = await client.post(path, content=body)  # no Content-Length: chunked
    assert answer.status_code == 413
    cap = MAX_API if path.startswith("/v1/") else MAX_PUBLIC
    assert cap < body.taken <= cap + body.chunk


# -- a real server ---------------------------------------------------------------------


@pytest.fixture
def server(run_cli: RunCli, db_path: Path, tmp_path: Path) -> Iterator[tuple[int, int]]:
    """`statuspage serve` on loopback: (port, pid)."""
    run_cli("component", "add", "API")
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "statuspage.cli", "--db", str(db_path), "serve", "--port",
         str(port)],
        stdout=log, stderr=subprocess.STDOUT,
        env={"STATUSPAGE_SECRET_KEY": TEST_SECRET_KEY, "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/", proc, tmp_path / "serve.log")
        yield port, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()


def rss(pid: int) -> int:
    """The resident memory of a process, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def stream_until_answered(port: int, offered: int) -> tuple[int, bytes]:
    """POST a chunked body of up to `offered` bytes, a chunk at a time, stopping as soon
    as the server answers; (bytes sent, the answer)."""
    chunk = b"x" * 32 * 1024
    frame = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
    head = (
        b"POST /subscribe HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
    )
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        while sent < offered:
            if select.select([sock], [], [], 0.002)[0]:
                break
            try:
                sock.sendall(frame)
            except OSError:  # the server closed the connection: it is not reading on
                break
            sent += len(chunk)
        sock.settimeout(10)
        answer = b""
        while b"\r\n\r\n" not in answer:
            part = sock.recv(65536)
            if not part:
                break
            answer += part
    return sent, answer


def test_a_real_server_refuses_a_chunked_subscribe_body_early_and_stays_small(
    server: tuple[int, int],
) -> None:
    port, pid = server
    before = rss(pid)
    offered = 512 * 1024 * 1024
    sent, answer = stream_until_answered(port, offered)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert sent < 16 * 1024 * 1024  # the client could stop: 413 came long before the end
    assert rss(pid) - before < 32 * 1024 * 1024


def test_a_streamed_body_within_the_cap_reaches_the_handler_whole(site: Site) -> None:
    body = json.dumps({"channel": "email", "email": "streamed@example.com"}).encode()
    pieces = [body[i : i + 7] for i in range(0, len(body), 7)]
    answer = site.client.post(
        "/subscribe", content=iter(pieces), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 202, answer.text
    assert answer.json()["address"] == "streamed@example.com"
