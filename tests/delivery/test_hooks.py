"""Twilio's web hooks: real signatures, delivery reports, STOP/START/HELP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from statuspage.app import create_app
from statuspage.comms.deliver.channels.twilio_signature import sign
from statuspage.config import Settings
from statuspage.model import Channel, SubscriberState
from statuspage.service import Service
from statuspage.storage.outbox import OutboxState
from tests.comms.conftest import add_subscriber, rows
from tests.conftest import TEST_SECRET_KEY, FakeClock
from tests.delivery.conftest import PLAN, Providers, declare_sev1, dispatch_once, row_to
from tests.delivery.standins import AUTH_TOKEN

PAGE = "https://status.acme.test"
ANN = "+14155550123"


@pytest.fixture
def client(csvc: Service, db_path: Path) -> Iterator[TestClient]:
    settings = Settings(db=db_path, twilio_auth_token=AUTH_TOKEN, comms_plan=str(PLAN),
                        dispatcher=False, secret_key=TEST_SECRET_KEY)  # fmt: skip
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def post(client: TestClient, path: str, params: dict[str, str], *, token: str = AUTH_TOKEN):  # type: ignore[no-untyped-def]
    signature = sign(token, PAGE + path, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def test_unsigned_or_wrongly_signed_requests_are_refused(client: TestClient) -> None:
    params = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    assert client.post("/hooks/twilio/status", data=params).status_code == 403
    assert post(client, "/hooks/twilio/status", params, token="other").status_code == 403
    tampered = sign(AUTH_TOKEN, PAGE + "/hooks/twilio/inbound", {"From": ANN, "Body": "HELP"})
    response = client.post("/hooks/twilio/inbound", data={"From": ANN, "Body": "STOP"},
                           headers={"X-Twilio-Signature": tampered})  # fmt: skip
    assert response.status_code == 403


async def sent_sms(csvc: Service, clock: FakeClock, providers: Providers, db_path: Path) -> str:
    await add_subscriber(csvc, Channel.SMS, ANN)
    await declare_sev1(csvc)
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("sms",))
    row = await row_to(csvc, ANN)
    assert row.row.provider_message_id is not None
    return row.row.provider_message_id


async def test_a_delivered_report_marks_the_message_delivered(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path, client: TestClient
) -> None:
    sid = await sent_sms(csvc, clock, providers, db_path)
    params = {"MessageSid": sid, "MessageStatus": "delivered"}
    answer = post(client, "/hooks/twilio/status?key=p.1", params)
    assert answer.status_code == 204
    assert (await row_to(csvc, ANN)).row.state is OutboxState.DELIVERED


async def test_a_carrier_filter_stops_the_template_and_alerts_the_owners(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path, client: TestClient
) -> None:
    sid = await sent_sms(csvc, clock, providers, db_path)
    params = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30007"}
    assert post(client, "/hooks/twilio/status", params).status_code == 204
    row = await row_to(csvc, ANN)
    assert row.row.state is OutboxState.FAILED and row.provider_code == "30007"
    async with csvc.store.read() as q:
        blocks = await q.blocks()
    assert [(b[0], b[1]) for b in blocks] == [("sms", "declared")]
    alerts = [r for r in await rows(csvc) if r.segment == "delivery_alert"]
    # SEV1's speaking and reminded role is the comms lead: on every contact point it has.
    assert {(r.recipient_id, r.channel, r.state) for r in alerts} == {
        ("comms", "email", OutboxState.QUEUED),
        ("comms", "slack", OutboxState.QUEUED),
    }


async def test_a_queue_overflow_report_sends_the_message_again_slower(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path, client: TestClient
) -> None:
    sid = await sent_sms(csvc, clock, providers, db_path)
    params = {"MessageSid": sid, "MessageStatus": "failed", "ErrorCode": "30001"}
    post(client, "/hooks/twilio/status", params)
    row = await row_to(csvc, ANN)
    assert row.row.state is OutboxState.QUEUED and row.provider_code == "30001"
    async with csvc.store.read() as q:
        throttles = await q.throttles(clock.current)
    assert throttles["sms"][0] == 0.5


async def test_a_report_that_comes_before_the_send_is_recorded_is_applied_after(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path, client: TestClient
) -> None:
    for n in (1, 2):  # the stand-in's first SIDs: the owner's SMS and Ann's
        params = {"MessageSid": f"SM{n:032x}", "MessageStatus": "delivered"}
        assert post(client, "/hooks/twilio/status", params).status_code == 204
    await sent_sms(csvc, clock, providers, db_path)
    sms = [r for r in await rows(csvc) if r.channel == "sms"]
    assert len(sms) == 2 and {r.state for r in sms} == {OutboxState.DELIVERED}


STOPS = ["STOP", "stop", " Unsubscribe ", "CANCEL", "END", "QUIT", "STOPALL"]


@pytest.mark.parametrize("word", STOPS)
async def test_stop_and_its_synonyms_unsubscribe_the_sms_subscriber(
    csvc: Service, client: TestClient, word: str
) -> None:
    ann = await add_subscriber(csvc, Channel.SMS, ANN)
    answer = post(client, "/hooks/twilio/inbound", {"From": ANN, "Body": word})
    assert answer.status_code == 200 and "<Message>" not in answer.text
    async with csvc.store.read() as q:
        assert (await q.contacts([ann.id]))[ann.id].state == SubscriberState.UNSUBSCRIBED


@pytest.mark.parametrize("word", ["START", "yes", "UNSTOP"])
async def test_start_brings_an_unsubscribed_subscriber_back(
    csvc: Service, client: TestClient, word: str
) -> None:
    ann = await add_subscriber(csvc, Channel.SMS, ANN, state=SubscriberState.UNSUBSCRIBED)
    answer = post(client, "/hooks/twilio/inbound", {"From": ANN, "Body": word})
    assert "you will get incident updates again" in answer.text
    async with csvc.store.read() as q:
        assert (await q.contacts([ann.id]))[ann.id].state == SubscriberState.ACTIVE


@pytest.mark.parametrize("word", ["HELP", "info"])
def test_help_answers_with_the_page_name_and_how_to_stop(client: TestClient, word: str) -> None:
    answer = post(client, "/hooks/twilio/inbound", {"From": ANN, "Body": word})
    assert answer.headers["content-type"].startswith("application/xml")
    assert "<Response><Message>Acme: incident updates by SMS. Reply STOP to stop" in answer.text
