"""The `checks:` list of the automation file: read into checks, every mistake at its
file:line:column, other top-level keys (the alert rules) left alone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from statuspage.checks.read import parse_span, validate_checks
from statuspage.checks.spec import DnsProbe, HttpProbe, StatusRange, TcpProbe
from statuspage.checks.wiring import configured_checks
from statuspage.errors import PlanError
from statuspage.model import ComponentStatus
from statuspage.resources import resource

EXAMPLE = resource("automation_rules", "checks.yaml")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "automation.yaml"
    path.write_text(text)
    return path


def errors(tmp_path: Path, text: str) -> list[str]:
    report = validate_checks(write(tmp_path, text), display="automation.yaml")
    assert report.checks is None
    return [str(i) for i in report.issues.sorted()]


def test_the_shipped_example_validates_and_reads_every_kind() -> None:
    report = validate_checks(EXAMPLE)
    assert report.checks is not None, [str(i) for i in report.issues.errors]
    by_name = {c.name: c for c in report.checks}
    api = by_name["api-health"]
    assert isinstance(api.probe, HttpProbe)
    assert api.probe.json_path == "$.status" and api.probe.json_value == "ok"
    assert api.probe.slow == timedelta(milliseconds=800)
    assert api.probe.cert_warning == timedelta(days=14)
    assert api.probe.expect_status == (StatusRange(200, 299),)
    assert (api.interval, api.timeout, api.retries) == (timedelta(seconds=30),
                                                        timedelta(seconds=10), 2)  # fmt: skip
    assert api.components == ("API",) and api.down is ComponentStatus.MAJOR_OUTAGE
    assert by_name["website"].down is ComponentStatus.PARTIAL_OUTAGE
    assert by_name["database-port"].probe == TcpProbe("db.internal.example", 5432)
    assert by_name["database-port"].components == ("API", "Dashboard")
    assert by_name["api-dns"].probe == DnsProbe("api.example.com", "A", ("203.0.113.10",))
    assert not by_name["api-dns"].uptime_from_probes and api.uptime_from_probes


def test_a_check_may_leave_its_components_uptime_to_the_incidents(tmp_path: Path) -> None:
    check = "  - name: {name}\n    tcp: {{host: db, port: 5432}}\n    components: [DB]\n"
    path = write(
        tmp_path,
        "checks:\n" + check.format(name="a") + "    uptime: incidents\n"
        + check.format(name="b") + "    uptime: probes\n" + check.format(name="c"),
    )  # fmt: skip
    report = validate_checks(path)
    assert report.checks is not None
    assert [c.uptime_from_probes for c in report.checks] == [False, True, True]
    assert errors(tmp_path, "checks:\n" + check.format(name="a") + "    uptime: never\n") == [
        "automation.yaml:5:13: error: unknown uptime 'never'; hint: accepted: incidents, probes"
    ]


def test_other_top_level_keys_are_left_to_the_alert_rules(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "version: 1\nrules:\n  - name: anything\n    whatever: [1, 2]\ndefault_rule: {for: 1m}\n"
        "checks:\n  - name: db\n    tcp: {host: 127.0.0.1, port: 5432}\n    components: DB\n",
    )
    report = validate_checks(path)
    assert report.checks is not None and [c.name for c in report.checks] == ["db"]
    assert report.checks[0].components == ("DB",)
    assert report.checks[0].timeout == timedelta(seconds=10)
    assert validate_checks(write(tmp_path, "rules: []\n")).checks == []


def test_mistakes_are_reported_at_their_line_and_column(tmp_path: Path) -> None:
    found = errors(
        tmp_path,
        """checks:
  - name: api
    http:
      url: ftp://api.example.com
      method: POST
      expect_status: [200, 600, 299-200]
      json_value: ok
      slow: fast
    interval: 0s
    retries: -1
    down: broken
    colour: red
  - name: api
    tcp: {host: db}
  - name: "bad name!"
    dns: {name: example.com, type: SRV}
  - name: both
    tcp: {host: db, port: 70000}
    dns: {name: example.com}
  - name: quick
    tcp: {host: db, port: 1}
    interval: 5s
    timeout: 10s
""",
    )
    hint = "write durations like 500ms, 1.5s, 30s, 5m, 1h30m or 14d"
    status_hint = "expect_status: [200, 301-302]"
    assert found == [
        "automation.yaml:4:12: error: bad url 'ftp://api.example.com'; hint: use an absolute "
        "http(s) URL such as https://api.example.com/health",
        "automation.yaml:5:15: error: unknown method 'POST'; hint: accepted: GET, HEAD",
        "automation.yaml:6:28: error: expect_status takes HTTP status codes (200) and ranges "
        f"(200-299); hint: e.g. {status_hint}",
        "automation.yaml:6:33: error: expect_status takes HTTP status codes (200) and ranges "
        f"(200-299); hint: e.g. {status_hint}",
        "automation.yaml:7:7: error: json_value needs a json_path",
        f"automation.yaml:8:13: error: bad duration for slow; hint: {hint}",
        f"automation.yaml:9:15: error: bad duration for interval; hint: {hint}",
        "automation.yaml:10:14: error: retries must be a whole number of 0 or more",
        "automation.yaml:11:11: error: unknown status for `down` 'broken'; hint: accepted: "
        "degraded_performance, major_outage, partial_outage",
        "automation.yaml:12:5: error: unknown key 'colour' in a check; hint: accepted: "
        "components, degraded, dns, down, http, interval, name, retries, tcp, timeout, uptime",
        "automation.yaml:14:10: error: `tcp` has no 'port'; hint: add `port:`",
        "automation.yaml:15:11: error: bad check name 'bad name!'; hint: use up to 64 letters, "
        "digits, '.', '_' and '-', starting with a letter or digit",
        "automation.yaml:16:36: error: unknown type 'SRV'; hint: accepted: A, AAAA, CNAME, MX, "
        "NS, TXT",
        "automation.yaml:17:5: error: check 'both' must say what it probes with one of `http`, "
        "`tcp` or `dns` (found `tcp` and `dns`); hint: e.g. http: {url: "
        "https://api.example.com/health}",
        "automation.yaml:23:5: error: the timeout of check 'quick' is longer than its interval; "
        "hint: a probe must end before the next one starts",
    ]


def test_a_name_twice_a_bad_port_and_a_bad_shape_are_refused(tmp_path: Path) -> None:
    assert errors(
        tmp_path,
        "checks:\n  - name: db\n    tcp: {host: db, port: 5432}\n"
        "  - name: db\n    tcp: {host: db, port: 70000}\n"
        "  - name: db\n    tcp: {host: db, port: 1}\n",
    ) == [
        "automation.yaml:5:27: error: port 70000 is above 65535",
        "automation.yaml:6:5: error: a check named 'db' is defined twice (first at line 2); "
        "hint: give each check its own name",
    ]
    assert errors(
        tmp_path,
        "checks:\n  - name: x\n    http: {url: 'https://a.test', method: head, keyword: ok}\n",
    ) == [
        "automation.yaml:3:49: error: keyword looks at the body, which a HEAD request does not "
        "get; hint: use method: GET"
    ]
    assert errors(tmp_path, "checks: {name: db}\n") == [
        "automation.yaml:1:9: error: `checks` must be a list, not a mapping"
    ]
    assert errors(tmp_path, "checks:\n  - name: x\n    http: {url: 'https://a.test', "
                  "timeout: 1s}\n") == [
        "automation.yaml:3:35: error: unknown key 'timeout' in `http`; hint: accepted: "
        "absent_keyword, ca_file, cert_warning, expect_status, follow_redirects, headers, "
        "json_path, json_value, keyword, method, slow, url",
    ]  # fmt: skip


def test_durations_take_milliseconds_seconds_and_the_plan_forms() -> None:
    assert parse_span("500ms") == timedelta(milliseconds=500)
    assert parse_span("1.5s") == timedelta(seconds=1.5)
    assert parse_span("1h30m") == timedelta(minutes=90)
    assert parse_span("14d") == timedelta(days=14)
    assert parse_span("0s") is None and parse_span("soon") is None


def test_the_setting_names_the_file_and_a_broken_one_stops_the_start(tmp_path: Path) -> None:
    assert configured_checks("") == [] and configured_checks("off") == []
    assert [c.name for c in configured_checks(str(EXAMPLE))][:2] == ["api-health", "website"]
    with pytest.raises(PlanError, match="no automation file at"):
        configured_checks(str(tmp_path / "missing.yaml"))
    broken = write(tmp_path, "checks:\n  - name: x\n")
    with pytest.raises(
        PlanError, match=r"do not validate: .*automation.yaml:2:5: error: check 'x'"
    ):
        configured_checks(str(broken))


def test_the_readme_example_validates(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Built-in checks", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    report = validate_checks(write(tmp_path, block))
    assert report.checks is not None, [str(i) for i in report.issues.errors]
    assert [c.kind.value for c in report.checks] == ["http", "tcp", "dns"]
