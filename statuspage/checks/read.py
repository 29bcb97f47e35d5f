"""The `checks:` list of the automation file (STATUSPAGE_AUTOMATION) read into CheckSpecs,
every mistake reported at its file:line:column with the comms plan's YAML reader.

Only the `checks:` key is read here; the file's other top-level keys (the alert `rules:`)
belong to the alerts automation and are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from statuspage.checks.spec import (
    CheckSpec,
    DnsProbe,
    HttpProbe,
    Kind,
    ProbeSpec,
    StatusRange,
    TcpProbe,
)
from statuspage.comms.plan.issues import Issues
from statuspage.comms.plan.typed_yaml import Reader, format_duration, parse_duration, suggest
from statuspage.comms.plan.yamlnodes import Mapping, Node, Scalar, Sequence, load
from statuspage.model import ComponentStatus

KEY = "checks"
CHECK_KEYS = (
    "name", *Kind, "components", "interval", "timeout", "retries", "down", "degraded", "uptime",
)  # fmt: skip
HTTP_KEYS = (
    "url", "method", "expect_status", "keyword", "absent_keyword", "json_path", "json_value",
    "slow", "cert_warning", "ca_file", "follow_redirects", "headers",
)  # fmt: skip
TCP_KEYS = ("host", "port")
DNS_KEYS = ("name", "type", "expect", "server")
METHODS = ("GET", "HEAD")
RECORDS = ("A", "AAAA", "CNAME", "MX", "NS", "TXT")
STATUSES = ("degraded_performance", "partial_outage", "major_outage")
UPTIME_SOURCES = ("probes", "incidents")  # what a check's components' uptime comes from
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
JSON_PATH = re.compile(
    r"^\$?(?:\.[^.\[\]]+|\[\d+\])+$|^[^.\[\]$][^.\[\]]*(?:\.[^.\[\]]+|\[\d+\])*$"
)
MAX_CHECKS = 1000
MIN_INTERVAL, MAX_INTERVAL = timedelta(seconds=1), timedelta(days=1)
MIN_TIMEOUT, MAX_TIMEOUT = timedelta(milliseconds=100), timedelta(minutes=5)
_SHORT = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)$")
DURATION_HINT = "write durations like 500ms, 1.5s, 30s, 5m, 1h30m or 14d"


@dataclass
class ChecksReport:
    """The checks (None when there are errors) and every finding."""

    checks: list[CheckSpec] | None
    issues: Issues = field(default_factory=Issues)


def validate_checks(path: Path, display: str | None = None) -> ChecksReport:
    """Read and check the `checks:` list of an automation file."""
    issues = Issues()
    root = load(path, issues, display)
    if root is None:
        return ChecksReport(None, issues)
    checks = _Checks(Reader(issues)).top(root)
    return ChecksReport(checks if not issues.errors else None, issues)


def parse_span(text: str) -> timedelta | None:
    """`500ms`, `1.5s`, `30s`, `5m`, `1h30m`, `14d` -> timedelta; None when malformed or 0."""
    match = _SHORT.match(text.strip())
    if match:
        number, unit = float(match.group(1)), match.group(2)
        value = timedelta(milliseconds=number) if unit == "ms" else timedelta(seconds=number)
        return value if value > timedelta(0) else None
    return parse_duration(text)


class _Checks:
    def __init__(self, r: Reader) -> None:
        self.r = r
        self.issues = r.issues

    def top(self, root: Node) -> list[CheckSpec]:
        m = self.r.mapping(root, "the automation file")
        node = m.get(KEY) if m is not None else None
        if node is None or (isinstance(node, Scalar) and node.is_null):
            return []
        if not isinstance(node, Sequence):
            self.issues.error(node.where, f"`checks` must be a list, not {node.kind}")
            return []
        if len(node.items) > MAX_CHECKS:
            self.issues.error(node.where, f"more than {MAX_CHECKS} checks", "split the file")
            return []
        checks: list[CheckSpec] = []
        seen: dict[str, int] = {}
        for item in node.items:
            check = self.check(item)
            if check is None:
                continue
            if check.name in seen:
                self.issues.error(
                    item.where,
                    f"a check named {check.name!r} is defined twice (first at line "
                    f"{seen[check.name]})",
                    "give each check its own name",
                )
                continue
            seen[check.name] = check.line
            checks.append(check)
        return checks

    def check(self, node: Node) -> CheckSpec | None:
        m = self.r.mapping(node, "a check")
        if m is None:
            return None
        self.r.keys(m, "a check", required=("name",), optional=CHECK_KEYS)
        name = self._name(m.get("name"))
        probe = self._probe(m, name or "the check")
        interval = self._span(m.get("interval"), "interval", MIN_INTERVAL, MAX_INTERVAL)
        timeout = self._span(m.get("timeout"), "timeout", MIN_TIMEOUT, MAX_TIMEOUT)
        retries = self.r.integer(m.get("retries"), "retries")
        if retries is not None and retries > 100:
            self.issues.error(m.key_where("retries"), "retries must be 100 or fewer")
        components = [s.text.strip() for s in self.r.words(m.get("components"), "components")]
        down = self._status(m.get("down"), "down")
        degraded = self._status(m.get("degraded"), "degraded")
        uptime = self._choice(m.get("uptime"), "uptime", UPTIME_SOURCES, upper=False)
        if name is None or probe is None:
            return None
        spec = CheckSpec(name, probe, tuple(components), line=m.where.line)
        interval = interval or spec.interval
        timeout = timeout or min(spec.timeout, interval)
        if timeout > interval:
            self.issues.error(
                m.key_where("timeout"),
                f"the timeout of check {name!r} is longer than its interval",
                "a probe must end before the next one starts",
            )
        return CheckSpec(
            name,
            probe,
            tuple(components),
            interval,
            timeout,
            retries or 0,
            down or spec.down,
            degraded or spec.degraded,
            uptime != "incidents",
            line=m.where.line,
        )

    def _name(self, node: Node | None) -> str | None:
        text = self.r.text(node, "the check's name")
        if text is None or node is None:
            return None
        if not NAME.match(text):
            self.issues.error(
                node.where,
                f"bad check name {text!r}",
                "use up to 64 letters, digits, '.', '_' and '-', starting with a letter or digit",
            )
            return None
        return text

    def _probe(self, m: Mapping, name: str) -> ProbeSpec | None:
        given = [k for k in Kind if k.value in m.entries]
        if len(given) != 1:
            what = "none" if not given else " and ".join(f"`{k.value}`" for k in given)
            self.issues.error(
                m.where,
                f"check {name!r} must say what it probes with one of `http`, `tcp` or `dns` "
                f"(found {what})",
                "e.g. http: {url: https://api.example.com/health}",
            )
            return None
        kind = given[0]
        node = self.r.mapping(m.get(kind.value), f"`{kind.value}` of check {name!r}")
        if node is None:
            return None
        if kind is Kind.HTTP:
            return self._http(node)
        return self._tcp(node) if kind is Kind.TCP else self._dns(node)

    def _http(self, m: Mapping) -> HttpProbe | None:
        self.r.keys(m, "`http`", required=("url",), optional=HTTP_KEYS)
        url = self._url(m.get("url"))
        method = self._choice(m.get("method"), "method", METHODS, upper=True) or "GET"
        expect = self._expect_status(m.get("expect_status"))
        json_path = self._json_path(m.get("json_path"))
        json_value = self._plain(m.get("json_value"), "json_value")
        if json_value is not None and json_path is None:
            self.issues.error(m.key_where("json_value"), "json_value needs a json_path")
        body_keys = [k for k in ("keyword", "absent_keyword", "json_path") if k in m.entries]
        if method == "HEAD" and body_keys:
            self.issues.error(
                m.key_where(body_keys[0]),
                f"{body_keys[0]} looks at the body, which a HEAD request does not get",
                "use method: GET",
            )
        slow = self._span(m.get("slow"), "slow", timedelta(milliseconds=1), MAX_TIMEOUT)
        cert = self._span(m.get("cert_warning"), "cert_warning", timedelta(hours=1), None)
        follow = self.r.boolean(m.get("follow_redirects"), "follow_redirects")
        if url is None:
            return None
        return HttpProbe(
            url,
            method,
            expect or HttpProbe.expect_status,
            self._plain(m.get("keyword"), "keyword"),
            self._plain(m.get("absent_keyword"), "absent_keyword"),
            json_path,
            json_value,
            slow,
            cert,
            self.r.text(m.get("ca_file"), "ca_file"),
            True if follow is None else follow,
            self._headers(m.get("headers")),
        )

    def _tcp(self, m: Mapping) -> TcpProbe | None:
        self.r.keys(m, "`tcp`", required=("host", "port"), optional=TCP_KEYS)
        host = self.r.text(m.get("host"), "host")
        port = self._port(m.get("port"))
        return TcpProbe(host, port) if host and port else None

    def _dns(self, m: Mapping) -> DnsProbe | None:
        self.r.keys(m, "`dns`", required=("name",), optional=DNS_KEYS)
        name = self.r.text(m.get("name"), "the name to resolve")
        record = self._choice(m.get("type"), "type", RECORDS, upper=True) or "A"
        expect = [s.text.strip() for s in self.r.words(m.get("expect"), "expect")]
        server = self.r.text(m.get("server"), "server")
        if name is None:
            return None
        return DnsProbe(name.rstrip("."), record, tuple(expect), server)

    def _url(self, node: Node | None) -> str | None:
        text = self.r.text(node, "url")
        if text is None or node is None:
            return None
        parts = urlsplit(text)
        try:
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError:
            parts = parts._replace(netloc="")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.issues.error(
                node.where,
                f"bad url {text!r}",
                "use an absolute http(s) URL such as https://api.example.com/health",
            )
            return None
        return text

    def _expect_status(self, node: Node | None) -> tuple[StatusRange, ...] | None:
        if node is None:
            return None
        items = node.items if isinstance(node, Sequence) else [node]
        ranges = []
        for item in items:
            found = _status_range(item.text) if isinstance(item, Scalar) else None
            if found is None:
                self.issues.error(
                    item.where,
                    "expect_status takes HTTP status codes (200) and ranges (200-299)",
                    "e.g. expect_status: [200, 301-302]",
                )
                continue
            ranges.append(found)
        return tuple(ranges) or None

    def _json_path(self, node: Node | None) -> str | None:
        text = self._plain(node, "json_path")
        if text is None or node is None:
            return None
        if not JSON_PATH.match(text):
            self.issues.error(
                node.where, f"bad json_path {text!r}", "write a path such as $.status or $.a[0].b"
            )
            return None
        return text

    def _headers(self, node: Node | None) -> tuple[tuple[str, str], ...]:
        m = self.r.mapping(node, "headers")
        if m is None:
            return ()
        found = []
        for key, (key_node, value_node) in m.entries.items():
            value = self._plain(value_node, f"header {key!r}")
            if not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", key):
                self.issues.error(key_node.where, f"bad header name {key!r}")
            elif value is not None and ("\n" in value or "\r" in value):
                self.issues.error(value_node.where, f"header {key!r} must be one line")
            elif value is not None:
                found.append((key, value))
        return tuple(found)

    def _plain(self, node: Node | None, what: str) -> str | None:
        """Text as written (a number or true stays its text), not empty."""
        if node is None:
            return None
        if isinstance(node, Scalar) and not node.is_null and node.text != "":
            return node.text
        self.issues.error(node.where, f"{what} must be text, not {node.kind}")
        return None

    def _choice(
        self, node: Node | None, what: str, choices: tuple[str, ...], *, upper: bool
    ) -> str | None:
        text = self.r.text(node, what)
        if text is None or node is None:
            return None
        value = text.upper() if upper else text
        if value not in choices:
            self.issues.error(node.where, f"unknown {what} {text!r}", suggest(value, choices))
            return None
        return value

    def _status(self, node: Node | None, what: str) -> ComponentStatus | None:
        value = self._choice(node, f"status for `{what}`", STATUSES, upper=False)
        return ComponentStatus(value) if value else None

    def _port(self, node: Node | None) -> int | None:
        port = self.r.integer(node, "port", minimum=1)
        if port is not None and port > 65535 and node is not None:
            self.issues.error(node.where, f"port {port} is above 65535")
            return None
        return port

    def _span(
        self, node: Node | None, what: str, low: timedelta, high: timedelta | None
    ) -> timedelta | None:
        if node is None:
            return None
        value = parse_span(node.text) if isinstance(node, Scalar) and not node.is_null else None
        if value is None:
            self.issues.error(node.where, f"bad duration for {what}", DURATION_HINT)
            return None
        if value < low or (high is not None and value > high):
            bound = (
                f"between {_span_text(low)} and {_span_text(high)}"
                if high
                else (f"at least {_span_text(low)}")
            )
            self.issues.error(node.where, f"{what} must be {bound}")
            return None
        return value


def _status_range(text: str) -> StatusRange | None:
    match = re.fullmatch(r"\s*([1-5]\d\d)\s*(?:-\s*([1-5]\d\d)\s*)?", text)
    if not match:
        return None
    low = int(match.group(1))
    high = int(match.group(2) or low)
    return StatusRange(low, high) if low <= high else None


def _span_text(value: timedelta) -> str:
    seconds = value.total_seconds()
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    return format_duration(value)
