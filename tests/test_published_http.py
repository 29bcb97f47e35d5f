"""The protocol that answers published URLs itself: same bytes as the ASGI way, order kept,
backpressure and keep-alive as uvicorn's. Real uvicorn servers on loopback, raw sockets."""

from __future__ import annotations

import contextlib
import http.client
import io
import select
import socket
import threading
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.client import HTTPResponse
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from statuspage.app import create_app
from statuspage.config import Settings
from statuspage.events import Clock
from statuspage.site.fast_path import HeaderLimitProtocol, PublishedFirstProtocol, find_published
from statuspage.site.serving import UVICORN_TESTED, http_options, untested, uvicorn_version
from tests.conftest import RunCli
from tests.test_app import free_port


class Counter:
    """Counts the HTTP requests that reach an ASGI app."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.requests.append(f"{scope['method']} {scope['path']}")
        await self.app(scope, receive, send)


class CountingApp:
    """The real app, counting the HTTP requests that reach it the ASGI way.

    The counter sits inside the SiteApp, as its middleware stack (where the fast path does
    not look), so the app uvicorn is given is the SiteApp itself.
    """

    def __init__(self, site: Any) -> None:
        self.site = site
        self.counter = Counter(site.build_middleware_stack())
        site.middleware_stack = self.counter

    @property
    def requests(self) -> list[str]:
        return self.counter.requests


class ServerThread:
    """uvicorn serving one app on a loopback port, in a thread of its own."""

    def __init__(self, app: CountingApp, asgi: Any = None, **options: Any) -> None:
        self.app = app
        self.port = free_port()
        options = {"access_log": False, **options}  # as `statuspage serve` by default
        config = uvicorn.Config(
            asgi or app.site, host="127.0.0.1", port=self.port, log_level="warning",
            proxy_headers=True, **options,
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
def frozen() -> Clock:
    """One moment for every server of a test: the demo's uptime changes by the second, and
    servers compared byte for byte must publish the same page."""
    now = datetime.now(UTC)
    return lambda: now


@pytest.fixture
def fast(settings: Settings, frozen: Clock) -> Iterator[ServerThread]:
    app = CountingApp(create_app(settings, frozen))
    with ServerThread(app, http=PublishedFirstProtocol) as server:
        yield server


@pytest.fixture
def plain(settings: Settings, frozen: Clock) -> Iterator[ServerThread]:
    app = CountingApp(create_app(settings, frozen))
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


def test_the_fast_path_looks_through_uvicorns_proxy_headers_middleware_only(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    site = create_app(settings)
    assert find_published(site) is site.state.published
    assert find_published(ProxyHeadersMiddleware(site)) is site.state.published
    assert caplog.records == []
    assert find_published(Counter(site)) is None
    assert find_published(ProxyHeadersMiddleware(Counter(site))) is None
    assert [r.getMessage().split(":")[0] for r in caplog.records] == ["fast path off"] * 2


def test_an_app_in_another_asgi_wrapper_is_served_the_asgi_way_with_one_log_line(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """The wrapper is never skipped: every request reaches it; the reason is logged once."""
    app = CountingApp(create_app(settings))
    wrapper = Counter(app.site)
    with ServerThread(app, asgi=wrapper, http=PublishedFirstProtocol) as server:
        for _ in range(3):  # three connections, three protocol instances
            assert fetch(server.port, "/api/v2/status.json").status == 200
    assert wrapper.requests == ["GET /api/v2/status.json"] * 3
    off = [r for r in caplog.records if r.name == "statuspage.http"]
    assert len(off) == 1 and "wrapped in Counter" in off[0].getMessage()


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


LOW, HIGH = UVICORN_TESTED
BELOW = f"{LOW[0]}.{LOW[1] - 1}.9" if LOW[1] else f"{LOW[0] - 1}.99.0"
HIGH_RC = f"{HIGH[0]}.{HIGH[1] - 1}.0rc1"


@pytest.mark.parametrize(
    "version", [BELOW, f"{HIGH[0]}.{HIGH[1]}.0", f"{HIGH[0] + 1}.0.0", HIGH_RC, "", "x"]
)
def test_a_uvicorn_outside_the_tested_range_gets_plain_uvicorn_with_one_log_line(
    caplog: pytest.LogCaptureFixture, version: str
) -> None:
    options = http_options(fast_path=True, version=version)
    assert options == {"http": "h11", "h11_max_incomplete_event_size": 16384}
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 1 and "serving with plain uvicorn" in said[0]


def test_plain_uvicorn_serves_the_page_the_asgi_way_and_caps_request_heads(
    settings: Settings,
) -> None:
    app = CountingApp(create_app(settings))
    with ServerThread(app, **http_options(fast_path=True, version="0.56.0")) as server:
        page = fetch(server.port, "/", "GET", "Accept-Encoding: gzip")
        conn = Connection(server.port)
        try:  # h11 answers 400 and closes at once: the client may see a reset instead
            with contextlib.suppress(OSError):
                conn.send(request("/", "GET", "Accept-Encoding: " + "gzip, " * 180_000))
            with contextlib.suppress(OSError, http.client.HTTPException):
                assert conn.answer().status == 400
        finally:
            conn.close()
        assert fetch(server.port, "/robots.txt").status == 200
    assert page.status == 200 and page.header("content-encoding") == "gzip"
    assert app.requests == ["GET /", "GET /robots.txt"]  # the huge head never reached it


def test_versions_inside_the_tested_range_get_our_protocol(
    caplog: pytest.LogCaptureFixture,
) -> None:
    low, high = UVICORN_TESTED
    newest_tested = f"{high[0]}.{high[1] - 1}.99"
    for version in (".".join(map(str, low)), newest_tested, f"{newest_tested}.post1"):
        assert http_options(fast_path=True, version=version) == {"http": PublishedFirstProtocol}
        assert http_options(fast_path=False, version=version) == {"http": HeaderLimitProtocol}
    assert caplog.records == []


def test_the_installed_uvicorn_is_tested_and_pinned_to_the_same_range() -> None:
    assert untested(uvicorn_version()) is None
    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    pin = next(d for d in pyproject["project"]["dependencies"] if d.startswith("uvicorn"))
    low, high = UVICORN_TESTED
    assert pin == f"uvicorn>={low[0]}.{low[1]}.{low[2]},<{high[0]}.{high[1]}"


def test_without_the_fast_path_published_urls_go_the_asgi_way_with_the_same_bytes(
    settings: Settings, fast: ServerThread, frozen: Clock
) -> None:
    app = CountingApp(create_app(settings, frozen))
    with ServerThread(app, **http_options(fast_path=False)) as server:
        for path in PUBLISHED:
            mine = fetch(server.port, path, "GET", "Accept-Encoding: gzip")
            theirs = fetch(fast.port, path, "GET", "Accept-Encoding: gzip")
            assert mine.status == 200
            assert mine.without_date() == theirs.without_date()
    assert app.requests == [f"GET {path}" for path in PUBLISHED]
    assert fast.app.requests == []


@pytest.mark.parametrize(
    ("args", "env", "protocol"),
    [
        ((), {}, PublishedFirstProtocol),
        (("--no-fast-path",), {}, HeaderLimitProtocol),
        ((), {"STATUSPAGE_FAST_PATH": "false"}, HeaderLimitProtocol),
    ],
)
def test_serve_uses_the_fast_path_unless_told_not_to(
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    env: dict[str, str],
    protocol: type,
) -> None:
    """What `statuspage serve` hands uvicorn (uvicorn.run itself is replaced by a recorder)."""
    given: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: given.append(options))
    monkeypatch.setenv("STATUSPAGE_DB", "unused")  # serve sets it; restored afterwards
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = run_cli("serve", "--port", str(free_port()), *args)
    assert result.exit_code == 0, result.output
    assert [options["http"] for options in given] == [protocol]


LANGUAGE_HEADERS = [
    (),
    ("Accept-Language: ru-RU,ru;q=0.9,en;q=0.5",),
    ("Accept-Language: en;q=0.1, zh-CN;q=0.8", "Accept-Encoding: gzip"),
    ("Accept-Language: ru", "Cookie: a=b; statuspage_lang=zh-Hans"),
    ("Cookie: statuspage_lang=klingon", "Accept-Language: ru", "Accept-Encoding: br"),
    ("Accept-Language: " + "fr;q=0.9, " * 20 + "ru",),  # long: worked out, not kept
]
NEGOTIATED_PATHS = ["/", "/history", "/history.atom", "/ru/", "/zh-Hans/history"]


def test_negotiated_urls_get_the_bytes_the_asgi_way_gives(
    fast: ServerThread, plain: ServerThread
) -> None:
    seen: dict[str, set[str | None]] = {}
    for path in NEGOTIATED_PATHS:
        for headers in LANGUAGE_HEADERS:
            mine = fetch(fast.port, path, "GET", *headers)
            theirs = fetch(plain.port, path, "GET", *headers)
            assert mine.status == 200
            assert mine.without_date() == theirs.without_date(), (path, headers)
            seen.setdefault(path, set()).add(mine.header("content-language"))
    assert seen["/"] == {"en", "ru", "zh-Hans"}  # each header chose its language
    assert seen["/ru/"] == {"ru"} and seen["/zh-Hans/history"] == {"zh-Hans"}
    russian = fetch(fast.port, "/", "GET", *LANGUAGE_HEADERS[1])
    assert ">История<" in russian.body.decode()  # the nav, from the Russian catalogue
    assert russian.header("vary") == "Accept-Encoding, Accept-Language, Cookie"
    assert fetch(fast.port, "/ru/").header("vary") == "Accept-Encoding"
    assert fast.app.requests == []  # none of them went the ASGI way


def test_a_negotiated_etag_revalidates_in_the_fast_path(fast: ServerThread) -> None:
    chinese = fetch(fast.port, "/", "GET", "Accept-Language: zh")
    etag = chinese.header("etag")
    same = fetch(fast.port, "/", "GET", "Accept-Language: zh", f"If-None-Match: {etag}")
    assert same.status == 304 and same.header("content-language") == "zh-Hans"
    other = fetch(fast.port, "/", "GET", "Accept-Language: ru", f"If-None-Match: {etag}")
    assert other.status == 200 and other.header("content-language") == "ru"
    assert fast.app.requests == []


def test_a_language_switch_goes_the_asgi_way_with_the_same_answer(
    fast: ServerThread, plain: ServerThread
) -> None:
    for path in ("/history?lang=ru", "/zh-Hans/history?lang=zh-Hans", "/en/?x=1&lang=zh"):
        mine = fetch(fast.port, path, "GET", "Accept-Language: en")
        theirs = fetch(plain.port, path, "GET", "Accept-Language: en")
        assert mine.status == 303
        assert mine.without_date() == theirs.without_date()
    assert mine.header("location") == "/zh-Hans/"
    assert mine.header("set-cookie") == (
        "statuspage_lang=zh-Hans; Path=/; Max-Age=31536000; SameSite=Lax"
    )
    ignored = fetch(fast.port, "/history?lang=xx", "GET", "Accept-Language: ru")
    assert ignored.status == 200 and ignored.header("content-language") == "ru"
    assert [r.split()[1] for r in fast.app.requests] == ["/history", "/zh-Hans/history", "/en/"]
