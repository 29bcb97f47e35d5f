"""The outbox table as the dispatcher of step 4 will drain it: claim, lease, settle."""

from __future__ import annotations

from datetime import timedelta

from statuspage.events import Event
from statuspage.model import Channel
from statuspage.service import Service
from statuspage.storage.outbox import OutboxState
from tests.comms.conftest import add_subscriber, rows
from tests.conftest import FakeClock


async def queued_incident(svc: Service) -> int:
    await add_subscriber(svc, Channel.EMAIL, "a@x.test")
    await svc.declare_incident("A", message="m", severity="SEV2")
    return len([r for r in await rows(svc) if r.state is OutboxState.QUEUED])


async def test_claims_take_due_rows_most_urgent_first_under_a_lease(
    csvc: Service, clock: FakeClock
) -> None:
    queued = await queued_incident(csvc)
    now = clock.current
    async with csvc.store.write() as q:
        first = await q.claim_outbox("worker-1", now, now + timedelta(seconds=30), limit=2)
        rest = await q.claim_outbox("worker-2", now, now + timedelta(seconds=30), limit=100)
    assert len(first) == 2 and len(first) + len(rest) == queued
    assert not {r.id for r in first} & {r.id for r in rest}
    assert [r.priority for r in first] == sorted(r.priority for r in first)
    assert {(r.state, r.lease_owner, r.attempts) for r in first} == {
        (OutboxState.SENDING, "worker-1", 1)
    }


async def test_a_row_whose_lease_expired_is_claimed_again(csvc: Service, clock: FakeClock) -> None:
    await queued_incident(csvc)
    now = clock.current
    async with csvc.store.write() as q:
        (crashed,) = await q.claim_outbox("crashed", now, now + timedelta(seconds=30), limit=1)
        assert await q.claim_outbox("other", now + timedelta(seconds=10), now, limit=1) != [crashed]
        later = now + timedelta(seconds=31)
        again = await q.claim_outbox("other", later, later + timedelta(seconds=30), limit=100)
        assert crashed.id in {r.id for r in again}
        retaken = next(r for r in again if r.id == crashed.id)
        assert retaken.attempts == 2 and retaken.lease_owner == "other"
        # The crashed worker lost its lease: it cannot settle the row any more.
        assert not await q.settle_outbox(crashed.id, "crashed", OutboxState.SENT, later)


async def test_settling_records_the_outcome_for_the_lease_holder_only(
    csvc: Service, clock: FakeClock
) -> None:
    await queued_incident(csvc)
    now = clock.current
    async with csvc.store.write() as q:
        sent, retry, *_ = await q.claim_outbox("w", now, now + timedelta(hours=1), limit=100)
        assert await q.settle_outbox(sent.id, "w", OutboxState.SENT, now, provider_message_id="p1")
        later = now + timedelta(minutes=2)
        assert await q.settle_outbox(
            retry.id, "w", OutboxState.QUEUED, now, error="421 try later", next_attempt_at=later
        )
        assert await q.claim_outbox("w", now, now, limit=10) == []
        (due,) = await q.claim_outbox("w", later, later + timedelta(seconds=30), limit=10)
    found = {r.id: r for r in await rows(csvc)}
    assert found[sent.id].state is OutboxState.SENT and found[sent.id].sent_at == now
    assert found[sent.id].provider_message_id == "p1"
    assert due.id == retry.id and found[retry.id].last_error == "421 try later"


async def test_a_recorded_event_is_never_planned_twice(csvc: Service) -> None:
    await add_subscriber(csvc, Channel.EMAIL, "a@x.test")
    incident = await csvc.declare_incident("A", message="m", severity="SEV2")
    before = await rows(csvc)
    comms = csvc.comms
    assert comms is not None
    event = Event("declared", incident.id, incident.updates[0].id, csvc.now())
    async with csvc.store.write() as q:
        await comms.on_event(q, event)
    assert await rows(csvc) == before
