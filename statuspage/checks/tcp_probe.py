"""One TCP probe: does the port accept a connection within the timeout?"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time

from statuspage.checks.outcome import Outcome, Probe
from statuspage.checks.spec import TcpProbe


async def probe_tcp(spec: TcpProbe, limit: float) -> Probe:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(limit):
            _, writer = await asyncio.open_connection(spec.host, spec.port)
    except TimeoutError:
        return Probe(Outcome.DOWN, _ms(started), f"no connection within {limit:g} s")
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc) or type(exc).__name__
        return Probe(Outcome.DOWN, _ms(started), reason)
    latency = _ms(started)
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return Probe(Outcome.UP, latency, "connected")


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
