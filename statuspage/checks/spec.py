"""A check as the operator defined it (the `checks:` list of the automation file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from statuspage.model import ComponentStatus


class Kind(StrEnum):
    HTTP = "http"
    TCP = "tcp"
    DNS = "dns"


@dataclass(frozen=True)
class StatusRange:
    """Accepted HTTP status codes: one code (200) or a range (200-299)."""

    low: int
    high: int

    def __contains__(self, code: object) -> bool:
        return isinstance(code, int) and self.low <= code <= self.high

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"


@dataclass(frozen=True)
class HttpProbe:
    url: str
    method: str = "GET"
    expect_status: tuple[StatusRange, ...] = (StatusRange(200, 299),)
    keyword: str | None = None  # the body must contain it
    absent_keyword: str | None = None  # the body must not contain it
    json_path: str | None = None  # $.a.b[0]: the body is JSON and this value ...
    json_value: str | None = None  # ... equals this (as text); None: only that it exists
    slow: timedelta | None = None  # degraded when the answer takes longer than this
    cert_warning: timedelta | None = None  # degraded when the certificate expires sooner
    ca_file: str | None = None  # a CA bundle to trust (a private CA)
    follow_redirects: bool = True
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TcpProbe:
    host: str
    port: int


@dataclass(frozen=True)
class DnsProbe:
    name: str
    record: str = "A"  # A, AAAA, CNAME, MX, NS, TXT
    expect: tuple[str, ...] = ()  # each must be among the answers (empty: any answer)
    server: str | None = None  # host or host:port; default: the system's first nameserver


ProbeSpec = HttpProbe | TcpProbe | DnsProbe


@dataclass(frozen=True)
class CheckSpec:
    """One check: what to probe, how often, and what its failures do to which components."""

    name: str
    probe: ProbeSpec
    components: tuple[str, ...] = ()  # names or ids
    interval: timedelta = timedelta(seconds=60)
    timeout: timedelta = timedelta(seconds=10)
    retries: int = 0  # failed probes tolerated: down (or degraded) after retries + 1 in a row
    down: ComponentStatus = ComponentStatus.MAJOR_OUTAGE
    degraded: ComponentStatus = ComponentStatus.DEGRADED_PERFORMANCE
    # Its probes give its components' uptime (`uptime: probes`, the default); `uptime:
    # incidents` leaves them on the incident-based figure (statuspage.checks.uptime).
    uptime_from_probes: bool = True
    line: int = field(default=0, compare=False)  # where it is defined, for messages

    @property
    def kind(self) -> Kind:
        if isinstance(self.probe, HttpProbe):
            return Kind.HTTP
        return Kind.TCP if isinstance(self.probe, TcpProbe) else Kind.DNS

    @property
    def target(self) -> str:
        """What it probes, in one short line."""
        p = self.probe
        if isinstance(p, HttpProbe):
            return f"{p.method} {p.url}"
        if isinstance(p, TcpProbe):
            return f"{p.host}:{p.port}"
        return f"{p.record} {p.name}" + (f" @{p.server}" if p.server else "")
