"""Checks benchmark: 200 checks at 30 s intervals must cost under 10 % of one core.

120 HTTP checks (a JSON path each), 50 TCP and 30 DNS against local servers run in another
process (so their CPU does not count), for `--seconds` (default 90: three intervals) through
the server's own runner, storing every result and moving states in a real database. Prints
the probes made, the CPU time this process used and its share of one core.

    .venv/bin/python bench/checks_cpu.py [--seconds 90]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import socket
import struct
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web

from statuspage.automation.rules import RuleSet
from statuspage.checks.runner import Runner, default_sink
from statuspage.checks.spec import CheckSpec, DnsProbe, HttpProbe, TcpProbe
from statuspage.service import Service
from statuspage.service.automation import Automation
from statuspage.service.checks import ChecksService

TARGET = 0.10
INTERVAL = timedelta(seconds=30)
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Dns(asyncio.DatagramProtocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        end = data.index(b"\x00", 12) + 5
        answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, 10])
        header = data[:2] + struct.pack("!HHHHH", 0x8180, 1, 1, 0, 0)
        self.transport.sendto(header + data[12:end] + answer, addr)  # type: ignore[attr-defined]


def _targets(http_port: int, tcp_port: int, dns_port: int) -> None:
    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/health", health)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", http_port).start()
        await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", tcp_port)
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(_Dns, local_addr=("127.0.0.1", dns_port))
        await asyncio.Event().wait()

    asyncio.run(main())


def _specs(http_port: int, tcp_port: int, dns_port: int) -> list[CheckSpec]:
    url = f"http://127.0.0.1:{http_port}/health"
    http = HttpProbe(url, json_path="$.status", json_value="ok")
    probes = (
        [http] * 120
        + [TcpProbe("127.0.0.1", tcp_port)] * 50
        + [DnsProbe("api.test", server=f"127.0.0.1:{dns_port}")] * 30
    )
    return [
        CheckSpec(f"check-{i}", p, ("API",), interval=INTERVAL, timeout=timedelta(seconds=5))
        for i, p in enumerate(probes)
    ]


async def run(seconds: float, specs: list[CheckSpec]) -> tuple[int, float]:
    with tempfile.TemporaryDirectory() as folder:
        svc = await Service.open(Path(folder) / "bench.db", create=True)
        try:
            await svc.ensure_page("Bench", "https://status.bench.test", "Etc/UTC")
            await svc.add_component("API")
            checks = ChecksService(svc.ctx)
            sink = default_sink(Automation(svc.ctx, svc.incidents, RuleSet()))
            async with Runner(specs, checks, sink) as runner:
                cpu = time.process_time()
                task = asyncio.create_task(runner.run_forever())
                await asyncio.sleep(seconds)
                task.cancel()
                used = time.process_time() - cpu
            found = await checks.results([s.name for s in specs], EVER[0], EVER[1])
            return len(found), used
        finally:
            await svc.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=90.0)
    seconds = parser.parse_args().seconds
    ports = (_free_port(), _free_port(), _free_port())
    servers = multiprocessing.Process(target=_targets, args=ports, daemon=True)
    servers.start()
    time.sleep(1.0)
    try:
        probes, used = asyncio.run(run(seconds, _specs(*ports)))
    finally:
        servers.terminate()
    share = used / seconds
    print(f"200 checks every {INTERVAL.total_seconds():g} s for {seconds:g} s: {probes} probes")
    print(f"CPU {used:.2f} s = {share:.1%} of one core (target < {TARGET:.0%})")
    print("OK" if share < TARGET else "TOO SLOW")


if __name__ == "__main__":
    main()
