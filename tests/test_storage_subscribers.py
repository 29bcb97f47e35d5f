from __future__ import annotations

from dataclasses import replace

from statuspage.model import Channel, Subscriber, SubscriberState, new_id
from statuspage.service import Service
from tests.conftest import FakeClock


def subscriber(svc: Service, channel: Channel, address: str, **kw: object) -> Subscriber:
    now = svc.now()
    return Subscriber(new_id(), channel, address, SubscriberState.ACTIVE, now, now, **kw)  # type: ignore[arg-type]


async def test_subscribers_round_trip_with_components_and_tags(
    svc: Service, clock: FakeClock
) -> None:
    api = await svc.add_component("API")
    web = await svc.add_component("Web")
    alice = subscriber(
        svc,
        Channel.EMAIL,
        "alice@example.com",
        all_components=False,
        component_ids=(api.id,),
        tags=("enterprise", "eu"),
    )
    clock.advance(seconds=1)
    bob = subscriber(svc, Channel.SMS, "+14155550100", phone_country="US")
    async with svc.store.write() as q:
        await q.save_subscriber(alice)
        await q.save_subscriber(bob)
    async with svc.store.read() as q:
        assert await q.get_subscriber(alice.id) == alice
        assert await q.find_subscriber(Channel.SMS, "+14155550100") == bob
        assert [s.id for s in await q.list_subscribers(component_id=web.id)] == [bob.id]
        assert [s.id for s in await q.list_subscribers(component_id=api.id)] == [alice.id, bob.id]
        assert [s.id for s in await q.list_subscribers(tag="eu")] == [alice.id]
        assert [s.id for s in await q.list_subscribers(channel=Channel.SMS)] == [bob.id]
    async with svc.store.write() as q:
        await q.save_subscriber(replace(alice, tags=("eu",), state=SubscriberState.UNSUBSCRIBED))
    async with svc.store.read() as q:
        assert await q.list_subscribers(tag="enterprise") == []
        assert [s.id for s in await q.list_subscribers(state=SubscriberState.ACTIVE)] == [bob.id]
    assert alice.wants([api.id]) and not alice.wants([web.id]) and bob.wants([])
