"""The rule engine on a real database with a controllable clock: firing sets, resolved
restores, dedupe, worst wins, flap damping, and a person's status left alone."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from statuspage.model import ChangeCause, ComponentStatus, MaintenanceStatus
from statuspage.service import Service
from statuspage.service.automation import Automation
from tests.automation.conftest import alert, resolved, rules_from, status_of
from tests.conftest import FakeClock, dump

OK = ComponentStatus.OPERATIONAL
DEGRADED = ComponentStatus.DEGRADED_PERFORMANCE
PARTIAL = ComponentStatus.PARTIAL_OUTAGE
MAJOR = ComponentStatus.MAJOR_OUTAGE


async def test_a_labelled_alert_sets_its_component_by_severity_and_resolving_restores_it(
    asvc: Service, auto: Automation
) -> None:
    api = alert("ApiDown", severity="critical", statuspage_component="API")
    web = alert("WebSlow", severity="warning", statuspage_component="Web")
    dash = alert("DashOdd", severity="info", statuspage_component="Dashboard")
    outcome = await auto.receive([api, web, dash])
    assert [(c.component, c.new) for c in outcome.changes] == [
        ("API", MAJOR),
        ("Web", PARTIAL),
        ("Dashboard", DEGRADED),
    ]
    assert {c.rule for c in outcome.changes} == {"default"}
    await auto.receive([resolved(api), resolved(web), resolved(dash)])
    assert [await status_of(asvc, n) for n in ("API", "Web", "Dashboard")] == [OK, OK, OK]


async def test_the_label_may_name_the_component_by_its_id(asvc: Service, auto: Automation) -> None:
    web_id = (await asvc.get_component("Web")).id
    await auto.receive([alert("WebDown", severity="critical", statuspage_component=web_id)])
    assert await status_of(asvc, "Web") is MAJOR


async def test_every_automatic_change_is_recorded_with_its_rule_and_alert(
    asvc: Service, auto: Automation, db_path: Path
) -> None:
    api = alert("ApiDown", fingerprint="abc123", severity="critical", statuspage_component="API")
    await auto.receive([api], source="alertmanager@127.0.0.1")
    await auto.receive([resolved(api)], source="alertmanager@127.0.0.1")
    api_id = (await asvc.get_component("API")).id
    async with asvc.store.read() as q:
        history = await q.list_status_changes([api_id])
        causes = await q.automation_changes(api_id)
    assert [(c.new_status, c.cause) for c in history][-2:] == [
        (MAJOR, ChangeCause.AUTOMATION),
        (OK, ChangeCause.AUTOMATION),
    ]
    assert [(c["new_status"], c["rule"], c["source"], c["fingerprint"], c["alertname"])
            for c in causes] == [
        ("operational", "default", "alertmanager", "abc123", "ApiDown"),
        ("major_outage", "default", "alertmanager", "abc123", "ApiDown"),
    ]  # fmt: skip
    entries = await asvc.audit_entries(limit=2)
    assert {(e.actor, e.via, e.source) for e in entries} == {
        ("automation", "automation", "alertmanager@127.0.0.1")
    }
    tables = {c.table for e in entries for c in e.changes}
    assert {"components", "automation_changes"} <= tables
    conn = sqlite3.connect(db_path)
    try:
        (cause,) = conn.execute(
            "SELECT after FROM audit_log WHERE table_name = 'automation_changes' LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    assert '"rule":"default"' in cause and '"fingerprint":"abc123"' in cause


async def test_the_same_alert_again_changes_nothing_more(asvc: Service, auto: Automation) -> None:
    api = alert("ApiDown", severity="critical", statuspage_component="API")
    assert len((await auto.receive([api])).changes) == 1
    assert (await auto.receive([api, api])).changes == []
    assert len((await auto.receive([resolved(api)])).changes) == 1
    assert (await auto.receive([resolved(api)])).changes == []
    api_id = (await asvc.get_component("API")).id
    async with asvc.store.read() as q:
        assert len(await q.automation_changes(api_id)) == 2
        assert await q.list_alert_rows() == []


async def test_the_worst_of_several_alerts_wins_until_it_resolves(
    asvc: Service, auto: Automation
) -> None:
    warning = alert("ApiSlow", severity="warning", statuspage_component="API")
    critical = alert("ApiDown", severity="critical", statuspage_component="API")
    info = alert("ApiOdd", severity="info", statuspage_component="API")
    await auto.receive([warning])
    await auto.receive([critical, info])
    assert await status_of(asvc, "API") is MAJOR
    await auto.receive([resolved(critical)])
    assert await status_of(asvc, "API") is PARTIAL
    await auto.receive([resolved(warning)])
    assert await status_of(asvc, "API") is DEGRADED
    await auto.receive([resolved(info)])
    assert await status_of(asvc, "API") is OK


async def test_an_alert_applies_only_after_firing_for_the_rules_for(
    asvc: Service, auto: Automation, clock: FakeClock
) -> None:
    api = alert("ApiErrorsHigh", service="api", severity="critical")
    outcome = await auto.receive([api])
    assert outcome.changes == [] and outcome.pending == [
        "ApiErrorsHigh (fp-ApiErrorsHigh-api-critical) on API"
    ]
    clock.advance(seconds=59)
    assert (await auto.tick()).changes == []
    assert await status_of(asvc, "API") is OK
    clock.advance(seconds=1)
    (change,) = (await auto.tick()).changes
    assert (change.component, change.new, change.rule) == ("API", MAJOR, "api-errors")


async def test_a_blip_shorter_than_for_changes_nothing(
    asvc: Service, auto: Automation, clock: FakeClock, db_path: Path
) -> None:
    api = alert("ApiLatencyHigh", service="api", severity="warning")
    await auto.receive([api])
    clock.advance(seconds=30)
    await auto.receive([resolved(api)])
    clock.advance(minutes=5)
    assert (await auto.tick()).changes == []
    assert await status_of(asvc, "API") is OK
    async with asvc.store.read() as q:
        assert await q.list_alert_rows() == []


async def test_a_resolved_alert_holds_its_status_for_the_hold_down_and_refiring_keeps_it(
    asvc: Service, auto: Automation, clock: FakeClock
) -> None:
    api = alert("ApiErrorsHigh", service="api", severity="critical")
    await auto.receive([api])
    clock.advance(minutes=1)
    await auto.tick()
    assert await status_of(asvc, "API") is MAJOR
    await auto.receive([resolved(api)])  # hold-down: 5 minutes
    clock.advance(minutes=4)
    assert (await auto.tick()).changes == []
    assert await status_of(asvc, "API") is MAJOR
    await auto.receive([api])  # flapped back: the restore is off
    clock.advance(minutes=10)
    assert (await auto.tick()).changes == []
    assert await status_of(asvc, "API") is MAJOR
    await auto.receive([resolved(api)])
    clock.advance(minutes=5)
    (change,) = (await auto.tick()).changes
    assert (change.component, change.old, change.new) == ("API", MAJOR, OK)


async def test_a_status_set_by_hand_stays_until_it_is_handed_back(
    asvc: Service, auto: Automation
) -> None:
    await asvc.set_component_status("API", "partial_outage")
    api = alert("ApiDown", severity="critical", statuspage_component="API")
    outcome = await auto.receive([api])
    assert outcome.changes == [] and outcome.held == ["API"]
    assert await status_of(asvc, "API") is PARTIAL
    await auto.receive([resolved(api)])
    assert await status_of(asvc, "API") is PARTIAL  # restoring is automation too
    await auto.receive([api])
    handed_back = await asvc.set_component_status("API", "auto")
    assert handed_back.status is MAJOR  # what the firing alert asks for
    await auto.receive([resolved(api)])
    assert await status_of(asvc, "API") is OK


async def test_handing_back_a_component_no_alert_concerns_makes_it_operational(
    asvc: Service,
) -> None:
    await asvc.set_component_status("Web", "major_outage")
    assert (await asvc.set_component_status("Web", "auto")).status is OK


async def test_alerts_no_rule_takes_or_naming_unknown_components_are_ignored(
    asvc: Service, auto: Automation, db_path: Path
) -> None:
    before = dump(db_path)
    outcome = await auto.receive(
        [alert("Noise", severity="critical"), alert("X", statuspage_component="Nope")]
    )
    assert outcome.changes == []
    assert outcome.ignored == [
        "alertmanager alert Noise: no rule matches its labels",
        "alertmanager alert X: rule 'default' names an unknown component 'Nope'",
    ]
    assert dump(db_path) == before


async def test_rules_match_labels_by_equality_and_whole_regex_and_the_first_match_wins(
    asvc: Service, auto: Automation
) -> None:
    partial_name = alert(
        "ApiErrorsHighish", service="api", severity="critical", statuspage_component="Web"
    )
    other_service = alert(
        "ApiErrorsHigh", service="web", severity="critical", statuspage_component="Web"
    )
    outcome = await auto.receive([partial_name, other_service])
    # Neither matches api-errors (the regex matches whole values; service must equal api),
    # so the default rule takes both by their label.
    assert {(c.component, c.rule) for c in outcome.changes} == {("Web", "default")}
    first = alert("PostgresDown", severity="warning", statuspage_component="Web")
    outcome = await auto.receive([first])
    assert {(c.component, c.new, c.rule) for c in outcome.changes} == {
        ("API", MAJOR, "database-down"),
        ("Dashboard", MAJOR, "database-down"),
    }


async def test_an_incident_resolved_by_hand_leaves_the_status_a_firing_alert_holds(
    asvc: Service, auto: Automation
) -> None:
    incident = await asvc.declare_incident(
        "API errors",
        message="Looking.",
        impact="minor",
        components=[("API", "degraded_performance")],
    )
    await auto.receive([alert("ApiDown", severity="warning", statuspage_component="API")])
    assert await status_of(asvc, "API") is PARTIAL
    await asvc.resolve_incident(incident.id)
    assert await status_of(asvc, "API") is PARTIAL


async def test_the_default_rule_can_be_turned_off(asvc: Service, tmp_path: Path) -> None:
    rules = rules_from(tmp_path, "version: 1\ndefault_rule: false\n")
    off = Automation(asvc.ctx, asvc.incidents, rules)
    outcome = await off.receive([alert("ApiDown", severity="critical", statuspage_component="API")])
    assert outcome.changes == [] and await status_of(asvc, "API") is OK


async def test_an_alert_repeated_after_its_for_applies_even_before_a_tick(
    asvc: Service, auto: Automation, clock: FakeClock
) -> None:
    api = alert("ApiErrorsHigh", service="api", severity="warning")
    await auto.receive([api])
    clock.advance(minutes=2)
    (change,) = (await auto.receive([api])).changes  # Alertmanager repeats firing alerts
    assert (change.component, change.new) == ("API", PARTIAL)
    assert (await auto.tick()).changes == []


async def test_maintenance_under_way_keeps_its_status_and_its_end_shows_the_alert(
    asvc: Service, auto: Automation, clock: FakeClock
) -> None:
    window = await asvc.schedule_maintenance(
        "Database upgrade", start=clock() + timedelta(minutes=5), end=clock() + timedelta(hours=1),
        components=["API"],
    )  # fmt: skip
    await asvc.transition_maintenance(window.id, MaintenanceStatus.IN_PROGRESS)
    api = alert("ApiDown", severity="critical", statuspage_component="API")
    outcome = await auto.receive([api])
    assert outcome.changes == [] and outcome.maintenance == ["API"]
    assert await status_of(asvc, "API") is ComponentStatus.UNDER_MAINTENANCE
    await asvc.transition_maintenance(window.id, MaintenanceStatus.COMPLETED)
    assert await status_of(asvc, "API") is MAJOR  # the alert still fires
    await auto.receive([resolved(api)])
    assert await status_of(asvc, "API") is OK


async def test_handing_back_a_component_under_maintenance_keeps_it_under_maintenance(
    asvc: Service, auto: Automation, clock: FakeClock
) -> None:
    window = await asvc.schedule_maintenance(
        "Upgrade", start=clock(), end=clock() + timedelta(hours=1), components=["API"]
    )
    await asvc.transition_maintenance(window.id, MaintenanceStatus.IN_PROGRESS)
    await auto.receive([alert("ApiDown", severity="critical", statuspage_component="API")])
    await asvc.set_component_status("API", "partial_outage")
    assert (
        await asvc.set_component_status("API", "auto")
    ).status is ComponentStatus.UNDER_MAINTENANCE
