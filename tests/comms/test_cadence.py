"""Cadence: due updates, reminders to the owner, escalation to the backup, with a fake clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from statuspage.comms.compose.render_row import Renderer
from statuspage.comms.kit import Comms
from statuspage.comms.plan.cadence import by_urgency, due_at
from statuspage.links import LinkSigner
from statuspage.model import Channel
from statuspage.serialize import iso
from statuspage.service import Service
from statuspage.storage.outbox import OutboxRow, OutboxState
from tests.comms.conftest import add_subscriber, rows
from tests.conftest import FakeClock


async def reminders(svc: Service) -> list[OutboxRow]:
    return [r for r in await rows(svc) if r.segment == "reminder"]


async def tick_at(svc: Service, clock: FakeClock, start: datetime, minutes: int) -> list[str]:
    clock.current = start + timedelta(minutes=minutes)
    return [n.text for n in (await svc.tick_report()).notices]


async def test_an_open_incident_is_due_one_cadence_after_its_latest_update(
    csvc: Service, comms: Comms, clock: FakeClock
) -> None:
    incident = await csvc.declare_incident("A", message="m", severity="SEV2")
    assert due_at(comms.plan, incident) == clock.current + timedelta(hours=1)
    clock.advance(minutes=20)
    watched = await csvc.update_incident(incident.id, message="Fixed.", status="monitoring")
    assert due_at(comms.plan, watched) == clock.current + timedelta(hours=2)
    assert due_at(comms.plan, await csvc.resolve_incident(incident.id)) is None


async def test_the_owner_is_reminded_once_per_interval_then_the_backup_too(
    csvc: Service, clock: FakeClock
) -> None:
    start = clock.current
    await csvc.declare_incident("API errors", message="m", severity="SEV1")
    assert await tick_at(csvc, clock, start, 29) == []
    assert await reminders(csvc) == []

    notices = await tick_at(csvc, clock, start, 30)
    assert notices == ["reminded Comms lead (email, slack): update 0 min overdue"]
    first = await reminders(csvc)
    assert {(r.recipient_id, r.channel) for r in first} == {("comms", "email"), ("comms", "slack")}
    first_ids = {r.id for r in first}
    assert await tick_at(csvc, clock, start, 44) == []
    assert len(await reminders(csvc)) == 2

    notices = await tick_at(csvc, clock, start, 45)
    assert notices == [
        "escalated to Comms lead and Engineering manager (email, slack, sms): update 15 min overdue"
    ]
    latest = [r for r in await reminders(csvc) if r.id not in first_ids]
    assert {(r.recipient_id, r.channel) for r in latest} == {
        ("comms", "email"),
        ("comms", "slack"),
        ("manager", "email"),
        ("manager", "sms"),
    }
    # The escalation replaces the owner's unsent first reminder on the same channels.
    replaced = {r.state for r in await reminders(csvc) if r.id in first_ids}
    assert replaced == {OutboxState.SUPERSEDED}
    assert await tick_at(csvc, clock, start, 59) == []


async def test_posting_an_update_moves_the_due_time_and_cancels_pending_reminders(
    csvc: Service, clock: FakeClock
) -> None:
    start = clock.current
    incident = await csvc.declare_incident("API errors", message="m", severity="SEV1")
    await tick_at(csvc, clock, start, 31)
    await csvc.update_incident(incident.id, message="Still investigating.")
    assert {r.state for r in await reminders(csvc)} == {OutboxState.SUPERSEDED}
    assert await tick_at(csvc, clock, start, 60) == []
    assert await tick_at(csvc, clock, start, 61) == [
        "reminded Comms lead (email, slack): update 0 min overdue"
    ]


async def test_the_reminder_names_the_incident_how_late_it_is_and_the_command(
    csvc: Service, comms: Comms, clock: FakeClock
) -> None:
    start = clock.current
    incident = await csvc.declare_incident("Elevated API errors", message="m", severity="SEV1")
    await tick_at(csvc, clock, start, 30)
    (email,) = [r for r in await reminders(csvc) if r.channel == "email"]
    clock.current = start + timedelta(minutes=42)  # rendered when sent, twelve minutes late
    renderer = Renderer(comms.plan, comms.templates, LinkSigner.preview())
    async with csvc.store.read() as q:
        message = await renderer.render_row(q, email, clock.current)
    command = f'statuspage incident update {incident.id} --message "..."'
    assert message.subject == "[SEV1] update overdue by 12 min: Elevated API errors"
    assert f'SEV1 incident {incident.id} "Elevated API errors"' in message.text
    assert "due at 13:30 CET. It is 12 min late." in message.text
    assert command in message.text


async def test_resolved_incidents_and_maintenance_are_never_reminded(
    csvc: Service, clock: FakeClock
) -> None:
    start = clock.current
    incident = await csvc.declare_incident("A", message="m", severity="SEV1")
    await csvc.resolve_incident(incident.id)
    await csvc.schedule_maintenance(
        "Upgrade", start=start + timedelta(days=2), end=start + timedelta(days=3), components=[]
    )
    assert await tick_at(csvc, clock, start, 600) == []


async def test_subscribers_hear_that_maintenance_starts_soon_once(
    csvc: Service, clock: FakeClock
) -> None:
    start = clock.current
    sms = await add_subscriber(csvc, Channel.SMS, "+14155550120", components=("Web",))
    maintenance = await csvc.schedule_maintenance(
        "DB upgrade",
        start=start + timedelta(hours=2),
        end=start + timedelta(hours=3),
        components=["Web"],
    )
    assert await tick_at(csvc, clock, start, 89) == []
    notices = await tick_at(csvc, clock, start, 90)
    starts = iso(start + timedelta(hours=2))
    assert notices == [f"maintenance starts at {starts}: 'starting soon' queued"]
    assert await tick_at(csvc, clock, start, 100) == []
    soon = [r for r in await rows(csvc) if r.template == "maintenance_starting_soon"]
    assert {(r.recipient_id, r.channel) for r in soon} == {(sms.id, "sms")}
    assert maintenance.id == soon[0].incident_id


async def test_overdue_incidents_come_first_the_most_overdue_first(
    csvc: Service, comms: Comms, clock: FakeClock
) -> None:
    start = clock.current
    calm = await csvc.declare_incident("Calm", message="m", severity="SEV2")
    clock.current = start + timedelta(minutes=40)
    late = await csvc.declare_incident("Late", message="m", severity="SEV1")
    clock.current = start + timedelta(minutes=50)
    later = await csvc.declare_incident("Later", message="m", severity="SEV1")
    listed = await csvc.list_incidents(open_only=True)
    assert [i.name for i in listed] == ["Later", "Late", "Calm"]
    ordered = by_urgency(comms.plan, listed, start + timedelta(minutes=75))
    # Calm was due at 60, Late at 70; Later is due at 80 and keeps its place after them.
    assert [i.id for i in ordered] == [calm.id, late.id, later.id]
    ordered = by_urgency(comms.plan, listed, start + timedelta(minutes=65))
    assert [i.id for i in ordered] == [calm.id, later.id, late.id]
