"""A rule that opens an incident: from a template, at a severity; owners hear at once,
customers only once a person approves (unless the plan's severity lets automation speak)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from statuspage.comms.compose.validate import load_plan
from statuspage.comms.kit import Comms
from statuspage.model import Channel, ComponentStatus, IncidentStatus, MaintenanceStatus
from statuspage.service import Service
from statuspage.service.automation import Automation
from statuspage.storage import Store
from statuspage.storage.outbox import OutboxRow, OutboxState
from tests.automation.conftest import RULES, alert, resolved, rules_from, status_of
from tests.comms.conftest import SMALL_PLAN, add_subscriber, rows
from tests.conftest import FakeClock

KEEP_OPEN = RULES.replace("resolve: true", "resolve: false")


async def service_with(store: Store, clock: FakeClock, plan: Path) -> Service:
    svc = Service(store, clock, comms=Comms(load_plan(plan)))
    await svc.ensure_page("Acme", "https://status.acme.test", "Europe/Berlin")
    for name in ("API", "Web", "Dashboard"):
        await svc.add_component(name)
    await svc.create_template(
        "database-outage",
        title="Database outage",
        body="Some requests fail while we restore the database. We are on it.",
    )
    await add_subscriber(svc, Channel.EMAIL, "customer@example.test")
    return svc


@pytest.fixture
async def csvc(store: Store, clock: FakeClock) -> Service:
    return await service_with(store, clock, SMALL_PLAN)


def states(found: list[OutboxRow], kind: str) -> set[OutboxState]:
    return {r.state for r in found if (r.recipient_kind == "owner") == (kind == "owner")}


async def test_a_rule_declares_from_its_template_and_customers_wait_for_approval(
    csvc: Service, tmp_path: Path
) -> None:
    auto = Automation(csvc.ctx, csvc.incidents, rules_from(tmp_path))
    outcome = await auto.receive([alert("PostgresDown", severity="critical")])
    (incident_id,) = outcome.incidents
    incident = await csvc.get_incident(incident_id)
    assert (incident.name, incident.severity, incident.status) == (
        "Database outage", "SEV2", "investigating"
    )  # fmt: skip
    assert incident.updates[0].body.startswith("Some requests fail")
    assert await status_of(csvc, "API") is ComponentStatus.MAJOR_OUTAGE
    assert await status_of(csvc, "Dashboard") is ComponentStatus.MAJOR_OUTAGE
    found = await rows(csvc)
    assert states(found, "owner") == {OutboxState.QUEUED}  # owners hear at once
    assert states(found, "customer") == {OutboxState.HELD}  # SEV2 needs no approval by hand
    async with csvc.store.read() as q:
        (event,) = await q.list_comms_events(incident_id)
    assert event.approval_role == "comms"  # who speaks for SEV2 approves automation's words
    await csvc.approve_messages(incident_id, "Dana")
    assert states(await rows(csvc), "customer") == {OutboxState.QUEUED}
    entries = await csvc.audit_entries(incident_id=incident_id)
    declared = entries[-1]  # newest first: the first is the declaration
    assert (declared.actor, declared.via) == ("automation", "automation")
    assert "incidents" in {c.table for c in declared.changes}


async def test_a_person_declaring_the_same_severity_is_not_held(csvc: Service) -> None:
    incident = await csvc.declare_incident(
        "Database outage", message="We are on it.", severity="SEV2", components=[("API", None)]
    )
    assert states(await rows(csvc, incident.updates[0].id), "customer") == {OutboxState.QUEUED}


async def test_a_severity_that_lets_automation_speak_reaches_customers_at_once(
    store: Store, clock: FakeClock, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.yaml"
    text = SMALL_PLAN.read_text().replace(
        "    owners: {speaks: comms}\n    routing:\n      declared:\n        responders: [email]",
        "    owners: {speaks: comms}\n    automation_speaks: true\n    routing:\n      declared:\n"
        "        responders: [email]",
    )
    assert "automation_speaks: true" in text
    plan.write_text(text)
    svc = await service_with(store, clock, plan)
    auto = Automation(svc.ctx, svc.incidents, rules_from(tmp_path))
    (incident_id,) = (await auto.receive([alert("PostgresDown")])).incidents
    assert states(await rows(svc), "customer") == {OutboxState.QUEUED}
    async with svc.store.read() as q:
        (event,) = await q.list_comms_events(incident_id)
    assert event.approval_role is None


async def test_another_alert_of_the_rule_joins_the_open_incident(
    csvc: Service, tmp_path: Path
) -> None:
    auto = Automation(csvc.ctx, csvc.incidents, rules_from(tmp_path))
    first = await auto.receive([alert("PostgresDown", instance="db-1")])
    again = await auto.receive([alert("PostgresDown", instance="db-2")])
    assert len(first.incidents) == 1 and again.incidents == []
    assert len(await csvc.list_incidents()) == 1


async def test_the_incident_is_resolved_with_its_alerts_only_when_the_rule_says_so(
    csvc: Service, tmp_path: Path
) -> None:
    auto = Automation(csvc.ctx, csvc.incidents, rules_from(tmp_path))
    db = alert("PostgresDown", severity="critical")
    (incident_id,) = (await auto.receive([db])).incidents
    await auto.receive([resolved(db)])
    incident = await csvc.get_incident(incident_id)
    assert incident.status == IncidentStatus.RESOLVED.value
    assert incident.updates[0].body.startswith("The alerts behind this incident have cleared")
    assert await status_of(csvc, "API") is ComponentStatus.OPERATIONAL


async def test_an_incident_the_rule_keeps_open_holds_its_components_until_people_resolve_it(
    csvc: Service, tmp_path: Path
) -> None:
    auto = Automation(csvc.ctx, csvc.incidents, rules_from(tmp_path, KEEP_OPEN))
    db = alert("PostgresDown", severity="critical")
    (incident_id,) = (await auto.receive([db])).incidents
    await auto.receive([resolved(db)])
    assert (await csvc.get_incident(incident_id)).status == "investigating"
    assert await status_of(csvc, "API") is ComponentStatus.MAJOR_OUTAGE
    await csvc.resolve_incident(incident_id)
    assert await status_of(csvc, "API") is ComponentStatus.OPERATIONAL


async def test_without_its_template_no_incident_is_declared_but_the_status_follows(
    csvc: Service, tmp_path: Path
) -> None:
    await csvc.remove_template("database-outage")
    auto = Automation(csvc.ctx, csvc.incidents, rules_from(tmp_path))
    outcome = await auto.receive([alert("PostgresDown")])
    assert outcome.incidents == [] and await csvc.list_incidents() == []
    assert await status_of(csvc, "API") is ComponentStatus.MAJOR_OUTAGE


async def test_a_fired_alert_declares_only_once_its_for_is_over(
    csvc: Service, tmp_path: Path, clock: FakeClock
) -> None:
    text = RULES.replace("    status: major_outage\n", "    status: major_outage\n    for: 2m\n")
    auto = Automation(csvc.ctx, csvc.incidents, rules_from(tmp_path, text))
    assert (await auto.receive([alert("PostgresDown")])).incidents == []
    clock.advance(minutes=2)
    assert len((await auto.tick()).incidents) == 1


async def test_no_incident_is_declared_for_components_held_by_hand_or_in_maintenance(
    csvc: Service, tmp_path: Path, clock: FakeClock
) -> None:
    auto = Automation(csvc.ctx, csvc.incidents, rules_from(tmp_path))
    await csvc.set_component_status("API", "major_outage")
    window = await csvc.schedule_maintenance(
        "Database upgrade",
        start=clock(),
        end=clock() + timedelta(hours=1),
        components=["Dashboard"],
    )
    await csvc.transition_maintenance(window.id, MaintenanceStatus.IN_PROGRESS)
    outcome = await auto.receive([alert("PostgresDown")])
    assert (
        outcome.incidents == [] and outcome.held == ["API"] and outcome.maintenance == ["Dashboard"]
    )
    assert await csvc.list_incidents() == []  # incidents only; the window is maintenance
