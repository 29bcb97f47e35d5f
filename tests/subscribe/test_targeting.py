"""Who hears an incident: subscribers of all components or of an affected one, on confirmed
channels only, and only in the phases their segment's routing sends (tags make segments)."""

from __future__ import annotations

from pathlib import Path

import pytest

from statuspage.comms.compose.validate import load_plan
from statuspage.comms.kit import Comms
from statuspage.model import Channel, Subscriber
from statuspage.service import Service
from statuspage.service.subscribers import NewSubscriber, SubscriberEdit
from statuspage.storage import Store
from tests.conftest import FakeClock

PLAN = Path(__file__).parent / "plans" / "targeting.yaml"


@pytest.fixture
async def tsvc(store: Store, clock: FakeClock) -> Service:
    service = Service(store, clock, comms=Comms(load_plan(PLAN)))
    await service.ensure_page("Acme", "https://status.acme.test", "Europe/Berlin")
    for name in ("API", "Web", "Docs"):
        await service.add_component(name)
    return service


async def subscribe(
    svc: Service,
    channel: Channel,
    address: str,
    *components: str,
    tags: tuple[str, ...] = (),
    confirmed: bool = True,
) -> Subscriber:
    new = NewSubscriber(channel, address, None, components or None, tags, "en", confirmed)
    return await svc.add_subscriber(new)


async def reached(svc: Service, update_id: str) -> set[tuple[str, str, str]]:
    """(address, channel, segment) of every subscriber message of one update."""
    async with svc.store.read() as q:
        addresses = {s.id: s.address for s in await q.list_subscribers()}
        return {
            (addresses[r.recipient_id], r.channel, r.segment)
            for r in await q.outbox_rows()
            if r.recipient_kind == "subscriber"
            and (event := await q.get_comms_event(r.event_id)) is not None
            and event.update_id == update_id
        }


async def test_each_phase_reaches_only_the_segments_its_routing_names(tsvc: Service) -> None:
    await subscribe(tsvc, Channel.EMAIL, "big@example.com", tags=("enterprise",))
    await subscribe(tsvc, Channel.SMS, "+14155550101", tags=("enterprise",))
    await subscribe(tsvc, Channel.EMAIL, "small@example.com")
    await subscribe(tsvc, Channel.SMS, "+14155550102")  # everyone hears nothing by SMS
    incident = await tsvc.declare_incident(
        "API errors", message="Looking.", severity="SEV2", components=[("API", None)]
    )
    assert await reached(tsvc, incident.updates[0].id) == {
        ("big@example.com", "email", "enterprise"),
        ("+14155550101", "sms", "enterprise"),
        ("small@example.com", "email", "everyone"),
    }
    updated = await tsvc.update_incident(incident.id, message="Found it.", status="identified")
    assert await reached(tsvc, updated.updates[0].id) == {
        ("big@example.com", "email", "enterprise"),
        ("+14155550101", "sms", "enterprise"),
    }


async def test_a_tag_added_by_the_staff_puts_a_subscriber_in_its_segment(tsvc: Service) -> None:
    await subscribe(tsvc, Channel.EMAIL, "grown@example.com")
    incident = await tsvc.declare_incident(
        "API errors", message="Looking.", severity="SEV2", components=[("API", None)]
    )
    quiet = await tsvc.update_incident(incident.id, message="Still looking.")
    assert await reached(tsvc, quiet.updates[0].id) == set()
    await tsvc.edit_subscriber("grown@example.com", SubscriberEdit(add_tags=("enterprise",)))
    heard = await tsvc.update_incident(incident.id, message="Found it.", status="identified")
    assert await reached(tsvc, heard.updates[0].id) == {
        ("grown@example.com", "email", "enterprise")
    }
    await tsvc.edit_subscriber("grown@example.com", SubscriberEdit(remove_tags=("enterprise",)))
    again = await tsvc.update_incident(incident.id, message="Fixing.", status="monitoring")
    assert await reached(tsvc, again.updates[0].id) == set()


async def test_only_confirmed_followers_of_an_affected_component_or_of_all_hear(
    tsvc: Service,
) -> None:
    await subscribe(tsvc, Channel.EMAIL, "api@example.com", "API")
    await subscribe(tsvc, Channel.EMAIL, "web-or-api@example.com", "Web", "API")
    await subscribe(tsvc, Channel.EMAIL, "all@example.com")
    await subscribe(tsvc, Channel.EMAIL, "docs@example.com", "Docs")
    await subscribe(tsvc, Channel.EMAIL, "pending@example.com", confirmed=False)
    await subscribe(tsvc, Channel.EMAIL, "left@example.com")
    await tsvc.unsubscribe_subscribers(["left@example.com"])
    incident = await tsvc.declare_incident(
        "Errors", message="Looking.", severity="SEV2", components=[("API", None), ("Web", None)]
    )
    assert {a for a, _, _ in await reached(tsvc, incident.updates[0].id)} == {
        "api@example.com",
        "web-or-api@example.com",
        "all@example.com",
    }
