"""Webhooks, Slack and the status account, against local receivers."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from statuspage.comms.kit import Comms
from statuspage.comms.plan.schema import Channel as PlanChannel
from statuspage.comms.plan.schema import Network, SocialOptions
from statuspage.model import Channel, SubscriberState
from statuspage.service import Service
from statuspage.storage.outbox import OutboxState
from statuspage.url_guard import non_global
from tests import raw_db
from tests.comms.conftest import add_subscriber, rows
from tests.conftest import FakeClock
from tests.delivery.conftest import Providers, declare_sev1, dispatch_once, row_to
from tests.delivery.standins import WEBHOOK_SECRET


async def test_webhooks_carry_the_statuspage_payload_signed_as_standard_webhooks(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    url = providers.hooks_url + "/receiver"
    await add_subscriber(csvc, Channel.WEBHOOK, url)
    incident = await declare_sev1(csvc)
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("webhook",))
    ((path, msg_id, payload),) = providers.hooks.received
    assert providers.hooks.rejected == 0 and path == "/receiver"
    row = await row_to(csvc, url)
    assert msg_id == f"msg_{(await csvc.page()).id}.{row.row.id}"  # stable per outbox row
    assert payload["incident"]["id"] == incident and payload["page"]["status_indicator"]
    assert payload["meta"]["unsubscribe"].startswith("https://status.acme.test/subscriptions/")
    assert row.row.state is OutboxState.SENT


async def test_a_receiver_that_cannot_verify_the_signature_gets_nothing_it_accepts(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    providers.hooks.secret = "whsec_" + "QUJD" * 8  # another key
    url = providers.hooks_url + "/receiver"
    await add_subscriber(csvc, Channel.WEBHOOK, url)
    await declare_sev1(csvc)
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("webhook",))
    assert providers.hooks.rejected == 1 and providers.hooks.received == []
    assert (await row_to(csvc, url)).row.state is OutboxState.QUEUED  # 401: retried later
    assert providers.hooks.secret != WEBHOOK_SECRET


async def test_410_gone_unsubscribes_and_other_errors_are_retried(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    gone, broken = providers.hooks_url + "/gone", providers.hooks_url + "/broken"
    providers.hooks.status.update({"/gone": 410, "/broken": 503})
    await add_subscriber(csvc, Channel.WEBHOOK, gone)
    await add_subscriber(csvc, Channel.WEBHOOK, broken)
    await declare_sev1(csvc)
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("webhook",))
    gone_row, broken_row = await row_to(csvc, gone), await row_to(csvc, broken)
    assert gone_row.row.state is OutboxState.FAILED and gone_row.provider_code == "410"
    assert broken_row.row.state is OutboxState.QUEUED and broken_row.provider_code == "503"
    async with csvc.store.read() as q:
        contact = (await q.contacts([gone_row.row.recipient_id]))[gone_row.row.recipient_id]
    assert contact.state == SubscriberState.UNSUBSCRIBED


@pytest.mark.parametrize(
    "target", ["http://127.0.0.1:9/x", "http://localhost:9/x", "http://[::1]:9/x"]
)
async def test_private_targets_are_refused_unless_a_setting_allows_them(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path, target: str
) -> None:
    await add_subscriber(csvc, Channel.WEBHOOK, target)
    await declare_sev1(csvc)
    settings = providers.settings(db_path, webhook_allow_private=False)
    await dispatch_once(csvc, settings, clock, only=("webhook",))
    row = await row_to(csvc, target)
    assert row.row.state is OutboxState.FAILED and "refused" in (row.row.last_error or "")


async def test_plain_http_is_refused_unless_a_setting_allows_it(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    url = providers.hooks_url + "/receiver"
    await add_subscriber(csvc, Channel.WEBHOOK, url)
    await declare_sev1(csvc)
    settings = providers.settings(db_path, webhook_allow_http=False)
    await dispatch_once(csvc, settings, clock, only=("webhook",))
    assert providers.hooks.received == []
    assert "https only" in ((await row_to(csvc, url)).row.last_error or "")


@pytest.mark.parametrize(
    ("address", "refused"),
    [("10.1.2.3", True), ("172.16.0.1", True), ("192.168.1.1", True), ("169.254.169.254", True),
     ("100.64.0.1", True), ("0.0.0.0", True), ("::ffff:127.0.0.1", True), ("fe80::1", True),
     ("fd00::1", True), ("224.0.0.1", True), ("93.184.216.34", False), ("2606:4700::1111", False)],
)  # fmt: skip
def test_only_global_addresses_are_accepted(address: str, refused: bool) -> None:
    assert non_global(address) is refused


async def test_slack_gets_a_block_message_and_each_url_at_most_one_a_second(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    url = providers.slack_url + "/T1/B1/x"
    await add_subscriber(csvc, Channel.SLACK, url)
    incident = await declare_sev1(csvc)
    settings = providers.settings(db_path)
    await dispatch_once(csvc, settings, clock, only=("slack",))
    clock.advance(minutes=5)
    await csvc.update_incident(incident, message="Fix deployed.", status="monitoring")
    from statuspage.service.comms_ops import approve

    await approve(csvc.store, incident, "Dana", csvc.now())
    started = time.monotonic()
    await dispatch_once(csvc, settings, clock, only=("slack",))
    assert time.monotonic() - started < 5
    posts = [(t, body) for path, t, body in providers.slack.posts if path == "/T1/B1/x"]
    assert len(posts) == 2
    first = posts[0][1]
    assert first["blocks"][0]["type"] == "header" and "API errors" in first["text"]
    assert f"/incidents/{incident}|" in first["blocks"][2]["elements"][0]["text"]


async def test_slack_paces_each_url_to_one_message_a_second_and_no_more(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    # The comms lead's Slack URL is also a subscriber's: two messages to one URL.
    shared, other = providers.slack_url + "/shared", providers.slack_url + "/other"
    kit = csvc.comms
    assert isinstance(kit, Comms)
    lead = kit.plan.owners["comms"]
    contacts = {**lead.contacts, PlanChannel.SLACK: shared}
    owners = {**kit.plan.owners, "comms": dataclasses.replace(lead, contacts=contacts)}
    # Another plan is another service, on the same store.
    csvc = Service(
        csvc.store, csvc.clock, comms=Comms(dataclasses.replace(kit.plan, owners=owners))
    )
    await add_subscriber(csvc, Channel.SLACK, shared)
    await add_subscriber(csvc, Channel.SLACK, other)
    await declare_sev1(csvc)
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("slack",))
    times = {path: [t for p, t, _ in providers.slack.posts if p == path] for path in
             ("/shared", "/other")}  # fmt: skip
    assert len(times["/shared"]) == 2 and len(times["/other"]) == 1
    # Paced a second apart when sent; on arrival the first may have waited longer (a new
    # connection, a busy machine), so allow some of that second. Unpaced they are ms apart.
    assert times["/shared"][1] - times["/shared"][0] >= 0.75
    assert times["/other"][0] < times["/shared"][1]  # another URL does not wait its turn


async def test_slack_404_no_service_unsubscribes_a_subscriber(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    url = providers.slack_url + "/revoked"
    providers.slack.status["/revoked"] = (404, "no_service")
    await add_subscriber(csvc, Channel.SLACK, url)
    await declare_sev1(csvc)
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("slack",))
    row = await row_to(csvc, url)
    assert row.row.state is OutboxState.FAILED and "no_service" in (row.row.last_error or "")


async def test_bluesky_posts_updates_as_replies_to_the_incidents_first_post(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    incident = await declare_sev1(csvc)
    settings = providers.settings(db_path)
    await dispatch_once(csvc, settings, clock, only=("social",))
    for text in ("Found it.", "Fixed."):
        clock.advance(minutes=5)
        await csvc.update_incident(incident, message=text, status="identified")
        from statuspage.service.comms_ops import approve

        await approve(csvc.store, incident, "Dana", csvc.now())
        await dispatch_once(csvc, settings, clock, only=("social",))
    first, second, third = providers.bluesky.posts()
    assert "reply" not in first
    root = second["reply"]["root"]
    assert root == third["reply"]["root"] and root["uri"].startswith("at://did:plc:status/")
    assert third["reply"]["parent"] != root  # a chain: each update replies to the last
    assert first["facets"][0]["features"][0]["uri"].startswith("https://status.acme.test/")
    social = [r for r in await rows(csvc) if r.channel == "social"]
    assert {r.state for r in social} == {OutboxState.SENT}


async def test_mastodon_threads_and_a_resend_with_the_same_idempotency_key_is_not_posted_twice(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    kit = csvc.comms
    assert isinstance(kit, Comms)
    plan = dataclasses.replace(kit.plan, social=SocialOptions(Network.MASTODON, "@status", 500))
    csvc = Service(csvc.store, csvc.clock, comms=Comms(plan))
    incident = await declare_sev1(csvc)
    settings = providers.settings(db_path)
    await dispatch_once(csvc, settings, clock, only=("social",))
    clock.advance(minutes=5)
    await csvc.update_incident(incident, message="Found it.", status="identified")
    from statuspage.service.comms_ops import approve

    await approve(csvc.store, incident, "Dana", csvc.now())
    await dispatch_once(csvc, settings, clock, only=("social",))
    update = [r for r in await rows(csvc) if r.channel == "social"][-1]
    interrupt(db_path, update.id)  # as if the dispatcher died after posting, before recording
    await dispatch_once(csvc, settings, clock, only=("social",))
    first, second = providers.mastodon.statuses
    assert second["in_reply_to_id"] == first["id"] and first["in_reply_to_id"] is None
    assert "Found it." in second["content"]
    assert providers.mastodon.repeats == 1  # the resend carried the same Idempotency-Key
    again = next(r for r in await rows(csvc) if r.id == update.id)
    assert again.state is OutboxState.SENT and again.provider_message_id == second["id"]


async def test_a_bluesky_post_sent_again_after_a_crash_is_found_not_posted_twice(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    await declare_sev1(csvc)
    settings = providers.settings(db_path)
    await dispatch_once(csvc, settings, clock, only=("social",))
    (row,) = [r for r in await rows(csvc) if r.channel == "social"]
    interrupt(db_path, row.id)
    await dispatch_once(csvc, settings, clock, only=("social",))
    assert len(providers.bluesky.records) == 1
    (again,) = [r for r in await rows(csvc) if r.channel == "social"]
    assert again.state is OutboxState.SENT and again.provider_message_id == row.provider_message_id


def interrupt(db: Path, row_id: int) -> None:
    """Put a sent row back as a dead dispatcher leaves it: claimed, its lease run out."""
    conn = raw_db.connect(db)
    with conn:
        conn.execute(
            "UPDATE outbox SET state = 'sending', lease_owner = 'dead',"
            " lease_expires_at = '2000-01-01T00:00:00.000000Z' WHERE id = ?",
            (row_id,),
        )
    conn.close()
