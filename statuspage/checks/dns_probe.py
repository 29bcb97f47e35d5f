"""One DNS probe: ask a nameserver for a name's records (over UDP) and compare the answers."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import secrets
import time
from pathlib import Path

from statuspage.checks.dns_wire import RCODES, Malformed, Reply, parse_reply, query
from statuspage.checks.outcome import Outcome, Probe
from statuspage.checks.spec import DnsProbe

RESOLV_CONF = Path("/etc/resolv.conf")


async def probe_dns(spec: DnsProbe, limit: float) -> Probe:
    started = time.perf_counter()
    host, port = nameserver(spec.server)
    try:
        async with asyncio.timeout(limit):
            reply = await ask(host, port, spec.name, spec.record)
    except TimeoutError:
        return Probe(Outcome.DOWN, _ms(started), f"no answer from {host} within {limit:g} s")
    except (OSError, Malformed, ValueError) as exc:
        return Probe(Outcome.DOWN, _ms(started), str(exc) or type(exc).__name__)
    return judge(spec, reply, _ms(started))


def judge(spec: DnsProbe, reply: Reply, latency_ms: float) -> Probe:
    if reply.rcode:
        code = RCODES.get(reply.rcode, f"rcode {reply.rcode}")
        return Probe(Outcome.DOWN, latency_ms, f"{code} for {spec.name}")
    found = reply.values(spec.record)
    if not found:
        return Probe(Outcome.DOWN, latency_ms, f"no {spec.record} record for {spec.name}")
    have = {_plain(v) for v in found}
    missing = [e for e in spec.expect if _plain(e) not in have]
    shown = ", ".join(found)
    if missing:
        expected = ", ".join(missing)
        return Probe(Outcome.DOWN, latency_ms, f"{spec.record} {shown}; expected {expected}")
    return Probe(Outcome.UP, latency_ms, f"{spec.record} {shown}")


async def ask(host: str, port: int, name: str, record: str) -> Reply:
    """Send one query and wait for the reply with its id (others are ignored)."""
    loop = asyncio.get_running_loop()
    query_id = secrets.randbelow(0x10000)
    answered: asyncio.Future[Reply] = loop.create_future()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: _Client(query_id, answered), remote_addr=(host, port)
    )
    try:
        transport.sendto(query(query_id, name, record))
        return await answered
    finally:
        transport.close()


class _Client(asyncio.DatagramProtocol):
    def __init__(self, query_id: int, answered: asyncio.Future[Reply]) -> None:
        self.query_id = query_id
        self.answered = answered

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        if self.answered.done():
            return
        try:
            reply = parse_reply(data)
        except Malformed as exc:
            self.answered.set_exception(exc)
            return
        if reply.id == self.query_id:
            self.answered.set_result(reply)

    def error_received(self, exc: Exception) -> None:
        if not self.answered.done():
            self.answered.set_exception(exc)


def nameserver(server: str | None) -> tuple[str, int]:
    """`host`, `host:port` or `[v6]:port`; None: the first nameserver in /etc/resolv.conf."""
    if server is None:
        return _system_nameserver(), 53
    text = server.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return host, int(rest.removeprefix(":") or 53)
    if text.count(":") == 1:
        host, port = text.split(":")
        return host, int(port)
    return text, 53


def _system_nameserver() -> str:
    with contextlib.suppress(OSError):
        for line in RESOLV_CONF.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "nameserver":
                with contextlib.suppress(ValueError):
                    return str(ipaddress.ip_address(parts[1].split("%")[0]))
    return "127.0.0.1"


def _plain(value: str) -> str:
    return value.strip().rstrip(".").lower()


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
