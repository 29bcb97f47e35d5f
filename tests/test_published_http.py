"""The protocol that answers published URLs itself: same bytes as the ASGI way, order kept,
backpressure and keep-alive as uvicorn's. Real uvicorn servers on loopback, raw sockets."""

from __future__ import annotations

import io
import select
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.client import HTTPResponse
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from statuspage.app import create_app
from statuspage.config import Settings
from statuspage.published_http import PublishedFirstProtocol, find_published
from tests.conftest import RunCli
from tests.test_app import free_port


class CountingApp:
    """The real app, counting the HTTP requests that reach it the ASGI way."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.requests.append(f"{scope['method']} {scope['path']}")
        await self.app(scope, receive, send)


class ServerThread:
    """uvicorn serving one app on a loopback port, in a thread of its own."""

    def __init__(self, app: CountingApp, **options: Any) -> None:
        self.app = app
        self.port = free_port()
        options = {"access_log": False, **options}  # as `statuspage serve` by default
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", proxy_headers=True,
            **options,
        )  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "server did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name), None)

    def without_date(self) -> tuple[int, list[tuple[str, str]], bytes]:
        return self.status, [(k, v) for k, v in self.headers if k != "date"], self.body


class _Unclosable(io.BufferedReader):
    def close(self) -> None:  # http.client closes its file after each body; keep ours open
        pass


class _SharedFile:
    def __init__(self, file: io.BufferedReader) -> None:
        self.file = file

    def makefile(self, *args: Any, **kwargs: Any) -> io.BufferedReader:
        return self.file


class Connection:
    """A raw socket: requests written as bytes, responses read in order off one buffer."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.file = _Unclosable(socket.SocketIO(self.sock, "rb"))

    def send(self, *requests: bytes) -> None:
        self.sock.sendall(b"".join(requests))

    def answer(self, method: str = "GET") -> Answer:
        response = HTTPResponse(_SharedFile(self.file), method=method)  # type: ignore[arg-type]
        response.begin()
        headers = [(k.lower(), v) for k, v in response.getheaders()]
        return Answer(response.status, headers, response.read())

    def closed_by_server(self, within: float) -> bool:
        """Whether the server closes the connection within `within` seconds (all read)."""
        readable, _, _ = select.select([self.sock], [], [], within)
        return bool(readable) and self.sock.recv(1) == b""

    def close(self) -> None:
        self.sock.close()


def request(path: str, method: str = "GET", *headers: str, version: str = "1.1") -> bytes:
    lines = [f"{method} {path} HTTP/{version}", "Host: status.test", *headers, "", ""]
    return "\r\n".join(lines).encode()


def fetch(port: int, path: str, method: str = "GET", *headers: str) -> Answer:
    conn = Connection(port)
    try:
        conn.send(request(path, method, *headers))
        return conn.answer(method)
    finally:
        conn.close()


@pytest.fixture
def settings(run_cli: RunCli, db_path: Path) -> Settings:
    result = run_cli("init", "--demo", init=False)
    assert result.exit_code == 0, result.output
    return Settings(db=db_path, poll_interval=0.1, dispatcher=False, comms_plan="off")


@pytest.fixture
def fast(settings: Settings) -> Iterator[ServerThread]:
    app = CountingApp(create_app(settings))
    with ServerThread(app, http=PublishedFirstProtocol) as server:
        yield server


@pytest.fixture
def plain(settings: Settings) -> Iterator[ServerThread]:
    app = CountingApp(create_app(settings))
    with ServerThread(app, http="httptools") as server:
        yield server


PUBLISHED = ["/", "/api/v2/summary.json", "/api/v2/status.json", "/history.atom", "/robots.txt"]
ENCODINGS = [(), ("Accept-Encoding: gzip",), ("Accept-Encoding: gzip, br",)]


def test_published_urls_get_the_bytes_the_asgi_way_gives(
    fast: ServerThread, plain: ServerThread
) -> None:
    for path in PUBLISHED:
        for method in ("GET", "HEAD"):
            for headers in ENCODINGS:
                mine = fetch(fast.port, path, method, *headers)
                theirs = fetch(plain.port, path, method, *headers)
                assert mine.status == 200
                assert mine.without_date() == theirs.without_date(), (path, method, headers)
                assert mine.header("date") is not None
    assert fast.app.requests == []  # none of them went the ASGI way
    assert len(plain.app.requests) == len(PUBLISHED) * 2 * len(ENCODINGS)


def test_a_matching_etag_gets_304_without_a_body(fast: ServerThread, plain: ServerThread) -> None:
    first = fetch(fast.port, "/", "GET", "Accept-Encoding: br")
    etag = first.header("etag")
    assert etag is not None and etag.endswith('-br"')
    for match in (etag, f"W/{etag}", f'"other", {etag}'):
        mine = fetch(fast.port, "/", "GET", "Accept-Encoding: br", f"If-None-Match: {match}")
        theirs = fetch(plain.port, "/", "GET", "Accept-Encoding: br", f"If-None-Match: {match}")
        assert mine.status == 304 and mine.body == b""
        assert mine.without_date() == theirs.without_date()
    other = fetch(fast.port, "/", "GET", "Accept-Encoding: gzip", f"If-None-Match: {etag}")
    assert other.status == 200 and other.header("content-encoding") == "gzip"
    assert fast.app.requests == []


def test_query_strings_and_escaped_paths_find_the_artifact(fast: ServerThread) -> None:
    straight = fetch(fast.port, "/api/v2/summary.json")
    for path in ("/api/v2/summary.json?callback=x", "/api/v2/summary%2Ejson"):
        assert fetch(fast.port, path).without_date() == straight.without_date()
    assert fast.app.requests == []


def test_everything_else_goes_the_asgi_way(fast: ServerThread) -> None:
    assert fetch(fast.port, "/", "POST", "Content-Length: 0").status == 405
    moved = fetch(fast.port, "/history/")
    assert moved.status == 301 and moved.header("location") == "/history"
    assert fetch(fast.port, "/no/such/page").status == 404
    assert fetch(fast.port, "/subscribe").status == 200
    assert fast.app.requests == [
        "POST /",
        "GET /history/",
        "GET /no/such/page",
        "GET /subscribe",
    ]


def test_pipelined_requests_are_answered_in_order(fast: ServerThread) -> None:
    """A published URL behind one still being answered the ASGI way waits its turn."""
    expected = {path: fetch(fast.port, path) for path in PUBLISHED}
    fast.app.requests.clear()
    conn = Connection(fast.port)
    try:
        conn.send(
            request("/api/v2/summary.json"),
            request("/subscribe"),  # the ASGI way, in a task
            request("/api/v2/status.json"),  # behind it: must not overtake it
            request("/", "HEAD"),
            request("/history.atom"),
        )
        answers = [conn.answer(), conn.answer(), conn.answer(), conn.answer("HEAD")]
        answers.append(conn.answer())
    finally:
        conn.close()
    assert answers[0].body == expected["/api/v2/summary.json"].body
    assert answers[1].status == 200 and b"<title>Subscribe" in answers[1].body
    assert answers[2].body == expected["/api/v2/status.json"].body
    assert answers[3].status == 200 and answers[3].body == b""
    assert answers[3].header("content-length") == expected["/"].header("content-length")
    assert answers[4].body == expected["/history.atom"].body
    assert fast.app.requests[0] == "GET /subscribe"


def test_a_client_that_does_not_read_gets_backpressure_not_a_growing_buffer(
    fast: ServerThread,
) -> None:
    """Once the socket's buffer is full the requests go the ASGI way, which waits for the
    client; every answer still arrives, in order."""
    page = fetch(fast.port, "/")
    assert len(page.body) > 20_000  # identity: no Accept-Encoding
    count = 400
    conn = Connection(fast.port)
    try:
        conn.send(*[request("/") for _ in range(count)])
        time.sleep(0.5)  # the client reads nothing meanwhile
        answers = [conn.answer() for _ in range(count)]
    finally:
        conn.close()
    assert [a.status for a in answers] == [200] * count
    assert all(a.body == page.body for a in answers)
    assert 0 < len(fast.app.requests) < count  # some waited their turn the ASGI way


def test_connection_close_and_http_1_0_are_answered_then_closed(fast: ServerThread) -> None:
    for raw in (request("/", "GET", "Connection: close"), request("/", version="1.0")):
        conn = Connection(fast.port)
        try:
            conn.send(raw)
            answer = conn.answer()
            assert answer.status == 200 and b"</html>" in answer.body
            assert conn.closed_by_server(within=5)
        finally:
            conn.close()


def test_an_idle_connection_is_closed_after_the_keep_alive_timeout(settings: Settings) -> None:
    app = CountingApp(create_app(settings))
    with ServerThread(app, http=PublishedFirstProtocol, timeout_keep_alive=1) as server:
        conn = Connection(server.port)
        try:
            conn.send(request("/api/v2/status.json"))
            assert conn.answer().status == 200
            assert not conn.closed_by_server(within=0.5)  # kept alive a while
            assert conn.closed_by_server(within=3)
        finally:
            conn.close()
    assert app.requests == []


def test_with_the_access_log_on_every_request_is_logged_the_asgi_way(settings: Settings) -> None:
    app = CountingApp(create_app(settings))
    with ServerThread(app, http=PublishedFirstProtocol, access_log=True) as server:
        assert fetch(server.port, "/api/v2/status.json").status == 200
    assert app.requests == ["GET /api/v2/status.json"]


def test_find_published_looks_under_wrappers(settings: Settings) -> None:
    site = create_app(settings)
    assert find_published(CountingApp(CountingApp(site))) is site.state.published
    assert find_published(CountingApp(object())) is None


@pytest.mark.parametrize(
    "framing",
    [("Transfer-Encoding: gzip",), ("Transfer-Encoding: chunked",)],
)
def test_a_request_the_parser_refuses_after_its_headers_gets_the_400_alone(
    fast: ServerThread, framing: tuple[str, ...]
) -> None:
    """A Transfer-Encoding other than chunked, or a malformed chunk, is found only after the
    headers: no 200 may go out before the 400."""
    conn = Connection(fast.port)
    try:
        conn.send(request("/robots.txt", "GET", *framing) + b"zz\r\n\r\n")
        answer = conn.answer()
        assert answer.status == 400
        assert conn.closed_by_server(within=5)  # and nothing else came before the close
    finally:
        conn.close()


def test_a_concurrency_limit_applies_to_published_urls_too(settings: Settings) -> None:
    app = CountingApp(create_app(settings))
    with ServerThread(app, http=PublishedFirstProtocol, limit_concurrency=2) as server:
        held = [Connection(server.port) for _ in range(2)]
        try:
            assert fetch(server.port, "/robots.txt").status == 503
        finally:
            for conn in held:
                conn.close()
    assert app.requests == []  # the 503 comes from uvicorn, before the app


def test_a_uvicorn_without_the_state_it_relies_on_gets_the_asgi_way(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("statuspage.published_http._UVICORN_STATE", ("no_such_attribute",))
    app = CountingApp(create_app(settings))
    with ServerThread(app, http=PublishedFirstProtocol) as server:
        assert fetch(server.port, "/api/v2/status.json").status == 200
    assert app.requests == ["GET /api/v2/status.json"]
