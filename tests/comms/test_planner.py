"""The planner: who gets which message of an update, written with the change, never twice."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from statuspage.errors import InvalidInput
from statuspage.model import Channel, Impact, SubscriberState
from statuspage.service import Service
from statuspage.storage.outbox import OutboxState
from tests.comms.conftest import add_subscriber, keyed, rows
from tests.conftest import FakeClock, dump

QUEUED, HELD, SUPERSEDED = "queued", "held", "superseded"


async def declare_sev1(svc: Service, *components: str, message: str = "Investigating.") -> str:
    incident = await svc.declare_incident(
        "API errors",
        message=message,
        severity="SEV1",
        components=[(c, None) for c in components or ("API",)],
    )
    return incident.id


async def test_a_severity_sets_the_impact_unless_impact_overrides_it(csvc: Service) -> None:
    planned = await csvc.declare_incident("A", message="m", severity="sev1", components=[])
    assert (planned.severity, planned.impact, planned.impact_override) == (
        "SEV1",
        Impact.CRITICAL,
        False,
    )
    overridden = await csvc.declare_incident("B", message="m", severity="SEV1", impact="major")
    assert (overridden.impact, overridden.impact_override) == (Impact.MAJOR, True)


async def test_an_impact_alone_picks_the_most_severe_severity_with_that_impact(
    csvc: Service,
) -> None:
    assert (await csvc.declare_incident("A", message="m", impact="critical")).severity == "SEV1"
    assert (await csvc.declare_incident("B", message="m", impact="major")).severity == "SEV2"


async def test_an_unknown_severity_is_refused_and_nothing_is_stored(
    csvc: Service, db_path: Path
) -> None:
    before = dump(db_path)
    with pytest.raises(InvalidInput, match="unknown severity 'SEV9'; the comms plan defines SEV1"):
        await csvc.declare_incident("A", message="m", severity="SEV9")
    with pytest.raises(InvalidInput, match="give an impact"):
        await csvc.declare_incident("A", message="m")
    assert dump(db_path) == before


async def test_raising_the_severity_moves_the_impact_and_the_routing(csvc: Service) -> None:
    sms = await add_subscriber(csvc, Channel.SMS, "+14155550111")
    incident = await csvc.declare_incident("A", message="m", severity="SEV2", components=[])
    raised = await csvc.update_incident(incident.id, message="Worse.", severity="SEV1")
    assert (raised.severity, raised.impact) == ("SEV1", Impact.CRITICAL)
    update_rows = await rows(csvc, raised.updates[0].id)
    assert (sms.id, "sms", HELD) in keyed(update_rows)


async def test_subscribers_get_messages_only_for_components_they_follow(csvc: Service) -> None:
    api = await add_subscriber(csvc, Channel.EMAIL, "api@x.test", components=("API",))
    web = await add_subscriber(csvc, Channel.EMAIL, "web@x.test", components=("Web",))
    everything = await add_subscriber(csvc, Channel.EMAIL, "all@x.test")
    await declare_sev1(csvc, "API")
    reached = {r.recipient_id for r in await rows(csvc) if r.recipient_kind == "subscriber"}
    assert reached == {api.id, everything.id}
    assert web.id not in reached


async def test_only_active_subscribers_on_a_routed_channel_are_reached(csvc: Service) -> None:
    active = await add_subscriber(csvc, Channel.WEBHOOK, "https://hook.test/a")
    await add_subscriber(csvc, Channel.EMAIL, "pending@x.test", state=SubscriberState.PENDING)
    await add_subscriber(csvc, Channel.EMAIL, "gone@x.test", state=SubscriberState.UNSUBSCRIBED)
    incident = await csvc.declare_incident("A", message="m", severity="SEV2", components=[])
    assert [r for r in await rows(csvc) if r.recipient_kind == "subscriber"] == []
    await csvc.update_incident(incident.id, message="Worse.", severity="SEV1")
    subscribers = [r for r in await rows(csvc) if r.recipient_kind == "subscriber"]
    assert [(r.recipient_id, r.channel) for r in subscribers] == [(active.id, "webhook")]


async def test_each_recipient_gets_one_row_per_channel_from_the_first_segment_listed(
    csvc: Service,
) -> None:
    vip = await add_subscriber(csvc, Channel.EMAIL, "vip@x.test", tags=("enterprise",))
    event_rows = await rows(csvc, (await csvc.get_incident(await declare_sev1(csvc))).updates[0].id)
    mine = [r for r in event_rows if r.recipient_id == vip.id]
    assert [(r.segment, r.channel) for r in mine] == [("enterprise", "email")]


async def test_a_subscriber_gets_their_language_only_where_a_template_exists(
    csvc: Service,
) -> None:
    german = await add_subscriber(csvc, Channel.EMAIL, "de@x.test", language="de")
    await declare_sev1(csvc)
    (row,) = [r for r in await rows(csvc) if r.recipient_id == german.id]
    assert row.language == "en"  # the shipped templates are English only


async def test_customer_messages_wait_for_approval_and_owner_messages_do_not(
    csvc: Service,
) -> None:
    await add_subscriber(csvc, Channel.SMS, "+14155550112")
    await declare_sev1(csvc)
    found = await rows(csvc)
    owners = {r.state for r in found if r.recipient_kind == "owner"}
    customers = {r.state for r in found if r.recipient_kind != "owner"}
    assert owners == {OutboxState.QUEUED} and customers == {OutboxState.HELD}
    assert {(r.recipient_id, r.channel) for r in found if r.recipient_kind == "owner"} == {
        ("ic", "email"),
        ("ic", "sms"),
        ("comms", "email"),
        ("comms", "slack"),
    }
    assert ("social", "social", HELD) in keyed(found)


async def test_a_component_override_adds_its_routes(csvc: Service) -> None:
    await declare_sev1(csvc, "Payments")
    assert ("finance", "email", QUEUED) in keyed(await rows(csvc))
    await declare_sev1(csvc, "API")
    finance = [r for r in await rows(csvc) if r.recipient_id == "finance"]
    assert len(finance) == 1


async def test_an_update_supersedes_unsent_messages_of_earlier_updates(
    csvc: Service, clock: FakeClock
) -> None:
    sms = await add_subscriber(csvc, Channel.SMS, "+14155550113")
    incident_id = await declare_sev1(csvc)
    first = (await csvc.get_incident(incident_id)).updates[0].id
    clock.advance(minutes=5)
    changed = await csvc.update_incident(incident_id, message="Found it.", status="identified")
    second = changed.updates[0].id
    states = {(r.event_id, r.recipient_id, r.channel): r for r in await rows(csvc)}
    old = states[(first, sms.id, "sms")]
    assert old.state is OutboxState.SUPERSEDED and old.superseded_by == second
    assert states[(second, sms.id, "sms")].state is OutboxState.HELD
    # Owners' SMS is not routed for updates, so the first SMS to the IC still goes out.
    assert states[(first, "ic", "sms")].state is OutboxState.QUEUED


async def test_an_update_without_notifications_still_tells_the_owners(csvc: Service) -> None:
    await add_subscriber(csvc, Channel.EMAIL, "quiet@x.test")
    incident = await csvc.declare_incident(
        "A", message="m", severity="SEV1", deliver_notifications=False
    )
    found = await rows(csvc, incident.updates[0].id)
    assert found and {r.recipient_kind for r in found} == {"owner"}
    async with csvc.store.read() as q:
        event = await q.get_comms_event(incident.updates[0].id)
    assert event is not None and event.approval_role is None


async def test_the_event_records_the_promised_next_update(csvc: Service, clock: FakeClock) -> None:
    incident = await csvc.declare_incident("A", message="m", severity="SEV2")
    monitoring = await csvc.update_incident(incident.id, message="Fixed.", status="monitoring")
    resolved = await csvc.resolve_incident(incident.id)
    async with csvc.store.read() as q:
        declared = await q.get_comms_event(incident.updates[0].id)
        watched = await q.get_comms_event(monitoring.updates[0].id)
        final = await q.get_comms_event(resolved.updates[0].id)
    assert declared and declared.next_update_at == clock.current + timedelta(hours=1)
    assert watched and watched.next_update_at == clock.current + timedelta(hours=2)
    assert final and final.next_update_at is None


async def test_maintenance_follows_the_maintenance_routing(csvc: Service, clock: FakeClock) -> None:
    email = await add_subscriber(csvc, Channel.EMAIL, "ops@x.test", components=("Web",))
    maintenance = await csvc.schedule_maintenance(
        "DB upgrade", start=clock.current + timedelta(hours=3),
        end=clock.current + timedelta(hours=4),
        components=["Web"],
    )  # fmt: skip
    found = await rows(csvc, maintenance.updates[0].id)
    assert keyed(found) == {(email.id, "email", QUEUED)}
    assert found[0].template == "maintenance_scheduled"
