"""Each kind of probe against a real server on loopback: HTTP (status, keyword, JSON path,
latency), HTTPS with valid, about-to-expire and expired certificates, TCP and DNS."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import trustme

from statuspage.checks.outcome import Outcome
from statuspage.checks.spec import CheckSpec, DnsProbe, HttpProbe, ProbeSpec, StatusRange, TcpProbe
from statuspage.service.checks import ChecksService
from tests.checks.conftest import Port, probe_once
from tests.conftest import FakeClock


def check(probe: ProbeSpec, timeout: float = 5) -> CheckSpec:
    return CheckSpec("probe", probe, timeout=timedelta(seconds=timeout))


async def test_an_http_check_is_up_on_an_expected_status_and_down_on_another(
    http_url: str, checks: ChecksService
) -> None:
    up = await probe_once(check(HttpProbe(f"{http_url}/ok")), checks)
    assert up.outcome is Outcome.UP and up.detail == "HTTP 200"
    assert up.latency_ms is not None and up.latency_ms > 0
    down = await probe_once(check(HttpProbe(f"{http_url}/fail")), checks)
    assert down.outcome is Outcome.DOWN
    assert down.detail == "HTTP 503 (expected 200-299)"
    accepted = HttpProbe(f"{http_url}/fail", expect_status=(StatusRange(200, 200),
                                                           StatusRange(500, 503)))  # fmt: skip
    assert (await probe_once(check(accepted), checks)).outcome is Outcome.UP


async def test_redirects_are_followed_unless_the_check_says_not_to(
    http_url: str, checks: ChecksService
) -> None:
    followed = await probe_once(check(HttpProbe(f"{http_url}/moved", keyword="go")), checks)
    assert followed.outcome is Outcome.UP
    kept = HttpProbe(f"{http_url}/moved", follow_redirects=False)
    assert (await probe_once(check(kept), checks)).detail == "HTTP 302 (expected 200-299)"


async def test_a_keyword_must_be_present_and_an_absent_keyword_must_not(
    http_url: str, checks: ChecksService
) -> None:
    url = f"{http_url}/ok"
    assert (await probe_once(check(HttpProbe(url, keyword="systems go")), checks)).outcome == "up"
    missing = await probe_once(check(HttpProbe(url, keyword="all broken")), checks)
    assert missing.outcome is Outcome.DOWN
    assert missing.detail == "HTTP 200 without the keyword 'all broken'"
    present = await probe_once(check(HttpProbe(url, absent_keyword="systems")), checks)
    assert present.outcome is Outcome.DOWN and "with the keyword 'systems'" in present.detail


async def test_a_json_path_must_exist_and_hold_the_expected_value(
    http_url: str, checks: ChecksService
) -> None:
    url = f"{http_url}/json"

    async def outcome(path: str, value: str | None) -> tuple[Outcome, str]:
        probe = await probe_once(check(HttpProbe(url, json_path=path, json_value=value)), checks)
        return probe.outcome, probe.detail

    assert (await outcome("$.status", "ok"))[0] is Outcome.UP
    assert (await outcome("$.items[0].state", "green"))[0] is Outcome.UP
    assert (await outcome("items[0].count", "3"))[0] is Outcome.UP
    assert (await outcome("$.items", None))[0] is Outcome.UP
    assert await outcome("$.status", "down") == (Outcome.DOWN, "$.status is 'ok', expected 'down'")
    assert await outcome("$.items[3]", None) == (Outcome.DOWN, "the answer has no $.items[3]")
    not_json = HttpProbe(f"{http_url}/ok", json_path="$.status")
    assert (await probe_once(check(not_json), checks)).detail == "the answer is not JSON"


async def test_a_slow_answer_is_degraded_and_no_answer_within_the_timeout_is_down(
    http_url: str, checks: ChecksService
) -> None:
    slow = HttpProbe(f"{http_url}/slow?s=0.3", slow=timedelta(milliseconds=100))
    probe = await probe_once(check(slow), checks)
    assert probe.outcome is Outcome.DEGRADED
    assert probe.latency_ms is not None and probe.latency_ms >= 300
    assert "(slow above 100 ms)" in probe.detail
    quick_enough = HttpProbe(f"{http_url}/ok", slow=timedelta(seconds=5))
    assert (await probe_once(check(quick_enough), checks)).outcome is Outcome.UP
    late = await probe_once(check(HttpProbe(f"{http_url}/slow?s=2"), timeout=0.2), checks)
    assert late.outcome is Outcome.DOWN and late.detail == "no answer within 0.2 s"


async def test_a_refused_connection_is_down(checks: ChecksService, port: Port) -> None:
    probe = await probe_once(check(HttpProbe(f"http://127.0.0.1:{port.port}/")), checks)
    assert probe.outcome is Outcome.DOWN and probe.detail


async def test_a_certificate_about_to_expire_is_degraded_with_its_expiry(
    https_server: Callable[[datetime], object],
    ca: tuple[trustme.CA, str],
    checks: ChecksService,
    clock: FakeClock,
) -> None:
    clock.current = datetime.now(UTC)  # the TLS library checks validity by the real clock
    expires = (clock.current + timedelta(days=3)).replace(microsecond=0)
    url = await https_server(expires)  # type: ignore[misc]
    spec = HttpProbe(f"{url}/ok", ca_file=ca[1], cert_warning=timedelta(days=14))
    probe = await probe_once(check(spec), checks)
    assert probe.outcome is Outcome.DEGRADED
    assert probe.cert_expires_at == expires
    assert probe.detail.startswith("the TLS certificate expires in 2 days")
    later = HttpProbe(f"{url}/ok", ca_file=ca[1], cert_warning=timedelta(days=1))
    fine = await probe_once(check(later), checks)
    assert fine.outcome is Outcome.UP and fine.cert_expires_at == expires


async def test_an_expired_or_untrusted_certificate_is_down(
    https_server: Callable[[datetime], object],
    ca: tuple[trustme.CA, str],
    checks: ChecksService,
) -> None:
    expired = await https_server(datetime.now(UTC) - timedelta(days=1))  # type: ignore[misc]
    probe = await probe_once(check(HttpProbe(f"{expired}/ok", ca_file=ca[1])), checks)
    assert probe.outcome is Outcome.DOWN
    assert probe.detail.startswith("TLS: ") and "expired" in probe.detail
    valid = await https_server(datetime.now(UTC) + timedelta(days=300))  # type: ignore[misc]
    untrusted = await probe_once(check(HttpProbe(f"{valid}/ok")), checks)
    assert untrusted.outcome is Outcome.DOWN and "certificate verify failed" in untrusted.detail
    trusted = await probe_once(check(HttpProbe(f"{valid}/ok", ca_file=ca[1])), checks)
    assert trusted.outcome is Outcome.UP


async def test_a_tcp_check_is_up_while_the_port_accepts_and_down_when_closed(
    checks: ChecksService, port: Port
) -> None:
    spec = check(TcpProbe("127.0.0.1", port.port))
    closed = await probe_once(spec, checks)
    assert (closed.outcome, closed.detail) == (Outcome.DOWN, "Connection refused")
    await port.open()
    up = await probe_once(spec, checks)
    assert up.outcome is Outcome.UP and up.detail == "connected"


async def test_a_dns_check_compares_the_answers_with_the_expected_ones(
    dns_server: str, checks: ChecksService
) -> None:
    async def probe(name: str, record: str = "A", *expect: str) -> tuple[Outcome, str]:
        found = await probe_once(check(DnsProbe(name, record, expect, dns_server)), checks)
        return found.outcome, found.detail

    assert await probe("api.test") == (Outcome.UP, "A 192.0.2.10, 192.0.2.11")
    assert await probe("api.test", "A", "192.0.2.11") == (Outcome.UP, "A 192.0.2.10, 192.0.2.11")
    assert await probe("api.test", "A", "192.0.2.99") == (
        Outcome.DOWN,
        "A 192.0.2.10, 192.0.2.11; expected 192.0.2.99",
    )
    assert await probe("api.test", "AAAA", "2001:DB8::10") == (Outcome.UP, "AAAA 2001:db8::10")
    assert await probe("www.test", "CNAME", "api.test.") == (Outcome.UP, "CNAME api.test")
    assert await probe("api.test", "MX") == (Outcome.UP, "MX 10 mail.api.test")
    assert await probe("api.test", "TXT", "hello world") == (Outcome.UP, "TXT hello world")
    assert await probe("www.test") == (Outcome.DOWN, "no A record for www.test")
    assert await probe("gone.nowhere.test") == (Outcome.DOWN, "NXDOMAIN for gone.nowhere.test")


async def test_a_dns_check_without_an_answer_is_down_after_its_timeout(
    checks: ChecksService, port: Port
) -> None:
    silent = DnsProbe("api.test", server=f"127.0.0.1:{port.port}")
    found = await probe_once(check(silent, timeout=0.2), checks)
    assert found.outcome is Outcome.DOWN
