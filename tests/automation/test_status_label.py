"""A `statuspage_status` label names the status an alert asks for (the built-in checks send
their `down:`/`degraded:` statuses in it): the default rule and any rule without a `status:`
of its own honour it before the severity; a rule's own `status:` wins; an unknown value or
one an alert may not set falls back to the severity."""

from __future__ import annotations

from pathlib import Path

from statuspage.model import ComponentStatus
from statuspage.service import Service
from statuspage.service.automation import Automation
from tests.automation.conftest import alert, rules_from, status_of

RULES = """\
version: 1
rules:
  - name: own-status
    match: {team: web}
    components: [Web]
    status: major_outage
  - name: no-status
    match: {team: dash}
    components: [Dashboard]
"""


async def test_the_status_label_decides_unless_the_rule_has_a_status_of_its_own(
    asvc: Service, tmp_path: Path
) -> None:
    auto = Automation(asvc.ctx, asvc.incidents, rules_from(tmp_path, RULES))
    partial = "partial_outage"
    await auto.receive([
        alert("A", severity="critical", statuspage_component="API", statuspage_status=partial),
        alert("W", severity="info", team="web", statuspage_status=partial),
        alert("D", severity="critical", team="dash", statuspage_status=partial),
    ])  # fmt: skip
    assert [await status_of(asvc, n) for n in ("API", "Web", "Dashboard")] == [
        ComponentStatus.PARTIAL_OUTAGE,  # the default rule honours the label
        ComponentStatus.MAJOR_OUTAGE,  # the rule's own status wins
        ComponentStatus.PARTIAL_OUTAGE,  # no status of its own: the label
    ]


async def test_a_label_naming_no_alert_status_falls_back_to_the_severity(
    asvc: Service, auto: Automation
) -> None:
    await auto.receive([
        alert("A", severity="warning", statuspage_component="API", statuspage_status="operational"),
        alert("W", severity="critical", statuspage_component="Web", statuspage_status="broken"),
    ])  # fmt: skip
    assert await status_of(asvc, "API") is ComponentStatus.PARTIAL_OUTAGE
    assert await status_of(asvc, "Web") is ComponentStatus.MAJOR_OUTAGE
