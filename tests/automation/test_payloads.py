"""The three webhook bodies read into signals; a malformed one is refused with the reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from statuspage.automation.payloads import MAX_ALERTS, parse
from statuspage.automation.signals import fingerprint_of
from statuspage.errors import InvalidInput
from tests.automation.conftest import PAYLOADS


def test_an_alertmanager_version_4_payload_gives_its_alerts() -> None:
    (signal,) = parse("alertmanager", (PAYLOADS / "alertmanager_firing.json").read_bytes())
    assert (signal.source, signal.fingerprint, signal.name) == (
        "alertmanager", "1a30ba71cca2921f", "PostgresDown"
    )  # fmt: skip
    assert signal.firing and signal.severity == "critical"
    assert signal.summary == "PostgreSQL is down"
    assert signal.at == datetime(2026, 3, 10, 11, 58, 45, 828172, tzinfo=UTC)  # Go's 9 digits


def test_a_grafana_payload_gives_its_alerts_firing_and_then_resolved() -> None:
    firing = parse("grafana", (PAYLOADS / "grafana_firing.json").read_bytes())
    assert [(s.fingerprint, s.severity, s.labels["statuspage_component"], s.firing)
            for s in firing] == [
        ("5f3e7c0a9b2d4e61", "critical", "API", True),
        ("0c9a1b7e55d3f248", "warning", "Dashboard", True),
    ]  # fmt: skip
    resolved = parse("grafana", (PAYLOADS / "grafana_resolved.json").read_bytes())
    assert [s.firing for s in resolved] == [False, False]
    assert resolved[0].at is not None and resolved[0].at.hour == 12  # 13:12+01:00


def test_the_generic_shape_takes_a_severity_field_and_makes_a_fingerprint_when_none() -> None:
    (signal,) = parse("generic", (PAYLOADS / "generic.json").read_bytes())
    assert (signal.fingerprint, signal.severity, signal.firing) == (
        "cron-backup-eu",
        "warning",
        True,
    )
    body = {"alerts": [{"status": "resolved", "labels": {"alertname": "A", "x": "1"}}]}
    (plain,) = parse("generic", json.dumps(body).encode())
    assert plain.fingerprint == fingerprint_of({"alertname": "A", "x": "1"}) and not plain.firing


def _am(**changes: object) -> bytes:
    body = json.loads((PAYLOADS / "alertmanager_firing.json").read_text())
    alert_changes = changes.pop("alert", None)
    body.update(changes)
    if isinstance(alert_changes, dict):
        body["alerts"][0].update(alert_changes)
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("source", "body", "reason"),
    [
        ("alertmanager", b"{not json", "the body is not JSON"),
        ("alertmanager", b"\xff\xfe", "the body is not UTF-8 text"),
        ("alertmanager", b"[]", "the body must be a JSON object, not a list"),
        ("alertmanager", _am(version="3"), "unsupported Alertmanager payload version '3'"),
        ("alertmanager", _am(alerts={"a": 1}), "`alerts` must be a list of alerts"),
        (
            "alertmanager",
            _am(alert={"status": "burning"}),
            "alerts[0].status must be firing or resolved",
        ),
        (
            "alertmanager",
            _am(alert={"labels": {}}),
            "alerts[0].labels must be an object of text values",
        ),
        ("alertmanager", _am(alert={"labels": {"a": 1}}), "alerts[0].labels.a must be text"),
        (
            "alertmanager",
            _am(alert={"startsAt": "yesterday"}),
            "alerts[0].startsAt is not an RFC 3339 time",
        ),
        (
            "alertmanager",
            _am(alert={"startsAt": "2026-03-10T12:00:00"}),
            "needs a time zone offset",
        ),
        ("alertmanager", _am(alert={"fingerprint": 7}), "alerts[0].fingerprint must be text"),
        ("grafana", b'{"title": "legacy", "state": "alerting"}', "no `alerts` list"),
        ("generic", b'{"alerts": [1]}', "alerts[0] must be a JSON object, not a number"),
        (
            "generic",
            b'{"alerts": [{"status": "firing", "labels": {"a": "b"}, "severity": 3}]}',
            "alerts[0].severity must be text",
        ),
        (
            "generic",
            json.dumps({"alerts": [{}] * (MAX_ALERTS + 1)}).encode(),
            "at most 1000 alerts",
        ),
    ],
)
def test_a_malformed_body_is_refused_with_the_reason(source: str, body: bytes, reason: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse(source, body)
    assert reason in str(refused.value)
