"""Subscribing does the same work for a new address as for one subscribed already, so the
time it takes does not tell who is subscribed (bench/subscribe_timing.py measures it)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from statuspage.model import Channel, SubscriberState
from statuspage.service import Service
from statuspage.service.subscriptions import SubscribeRequest
from statuspage.subscriptions import SubscriptionPolicy
from tests.comms.conftest import add_subscriber
from tests.conftest import FakeClock

ADDRESSES = {
    Channel.EMAIL: ("new@example.com", "known@example.com"),
    Channel.SMS: ("+14155550100", "+14155550123"),
    Channel.WEBHOOK: ("https://new.example.com/hook", "https://known.example.com/hook"),
    Channel.SLACK: ("https://hooks.slack.com/T1/B1/new", "https://hooks.slack.com/T1/B1/old"),
}
_VALUES = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b|\bNULL\b")


async def statements(svc: Service, channel: Channel, address: str) -> list[str]:
    """The SQL a subscribe request runs, its values blanked."""
    seen: list[str] = []
    await svc.store.trace(seen.append)
    try:
        await svc.subscribe(SubscribeRequest(channel, address), "203.0.113.9")
    finally:
        await svc.store.trace(None)
    return [_VALUES.sub("?", sql) for sql in seen]


async def outbox_kinds(svc: Service) -> list[str]:
    async with svc.store.read() as q:
        return sorted(r.template for r in await q.outbox_rows())


@pytest.mark.parametrize("channel", list(ADDRESSES))
async def test_a_new_and_a_subscribed_address_run_the_same_statements(
    svc: Service, clock: FakeClock, channel: Channel
) -> None:
    policy = SubscriptionPolicy(secret_key="s" * 40, resolve_hosts=False)
    svc = Service(svc.store, svc.clock, subscription_policy=policy)
    new, known = ADDRESSES[channel]
    await add_subscriber(svc, channel, known, state=SubscriberState.ACTIVE)
    before = await svc.get_subscriber(known)
    clock.advance(minutes=5)
    for_new = await statements(svc, channel, new)
    for_known = await statements(svc, channel, known)
    assert len(for_new) > 10
    assert for_new == for_known
    # ... while doing what each must: a confirmation for the new address, a note (or,
    # for a webhook, nothing) for the subscribed one, whose choices stay as they were.
    after = await svc.get_subscriber(known)
    assert replace(after, updated_at=before.updated_at) == before
    assert (await svc.get_subscriber(new)).state is SubscriberState.PENDING
    tested = channel in (Channel.WEBHOOK, Channel.SLACK)
    expected = ["subscription_test"] if tested else ["subscription_confirm", "subscription_known"]
    assert await outbox_kinds(svc) == expected
