"""The dispatcher over recording channels: every row sent once, outcomes recorded."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest

from statuspage.comms.deliver.channels import Receipt
from statuspage.comms.deliver.channels.fake import RecordingChannel
from statuspage.comms.deliver.retry import RetryPolicy
from statuspage.comms.deliver.worker import Limits
from statuspage.errors import (
    ContentRejected,
    PermanentDeliveryError,
    ProviderBusy,
    TransientDeliveryError,
)
from statuspage.model import Channel
from statuspage.service import Service
from statuspage.service.comms_ops import approve, retry_failed
from statuspage.storage.outbox import OutboxState
from tests.comms.conftest import add_subscriber
from tests.conftest import FakeClock
from tests.delivery.conftest import (
    by_state,
    declare_sev1,
    fakes,
    make_dispatcher,
    row_to,
    rows,
    subscribers,
)


async def test_every_queued_message_is_sent_once_and_recorded_with_its_provider_id(
    csvc: Service, clock: FakeClock
) -> None:
    await subscribers(csvc)
    await declare_sev1(csvc)
    channels = fakes()
    report = await make_dispatcher(csvc, clock, channels).run_once()
    found = await rows(csvc)
    assert report.leader and by_state(found) == {"sent": len(found)}
    sent_keys = [m.key for c in channels.values() for m in c.sent]
    assert len(sent_keys) == len(found) == len(set(sent_keys))
    assert all(r.provider_message_id for r in found)


async def test_a_subscriber_who_left_after_the_message_was_queued_gets_nothing(
    csvc: Service, clock: FakeClock
) -> None:
    ann = await add_subscriber(csvc, Channel.EMAIL, "ann@example.test")
    await declare_sev1(csvc)
    async with csvc.store.write() as q:
        await q.unsubscribe(ann.id, clock.current)
    channels = fakes("email")
    await make_dispatcher(csvc, clock, channels).run_once()
    assert "ann@example.test" not in {m.to for m in channels["email"].sent}
    (row,) = [r for r in await rows(csvc) if r.recipient_id == ann.id]
    assert row.state is OutboxState.CANCELLED and row.last_error == "the subscriber is unsubscribed"


async def test_only_the_newest_of_several_pending_updates_is_sent(
    csvc: Service, clock: FakeClock
) -> None:
    await add_subscriber(csvc, Channel.SMS, "+14155550123")
    incident = await declare_sev1(csvc)
    for text in ("Found the cause.", "Fix rolling out."):
        clock.advance(minutes=5)
        await csvc.update_incident(incident, message=text, status="identified")
        await approve(csvc.store, incident, "Dana", csvc.now())
    channels = fakes("sms")
    await make_dispatcher(csvc, clock, channels).run_once()
    (sent,) = [m for m in channels["sms"].sent if m.to == "+14155550123"]
    ann = [r for r in await rows(csvc) if r.channel == "sms" and r.segment == "everyone"]
    assert [r.state for r in ann] == [OutboxState.SUPERSEDED] * 2 + [OutboxState.SENT]
    assert sent.key.endswith(f".{ann[-1].id}") and "update:" in sent.text


async def test_a_transient_failure_is_retried_after_a_backoff_then_sent(
    csvc: Service, clock: FakeClock
) -> None:
    await add_subscriber(csvc, Channel.EMAIL, "ann@example.test")
    await declare_sev1(csvc)
    failing = {"on": True}
    channel = RecordingChannel("email", script=lambda m: TransientDeliveryError("421 busy", "421")
                               if failing["on"] else None)  # fmt: skip
    dispatcher = make_dispatcher(csvc, clock, {"email": channel})
    report = await dispatcher.run_once()
    queued = [r for r in await rows(csvc) if r.channel == "email"]
    assert report.tally["email"]["retry"] == len(queued) and channel.sent == []
    # base 60 s, half fixed and half random (0.5 here): 45 s after the first failure
    assert {r.next_attempt_at - clock.current for r in queued} == {timedelta(seconds=45)}
    failing["on"] = False
    clock.advance(seconds=44)
    assert (await make_dispatcher(csvc, clock, {"email": channel}).run_once()).tally == {
        "email": Counter()
    }
    clock.advance(seconds=2)
    await make_dispatcher(csvc, clock, {"email": channel}).run_once()
    assert {(r.state, r.attempts) for r in await rows(csvc) if r.channel == "email"} == {
        (OutboxState.SENT, 2)
    }


async def test_a_message_that_keeps_failing_fails_after_the_last_attempt_with_the_reason(
    csvc: Service, clock: FakeClock
) -> None:
    await add_subscriber(csvc, Channel.EMAIL, "ann@example.test")
    await declare_sev1(csvc)
    channel = RecordingChannel("email", script=lambda m: TransientDeliveryError("timed out"))
    for _ in range(3):
        await make_dispatcher(csvc, clock, {"email": channel}).run_once()
        clock.advance(hours=1)
    found = [r for r in await rows(csvc) if r.channel == "email"]
    assert {r.state for r in found} == {OutboxState.FAILED}
    assert {r.last_error for r in found} == {"gave up after 3 attempts: timed out"}


async def test_a_permanent_failure_keeps_the_providers_code_and_reason(
    csvc: Service, clock: FakeClock
) -> None:
    await add_subscriber(csvc, Channel.SMS, "+14155550123")
    await declare_sev1(csvc)
    error = PermanentDeliveryError("21614: 'To' is not a mobile number", "21614")
    channel = RecordingChannel("sms", script=lambda m: error if m.to == "+14155550123" else None)
    await make_dispatcher(csvc, clock, {"sms": channel}).run_once()
    row = await row_to(csvc, "+14155550123")
    assert row.row.state is OutboxState.FAILED and row.provider_code == "21614"
    assert row.row.last_error == "21614: 'To' is not a mobile number"


async def test_a_busy_provider_slows_the_channel_and_costs_the_message_no_attempt(
    csvc: Service, clock: FakeClock
) -> None:
    await add_subscriber(csvc, Channel.SMS, "+14155550123")
    await declare_sev1(csvc)
    busy = ProviderBusy("30001: queue overflow", "30001")
    channel = RecordingChannel("sms", script=lambda m: busy)
    dispatcher = make_dispatcher(csvc, clock, {"sms": channel})
    await dispatcher.run_once()
    assert dispatcher.workers["sms"].bucket.factor == 0.5
    assert {(r.state, r.attempts) for r in await rows(csvc) if r.channel == "sms"} == {
        (OutboxState.QUEUED, 0)
    }


async def test_a_channel_that_is_not_configured_leaves_its_messages_queued(
    csvc: Service, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    await subscribers(csvc)
    await declare_sev1(csvc)
    channels = fakes("email")
    reason = "set STATUSPAGE_TWILIO_ACCOUNT_SID and STATUSPAGE_TWILIO_AUTH_TOKEN"
    report = await make_dispatcher(csvc, clock, channels, unconfigured={"sms": reason}).run_once()
    sms = [r for r in await rows(csvc) if r.channel == "sms"]
    assert sms and {(r.state, r.attempts) for r in sms} == {(OutboxState.QUEUED, 0)}
    assert report.queued["sms"] == len(sms) and report.unconfigured == {"sms": reason}
    assert sum("sms is not configured" in m for m in caplog.messages) == 1
    (said,) = [m for m in caplog.messages if "sms is not configured" in m]
    assert said == (
        f"sms is not configured ({reason}): its messages stay queued until it is"
        f" ({len(sms)} messages wait)"
    )


async def test_two_dispatchers_at_once_send_every_message_exactly_once(
    csvc: Service, clock: FakeClock
) -> None:
    for n in range(40):
        await add_subscriber(csvc, Channel.EMAIL, f"user{n}@example.test")
    await declare_sev1(csvc)
    one, two = RecordingChannel("email", delay=0.001), RecordingChannel("email", delay=0.001)
    first = make_dispatcher(csvc, clock, {"email": one}, owner="one")
    second = make_dispatcher(csvc, clock, {"email": two}, owner="two")
    reports = await asyncio.gather(first.run_once(), second.run_once())
    assert sorted(r.leader for r in reports) == [False, True]
    keys = [m.key for m in one.sent + two.sent]
    assert len(keys) == len(set(keys)) == 42


async def test_row_leases_keep_two_senders_apart_even_without_the_dispatcher_lease(
    csvc: Service, clock: FakeClock
) -> None:
    for n in range(200):
        await add_subscriber(csvc, Channel.EMAIL, f"user{n}@example.test")
    await declare_sev1(csvc)
    one, two = RecordingChannel("email", delay=0.002), RecordingChannel("email", delay=0.002)
    first = make_dispatcher(csvc, clock, {"email": one}, owner="one")
    second = make_dispatcher(csvc, clock, {"email": two}, owner="two")
    await asyncio.gather(first.workers["email"].run(once=True),
                         second.workers["email"].run(once=True))  # fmt: skip
    keys = [m.key for m in one.sent + two.sent]
    assert one.sent and two.sent and len(keys) == len(set(keys)) == 202


async def test_a_claim_of_a_dispatcher_that_died_is_taken_over_when_its_lease_runs_out(
    csvc: Service, clock: FakeClock
) -> None:
    await add_subscriber(csvc, Channel.EMAIL, "ann@example.test")
    await declare_sev1(csvc)
    now = clock.current
    async with csvc.store.write() as q:
        dead = await q.claim_channel("dead", "email", now, now + timedelta(seconds=30), 100)
    channel = RecordingChannel("email")
    await make_dispatcher(csvc, clock, {"email": channel}).run_once()
    assert channel.sent == []  # the lease still holds
    clock.advance(seconds=31)
    await make_dispatcher(csvc, clock, {"email": channel}).run_once()
    assert sorted(m.key.rpartition(".")[2] for m in channel.sent) == sorted(
        str(c.row.id) for c in dead
    )


async def test_an_idle_dispatcher_takes_over_a_dead_ones_claim_once_its_lease_runs_out(
    csvc: Service, clock: FakeClock
) -> None:
    await add_subscriber(csvc, Channel.EMAIL, "ann@example.test")
    await declare_sev1(csvc)
    now = clock.current
    async with csvc.store.write() as q:
        dead = await q.claim_channel("dead", "email", now, now + timedelta(seconds=30), 100)
    channel = RecordingChannel("email")
    dispatcher = make_dispatcher(csvc, clock, {"email": channel})
    running = asyncio.create_task(dispatcher.run())
    await asyncio.sleep(0.2)  # polled many times: nothing is due while the lease holds
    assert channel.sent == []
    clock.advance(seconds=31)
    for _ in range(100):
        if len(channel.sent) == len(dead):
            break
        await asyncio.sleep(0.02)
    dispatcher.stop()
    await running
    assert sorted(m.key.rpartition(".")[2] for m in channel.sent) == sorted(
        str(c.row.id) for c in dead
    )


async def test_an_interrupted_message_the_provider_already_has_is_not_sent_again(
    csvc: Service, clock: FakeClock
) -> None:
    await add_subscriber(csvc, Channel.SMS, "+14155550123")
    await declare_sev1(csvc)
    channel = RecordingChannel("sms")
    now = clock.current
    async with csvc.store.write() as q:
        (claimed, *_) = await q.claim_channel("dead", "sms", now, now, 100)
        page = await q.get_page()
    assert page is not None
    channel.known[f"{page.id}.{claimed.row.id}"] = Receipt("SM-from-before")
    await make_dispatcher(csvc, clock, {"sms": channel}).run_once()
    assert f"{page.id}.{claimed.row.id}" not in {m.key for m in channel.sent}
    found = {r.id: r for r in await rows(csvc)}[claimed.row.id]
    assert found.state is OutboxState.SENT and found.provider_message_id == "SM-from-before"


async def test_cadence_reminders_reach_the_owners_through_the_channels(
    csvc: Service, clock: FakeClock
) -> None:
    await declare_sev1(csvc, approve=False)
    clock.advance(minutes=31)  # SEV1 cadence: 30 min
    await csvc.tick_report()
    channels = fakes("email", "slack")
    await make_dispatcher(csvc, clock, channels).run_once()
    reminders = [m for m in channels["email"].sent if m.to == "comms@acme.test"
                 and "overdue" in (m.subject or "").lower() + m.text.lower()]  # fmt: skip
    assert reminders, [m.subject for m in channels["email"].sent]
    assert any(m.to == "https://hooks.slack.test/comms" for m in channels["slack"].sent)


async def test_a_filtered_sms_template_stops_and_the_owners_are_alerted(
    csvc: Service, clock: FakeClock
) -> None:
    await add_subscriber(csvc, Channel.SMS, "+14155550123")
    await add_subscriber(csvc, Channel.SMS, "+14155550124")
    await declare_sev1(csvc)
    filtered = ContentRejected("30007: carrier filtered the message", "30007")
    sms = RecordingChannel("sms", script=lambda m: filtered if m.to.startswith("+1415555012")
                           else None)  # fmt: skip
    channels = {"sms": sms, "email": RecordingChannel("email"), "slack": RecordingChannel("slack")}
    limits = {n: Limits(rate=10_000, concurrency=1) for n in channels}
    await make_dispatcher(csvc, clock, channels, limits=limits).run_once()
    customer = [r for r in await rows(csvc) if r.channel == "sms" and r.segment == "everyone"]
    assert {r.state for r in customer} == {OutboxState.FAILED}
    assert len(sms.attempts) < 4  # after the first refusal, the template's SMS stop
    alerts = [m for m in channels["email"].sent if "Delivery stopped" in (m.subject or "")]
    assert [m.to for m in alerts] == ["comms@acme.test"]
    assert "statuspage comms retry --channel sms" in alerts[0].text


async def test_stopping_gives_back_claims_not_yet_sent(csvc: Service, clock: FakeClock) -> None:
    for n in range(5):
        await add_subscriber(csvc, Channel.SMS, f"+1415555010{n}")
    await declare_sev1(csvc)
    channel = RecordingChannel("sms")
    limits = {"sms": Limits(rate=1.0, concurrency=10)}
    dispatcher = make_dispatcher(csvc, clock, {"sms": channel}, limits=limits)
    running = asyncio.create_task(dispatcher.run())
    await asyncio.sleep(0.3)
    dispatcher.stop()
    await running
    sms = [r for r in await rows(csvc) if r.channel == "sms"]
    assert len(channel.sent) == 1  # one token at once, the next a second later
    assert sorted(r.state.value for r in sms) == ["queued"] * (len(sms) - 1) + ["sent"]
    assert {r.attempts for r in sms if r.state is OutboxState.QUEUED} == {0}


async def test_retry_sends_failed_messages_again_but_not_ones_a_newer_message_replaced(
    csvc: Service, clock: FakeClock
) -> None:
    await add_subscriber(csvc, Channel.EMAIL, "ann@example.test")
    incident = await declare_sev1(csvc)
    down = {"on": True}
    error = TransientDeliveryError("421 try later", "421")
    email = RecordingChannel("email", script=lambda m: error if down["on"] else None)
    policy = RetryPolicy(max_attempts=1)
    await make_dispatcher(csvc, clock, {"email": email}, policy=policy).run_once()
    assert {r.state for r in await rows(csvc) if r.channel == "email"} == {OutboxState.FAILED}
    other = await csvc.declare_incident("Web slow", message="Looking.", severity="SEV2",
                                        components=[("Web", None)])  # fmt: skip
    await make_dispatcher(csvc, clock, {"email": email}, policy=policy).run_once()
    await csvc.resolve_incident(other.id, message="Fine again.")
    clock.advance(minutes=5)
    await csvc.update_incident(incident, message="Found it.", status="identified")
    await approve(csvc.store, incident, "Dana", csvc.now())
    down["on"] = False
    await make_dispatcher(csvc, clock, {"email": email}, policy=policy).run_once()
    counts, stale = await retry_failed(csvc.store, csvc.now(), None, "email")
    declared = [r for r in await rows(csvc) if r.incident_id == incident and r.channel == "email"]
    ann_first = next(r for r in declared if r.recipient_kind == "subscriber")
    assert stale == 1 and ann_first.state is OutboxState.SUPERSEDED  # she has the newer one
    assert counts == {"email": 2}  # the owners' declared mails: owners get everything
    # A resolved incident's failures stay as they are unless it is named.
    assert OutboxState.FAILED in {r.state for r in await rows(csvc) if r.incident_id == other.id}
