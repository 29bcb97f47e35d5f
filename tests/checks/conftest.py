"""Real servers on loopback for the checks to probe: HTTP (aiohttp), HTTPS with trustme's
certificates (valid, about to expire, expired), and a small DNS responder over UDP."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import struct
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme
from aiohttp import web

from statuspage.automation.rules import RuleSet
from statuspage.automation.signals import Signal
from statuspage.checks.outcome import Probe
from statuspage.checks.runner import EngineSink, Runner
from statuspage.checks.spec import CheckSpec
from statuspage.service import Service
from statuspage.service.automation import Automation
from statuspage.service.automation import Outcome as Moved
from statuspage.service.checks import ChecksService


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _ok(request: web.Request) -> web.Response:
    return web.Response(text="all systems go")


async def _json(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "items": [{"state": "green", "count": 3}]})


IN_FLIGHT = {"now": 0, "most": 0}


async def _slow(request: web.Request) -> web.Response:
    IN_FLIGHT["now"] += 1
    IN_FLIGHT["most"] = max(IN_FLIGHT["most"], IN_FLIGHT["now"])
    try:
        await asyncio.sleep(float(request.query.get("s", "0.3")))
    finally:
        IN_FLIGHT["now"] -= 1
    return web.Response(text="slow but fine")


async def _fail(request: web.Request) -> web.Response:
    return web.Response(status=503, text="maintenance in progress")


async def _moved(request: web.Request) -> web.Response:
    raise web.HTTPFound("/ok")


def _app() -> web.Application:
    app = web.Application()
    app.router.add_get("/ok", _ok)
    app.router.add_get("/json", _json)
    app.router.add_get("/slow", _slow)
    app.router.add_get("/fail", _fail)
    app.router.add_get("/moved", _moved)
    return app


async def _serve(ssl_context: ssl.SSLContext | None = None) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(_app(), access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port, ssl_context=ssl_context).start()
    scheme = "https" if ssl_context else "http"
    host = "localhost" if ssl_context else "127.0.0.1"
    return runner, f"{scheme}://{host}:{port}"


@pytest.fixture
async def http_url() -> AsyncIterator[str]:
    runner, url = await _serve()
    yield url
    await runner.cleanup()


@pytest.fixture
def ca(tmp_path: Path) -> tuple[trustme.CA, str]:
    authority = trustme.CA()
    path = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(path))
    return authority, str(path)


@pytest.fixture
async def https_server(
    ca: tuple[trustme.CA, str],
) -> AsyncIterator[Callable[[datetime], object]]:
    """Serve HTTPS with a certificate that expires at the given time; returns the URL."""
    authority, _ = ca
    runners: list[web.AppRunner] = []

    async def start(not_after: datetime) -> str:
        cert = authority.issue_cert(
            "localhost",
            not_before=min(not_after, datetime.now(UTC)) - timedelta(days=1),
            not_after=not_after,
        )
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        runner, url = await _serve(context)
        runners.append(runner)
        return url

    yield start
    for runner in runners:
        await runner.cleanup()


# A DNS responder: answers from a table, with compressed names as real servers send them.
def _name(name: str) -> bytes:
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\x00"


def _answers(qname: str, qtype: int) -> list[tuple[int, bytes]] | None:
    table = {
        ("api.test", 1): [(1, ipaddress.IPv4Address("192.0.2.10").packed),
                          (1, ipaddress.IPv4Address("192.0.2.11").packed)],
        ("api.test", 28): [(28, ipaddress.IPv6Address("2001:db8::10").packed)],
        ("www.test", 5): [(5, _name("api.test"))],
        ("api.test", 15): [(15, struct.pack("!H", 10) + b"\x04mail\xc0\x0c")],
        ("api.test", 16): [(16, b"\x0bhello world")],
    }  # fmt: skip
    if qname.endswith("nowhere.test"):
        return None
    return table.get((qname, qtype), [])


class _Responder(asyncio.DatagramProtocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        query_id = struct.unpack_from("!H", data)[0]
        labels, i = [], 12
        while data[i]:
            labels.append(data[i + 1 : i + 1 + data[i]].decode())
            i += 1 + data[i]
        question = data[12 : i + 5]
        qtype = struct.unpack_from("!H", data, i + 1)[0]
        answers = _answers(".".join(labels), qtype)
        rcode = 3 if answers is None else 0
        body = b""
        for kind, rdata in answers or []:
            # the owner name as a pointer to the question (offset 12)
            body += b"\xc0\x0c" + struct.pack("!HHIH", kind, 1, 60, len(rdata)) + rdata
        header = struct.pack("!HHHHHH", query_id, 0x8180 | rcode, 1, len(answers or []), 0, 0)
        self.transport.sendto(header + question + body, addr)  # type: ignore[attr-defined]


@pytest.fixture
async def dns_server() -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(_Responder, local_addr=("127.0.0.1", 0))
    host, port = transport.get_extra_info("sockname")[:2]
    yield f"{host}:{port}"
    transport.close()


class Recorder:
    """A SignalSink that keeps what it hears, then hands it to the rules engine as the
    default sink does (with no engine: only keeps it)."""

    def __init__(self, automation: Automation | None) -> None:
        self.engine = EngineSink(automation, self.report) if automation else None
        self.signals: list[Signal] = []
        self.outcomes: list[Moved] = []

    def report(self, signals: Sequence[Signal], moved: Moved) -> None:
        self.outcomes.append(moved)

    async def send(self, signals: Sequence[Signal], /, *, action: str) -> None:
        self.signals.extend(signals)
        if self.engine is not None:
            await self.engine.send(signals, action=action)

    async def retain(self, fed: Mapping[str, Sequence[str]], /) -> None:
        if self.engine is not None:
            await self.engine.retain(fed)

    async def tick(self) -> None:
        if self.engine is not None:
            await self.engine.tick()


@pytest.fixture
def checks(svc: Service) -> ChecksService:
    return ChecksService(svc.ctx)


@pytest.fixture
def engine(svc: Service) -> Automation:
    """The rules engine with the default rule only (its `for` and `hold_down` 0)."""
    return Automation(svc.ctx, svc.incidents, RuleSet())


@pytest.fixture
def recorder(engine: Automation) -> Recorder:
    return Recorder(engine)


async def probe_once(spec: CheckSpec, checks: ChecksService) -> Probe:
    async with Runner([spec], checks, Recorder(None)) as runner:
        return await runner.probe(spec)


class Port:
    """A loopback port the test opens (accepting connections) and closes at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.server: asyncio.Server | None = None

    async def open(self) -> None:
        async def accept(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            w.close()

        self.server = await asyncio.start_server(accept, "127.0.0.1", self.port)

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None


@pytest.fixture
async def port() -> AsyncIterator[Port]:
    p = Port()
    yield p
    await p.close()
