"""SMS through the real twilio client against a local stand-in for the Messages API."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from statuspage.comms.deliver.channels.sms import SmsChannel
from statuspage.comms.deliver.dispatcher import Report
from statuspage.model import Channel, SubscriberState
from statuspage.service import Service
from statuspage.storage.outbox import OutboxState
from tests.comms.conftest import add_subscriber
from tests.conftest import FakeClock
from tests.delivery.conftest import (
    Providers,
    declare_sev1,
    dispatch_once,
    real_dispatcher,
    row_to,
)

ANN = "+14155550123"


async def sms_to_ann(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path, **settings: object
) -> Report:
    await add_subscriber(csvc, Channel.SMS, ANN)
    await declare_sev1(csvc)
    return await dispatch_once(csvc, providers.settings(db_path, **settings), clock, only=("sms",))


async def test_a_message_is_created_with_the_service_callback_and_validity_and_its_sid_kept(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    await sms_to_ann(csvc, clock, providers, db_path, sms_validity=900)
    (created,) = [m for m in providers.twilio.created if m["to"] == ANN]
    assert "API errors" in created["body"]
    assert created["messaging_service_sid"] == "MG" + "1" * 32
    assert created["validity_period"] == "900"
    assert created["status_callback"].startswith(
        "https://status.acme.test/hooks/twilio/status?key="
    )
    row = await row_to(csvc, ANN)
    assert row.row.state is OutboxState.SENT and row.row.provider_message_id == created["sid"]


async def test_21610_unsubscribes_the_subscriber_who_replied_stop(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    providers.twilio.fail[ANN] = (400, 21610)
    await sms_to_ann(csvc, clock, providers, db_path)
    row = await row_to(csvc, ANN)
    assert row.row.state is OutboxState.FAILED and row.provider_code == "21610"
    async with csvc.store.read() as q:
        (ann,) = (await q.contacts([row.row.recipient_id])).values()
    assert ann.state == SubscriberState.UNSUBSCRIBED


async def test_an_invalid_number_fails_for_good_with_twilios_code(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    providers.twilio.fail[ANN] = (400, 21211)
    await sms_to_ann(csvc, clock, providers, db_path)
    row = await row_to(csvc, ANN)
    assert row.row.state is OutboxState.FAILED and row.provider_code == "21211"
    assert "invalid 'To' phone number" in (row.row.last_error or "")


async def test_a_server_error_is_retried_later_with_backoff(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    providers.twilio.fail[ANN] = (500, 20500)
    report = await sms_to_ann(csvc, clock, providers, db_path)
    row = await row_to(csvc, ANN)
    assert row.row.state is OutboxState.QUEUED and row.row.attempts == 1
    assert row.row.next_attempt_at > clock.current and report.tally["sms"]["retry"] == 1


async def test_too_many_requests_slows_the_channel_without_using_an_attempt(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    providers.twilio.fail[ANN] = (429, 20429)
    report = await sms_to_ann(csvc, clock, providers, db_path)
    row = await row_to(csvc, ANN)
    assert row.row.state is OutboxState.QUEUED and row.row.attempts == 0
    assert row.provider_code == "20429" and report.tally["sms"]["busy"] == 1


async def test_a_timed_out_create_is_looked_up_instead_of_sent_again(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    providers.twilio.hang.add(ANN)
    await add_subscriber(csvc, Channel.SMS, ANN)
    await declare_sev1(csvc)
    settings = providers.settings(db_path, sms_concurrency=1, dispatch_reconcile_after=120)
    dispatcher = await real_dispatcher(csvc, settings, clock, only=("sms",))
    channel = dispatcher.channels["sms"]
    assert isinstance(channel, SmsChannel)
    channel._http.timeout = 0.3  # the stand-in creates the message, then answers too late
    try:
        report = await dispatcher.run_once()
        row = await row_to(csvc, ANN)
        assert report.tally["sms"]["ambiguous"] == 1
        assert row.row.state is OutboxState.QUEUED and row.ambiguous_since is not None
        assert row.row.next_attempt_at >= clock.current + timedelta(seconds=120)
        providers.twilio.hang.clear()
        clock.advance(minutes=10)
        await dispatcher.run_once()
    finally:
        await dispatcher.aclose()
    row = await row_to(csvc, ANN)
    assert len(providers.twilio.bodies_to(ANN)) == 1  # looked up, not created twice
    (created,) = [m for m in providers.twilio.created if m["to"] == ANN]
    assert row.row.state is OutboxState.SENT and row.row.provider_message_id == created["sid"]
