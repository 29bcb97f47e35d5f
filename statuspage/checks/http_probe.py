"""One HTTP(S) probe: status, keyword or JSON path, latency and the certificate's expiry.

Targets come only from the operator's automation file, so private and loopback addresses are
allowed here (probing them is a check's job); nothing a visitor sends ever becomes a target.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import re
import ssl
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import aiohttp

from statuspage.checks.outcome import Outcome, Probe
from statuspage.checks.spec import HttpProbe

MAX_BODY = 1024 * 1024  # keywords and JSON paths look at the first MiB
MAX_REDIRECTS = 10
_TOKEN = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")
_MISSING = object()


class CertExpiry:
    """When the certificates of HTTPS servers expire, looked up with a TLS handshake of their
    own (aiohttp lets go of a connection before its answer can be looked at) and remembered
    for an hour per server: expiry warnings are about days, not seconds."""

    def __init__(self, keep: timedelta = timedelta(hours=1)) -> None:
        self.keep = keep
        self._known: dict[tuple[str, int, str | None], tuple[float, datetime | None]] = {}

    async def lookup(self, url: str, ca_file: str | None, limit: float) -> datetime | None:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port or 443
        key = (host, port, ca_file)
        found = self._known.get(key)
        if found is not None and time.monotonic() - found[0] < self.keep.total_seconds():
            return found[1]
        expires = await _handshake_expiry(host, port, ca_file, limit)
        if expires is not None:
            self._known[key] = (time.monotonic(), expires)
        return expires


async def _handshake_expiry(
    host: str, port: int, ca_file: str | None, limit: float
) -> datetime | None:
    try:
        async with asyncio.timeout(limit):
            _, writer = await asyncio.open_connection(
                host, port, ssl=tls_context(ca_file), server_hostname=host
            )
    except (OSError, TimeoutError, ssl.SSLError):
        return None  # the request itself says what is wrong
    cert = writer.get_extra_info("peercert")
    writer.close()
    with contextlib.suppress(OSError, ssl.SSLError):
        await writer.wait_closed()
    not_after = cert.get("notAfter") if isinstance(cert, dict) else None
    if not isinstance(not_after, str):
        return None
    return datetime.fromtimestamp(ssl.cert_time_to_seconds(not_after), UTC)


async def probe_http(
    session: aiohttp.ClientSession,
    spec: HttpProbe,
    limit: float,
    now: datetime,
    certs: CertExpiry | None = None,
) -> Probe:
    """Request the URL once and judge the answer; every failure is an outcome, never raised."""
    started = time.perf_counter()
    try:
        async with session.request(
            spec.method,
            spec.url,
            headers=dict(spec.headers),
            allow_redirects=spec.follow_redirects,
            max_redirects=MAX_REDIRECTS,
            ssl=tls_context(spec.ca_file) if spec.url.startswith("https:") else True,
            timeout=aiohttp.ClientTimeout(total=limit),
        ) as response:
            body = b"" if spec.method == "HEAD" else await response.content.read(MAX_BODY)
            latency = (time.perf_counter() - started) * 1000
            status = response.status
            text = body.decode(response.get_encoding() or "utf-8", errors="replace")
    except TimeoutError:
        return Probe(Outcome.DOWN, _ms(started), f"no answer within {limit:g} s")
    except aiohttp.ClientConnectorCertificateError as exc:
        return Probe(Outcome.DOWN, _ms(started), f"TLS: {exc.certificate_error}")
    except aiohttp.ClientSSLError as exc:
        return Probe(Outcome.DOWN, _ms(started), f"TLS: {exc}")
    except (aiohttp.ClientError, OSError, LookupError) as exc:
        return Probe(Outcome.DOWN, _ms(started), _error(exc))
    https = spec.url.lower().startswith("https:")
    expires = await certs.lookup(spec.url, spec.ca_file, limit) if certs and https else None
    return judge(spec, status, text, latency, expires, now)


def judge(
    spec: HttpProbe,
    status: int,
    body: str,
    latency_ms: float,
    expires: datetime | None,
    now: datetime,
) -> Probe:
    """The outcome of an answer: down when it is wrong, degraded when slow or the
    certificate expires within `cert_warning`, else up."""
    wrong = _wrong_answer(spec, status, body)
    if wrong:
        return Probe(Outcome.DOWN, latency_ms, wrong, expires)
    if spec.slow is not None and latency_ms > spec.slow.total_seconds() * 1000:
        limit = spec.slow.total_seconds() * 1000
        detail = f"answered in {latency_ms:.0f} ms (slow above {limit:.0f} ms)"
        return Probe(Outcome.DEGRADED, latency_ms, detail, expires)
    if spec.cert_warning is not None and expires is not None:
        left = expires - now
        if left < spec.cert_warning:
            detail = f"the TLS certificate expires in {_days(left)} ({expires:%Y-%m-%d %H:%M} UTC)"
            return Probe(Outcome.DEGRADED, latency_ms, detail, expires)
    return Probe(Outcome.UP, latency_ms, f"HTTP {status}", expires)


def _wrong_answer(spec: HttpProbe, status: int, body: str) -> str:
    if not any(status in r for r in spec.expect_status):
        expected = ", ".join(str(r) for r in spec.expect_status)
        return f"HTTP {status} (expected {expected})"
    if spec.keyword is not None and spec.keyword not in body:
        return f"HTTP {status} without the keyword {spec.keyword!r}"
    if spec.absent_keyword is not None and spec.absent_keyword in body:
        return f"HTTP {status} with the keyword {spec.absent_keyword!r}"
    if spec.json_path is not None:
        return _json_mismatch(spec.json_path, spec.json_value, body)
    return ""


def _json_mismatch(path: str, expected: str | None, body: str) -> str:
    try:
        document = json.loads(body)
    except ValueError:
        return "the answer is not JSON"
    value = json_path_value(document, path)
    if value is _MISSING:
        return f"the answer has no {path}"
    if expected is not None and as_text(value) != expected:
        return f"{path} is {as_text(value)!r}, expected {expected!r}"
    return ""


def json_path_value(document: object, path: str) -> object:
    """The value at a path such as `$.data.items[0].state` (the leading `$` optional)."""
    text = path.removeprefix("$")
    if text and text[0] not in ".[":
        text = "." + text
    value = document
    for key, index in _TOKEN.findall(text):
        if index:
            if not isinstance(value, list) or int(index) >= len(value):
                return _MISSING
            value = value[int(index)]
        elif isinstance(value, dict) and key in value:
            value = value[key]
        else:
            return _MISSING
    return value


def as_text(value: object) -> str:
    """A JSON value as the automation file writes it: text as is, others as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


@functools.lru_cache(maxsize=64)
def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """Verify the server's certificate, against `ca_file` when given (a private CA); made
    once per CA file (loading the system's CAs costs milliseconds)."""
    return ssl.create_default_context(cafile=ca_file)


def _days(left: timedelta) -> str:
    if left <= timedelta(0):
        return "0 days (it has expired)"
    days = left.days
    if days < 1:
        return f"{max(1, int(left.total_seconds() // 3600))} h"
    return f"{days} day{'' if days == 1 else 's'}"


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _error(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."
