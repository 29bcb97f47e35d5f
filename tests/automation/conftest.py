"""Fixtures for alerts in: a page with components, rules written inline, signals by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from statuspage.automation.read import load_rules
from statuspage.automation.rules import RuleSet
from statuspage.automation.signals import Signal
from statuspage.model import ComponentStatus
from statuspage.service import Service
from statuspage.service.automation import Automation
from statuspage.storage import Store
from tests.conftest import FakeClock

PAYLOADS = Path(__file__).parent / "payloads"

RULES = """\
version: 1
default_rule:
  hold_down: 0s
rules:
  - name: api-errors
    match: {service: api}
    match_re: {alertname: "Api(Errors|Latency)High"}
    components: [API]
    status: {critical: major_outage, warning: partial_outage}
    for: 1m
    hold_down: 5m
  - name: database-down
    match: {alertname: PostgresDown}
    components: [API, Dashboard]
    status: major_outage
    declare: {template: database-outage, severity: SEV2, resolve: true}
"""


@pytest.fixture
async def asvc(store: Store, clock: FakeClock) -> Service:
    service = Service(store, clock)
    await service.ensure_page("Acme", "https://status.acme.test", "Europe/Berlin")
    for name in ("API", "Web", "Dashboard"):
        await service.add_component(name)
    return service


def rules_from(tmp_path: Path, text: str = RULES) -> RuleSet:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return load_rules(path)


@pytest.fixture
def auto(asvc: Service, tmp_path: Path) -> Automation:
    return Automation(asvc.ctx, asvc.incidents, rules_from(tmp_path))


def alert(
    name: str = "ApiDown",
    *,
    firing: bool = True,
    fingerprint: str | None = None,
    source: str = "alertmanager",
    **labels: str,
) -> Signal:
    """A signal; severity is the `severity` label, as the payload readers take it."""
    all_labels = {"alertname": name, **labels}
    return Signal(
        source=source,
        fingerprint=fingerprint or f"fp-{name}-{'-'.join(sorted(labels.values()))}",
        labels=all_labels,
        firing=firing,
        severity=all_labels.get("severity", ""),
    )


def resolved(signal: Signal) -> Signal:
    return Signal(signal.source, signal.fingerprint, signal.labels, False, signal.severity)


async def status_of(svc: Service, name: str) -> ComponentStatus:
    return (await svc.get_component(name)).status
