"""Fixtures for delivery: a service on the small test plan, dispatchers over fake channels."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from statuspage.comms.compose.validate import load_plan
from statuspage.comms.deliver.channels import Channel
from statuspage.comms.deliver.channels.fake import RecordingChannel
from statuspage.comms.deliver.dispatcher import Dispatcher, Report, Timing
from statuspage.comms.deliver.retry import RetryPolicy
from statuspage.comms.deliver.wiring import build_channels
from statuspage.comms.deliver.wiring import make_dispatcher as wired_dispatcher
from statuspage.comms.deliver.worker import Limits
from statuspage.comms.kit import Comms
from statuspage.config import Settings
from statuspage.links import LinkSigner
from statuspage.model import Channel as SubscriberChannel
from statuspage.service import Service
from statuspage.storage.delivery import Claimed
from statuspage.storage.outbox import OutboxRow
from tests.comms.conftest import add_subscriber, csvc, rows  # noqa: F401
from tests.conftest import TEST_SECRET_KEY, FakeClock
from tests.delivery.standins import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    WEBHOOK_SECRET,
    BlueskyStandIn,
    MastodonStandIn,
    SlackStandIn,
    SmtpRecorder,
    TwilioStandIn,
    WebhookReceiver,
    serve,
    smtp_server,
)

SECRET = TEST_SECRET_KEY
PLAN = Path(__file__).parent / "plans" / "delivery.yaml"
SLACK_ENV = {"ACME_SLACK_URL": "https://hooks.slack.test/comms"}  # for fakes only
CHANNELS = ("email", "sms", "webhook", "slack", "social")


@pytest.fixture
def comms() -> Comms:
    """The plan the `csvc` service plans with (overrides the comms tests' small plan)."""
    return Comms(load_plan(PLAN))


def fakes(*names: str) -> dict[str, RecordingChannel]:
    return {name: RecordingChannel(name) for name in names or CHANNELS}


def make_dispatcher(
    svc: Service,
    clock: FakeClock,
    channels: Mapping[str, Channel],
    *,
    limits: Mapping[str, Limits] | None = None,
    environ: Mapping[str, str] | None = None,
    unconfigured: Mapping[str, str] | None = None,
    policy: RetryPolicy | None = None,
    lease: float = 30.0,
    owner: str | None = None,
) -> Dispatcher:
    plan = svc.comms
    assert isinstance(plan, Comms)
    return Dispatcher(
        svc.store,
        plan.plan,
        plan.templates,
        channels,
        limits or {name: Limits(rate=10_000, concurrency=8, burst=100) for name in channels},
        signer=LinkSigner(SECRET),
        environ=SLACK_ENV if environ is None else environ,
        unconfigured=unconfigured,
        policy=policy or RetryPolicy(max_attempts=3, base=60, rand=lambda: 0.5),
        timing=Timing(lease=lease, poll=0.01),
        now=clock,
        owner=owner,
    )


async def declare_sev1(svc: Service, *, approve: bool = True) -> str:
    """A SEV1 on API; customer messages approved at once (unless told otherwise)."""
    incident = await svc.declare_incident(
        "API errors", message="We are investigating errors.", severity="SEV1",
        components=[("API", None)],
    )  # fmt: skip
    if approve:
        from statuspage.service.comms_ops import approve as approve_event

        await approve_event(svc.store, incident.id, "Dana", svc.now())
    return incident.id


async def subscribers(svc: Service) -> None:
    await add_subscriber(svc, SubscriberChannel.EMAIL, "ann@example.test")
    await add_subscriber(svc, SubscriberChannel.SMS, "+14155550123")
    await add_subscriber(svc, SubscriberChannel.WEBHOOK, "https://hooks.example.test/status")
    await add_subscriber(svc, SubscriberChannel.SLACK, "https://hooks.slack.test/sub")


def by_state(found: list[OutboxRow]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in found:
        counts[r.state.value] = counts.get(r.state.value, 0) + 1
    return counts


# --- real channels against the stand-ins ----------------------------------------------


@dataclass
class Providers:
    smtp: SmtpRecorder
    smtp_port: int
    twilio: TwilioStandIn
    twilio_url: str
    hooks: WebhookReceiver
    hooks_url: str
    slack: SlackStandIn
    slack_url: str
    mastodon: MastodonStandIn
    mastodon_url: str
    bluesky: BlueskyStandIn
    bluesky_url: str

    def settings(self, db: Path, **changes: object) -> Settings:
        base = Settings(
            db=db, secret_key=SECRET, dispatch_poll=0.01, dispatch_backoff=60,
            smtp_host="127.0.0.1", smtp_port=self.smtp_port, smtp_security="none",
            smtp_from="Acme Status <status@acme.test>", email_concurrency=2,
            twilio_account_sid=ACCOUNT_SID, twilio_auth_token=AUTH_TOKEN,
            twilio_messaging_service_sid="MG" + "1" * 32, twilio_api_url=self.twilio_url,
            sms_rate=1000, webhook_secret=WEBHOOK_SECRET, webhook_allow_http=True,
            webhook_allow_private=True, mastodon_url=self.mastodon_url,
            mastodon_token=self.mastodon.token, bluesky_url=self.bluesky_url,
            bluesky_app_password=self.bluesky.password, social_rate=1000,
            email_rate=1000, webhook_rate=1000, slack_rate=1000,
        )  # fmt: skip
        return base.replace(**changes)


@pytest.fixture
async def providers() -> AsyncIterator[Providers]:
    twilio, hooks, slack = TwilioStandIn(), WebhookReceiver(), SlackStandIn()
    mastodon, bluesky = MastodonStandIn(), BlueskyStandIn()
    async with (
        smtp_server() as (smtp, smtp_port),
        serve(twilio.app()) as twilio_url,
        serve(hooks.app()) as hooks_url,
        serve(slack.app()) as slack_url,
        serve(mastodon.app()) as mastodon_url,
        serve(bluesky.app()) as bluesky_url,
    ):
        yield Providers(smtp, smtp_port, twilio, twilio_url, hooks, hooks_url, slack, slack_url,
                        mastodon, mastodon_url, bluesky, bluesky_url)  # fmt: skip


async def real_dispatcher(
    svc: Service,
    settings: Settings,
    clock: FakeClock,
    only: tuple[str, ...] = CHANNELS,
    environ: Mapping[str, str] | None = None,
) -> Dispatcher:
    """A dispatcher with the real channels of `only` (the others are left out)."""
    kit = svc.comms
    assert isinstance(kit, Comms)
    page = await svc.page()
    made = build_channels(settings, kit.plan, page.url)
    for name in set(made) - set(only):
        await made.pop(name).aclose()
    return await wired_dispatcher(settings, svc.store, kit, environ or {}, made, now=clock)


async def dispatch_once(
    svc: Service,
    settings: Settings,
    clock: FakeClock,
    only: tuple[str, ...] = CHANNELS,
    environ: Mapping[str, str] | None = None,
) -> Report:
    dispatcher = await real_dispatcher(svc, settings, clock, only, environ)
    try:
        return await dispatcher.run_once()
    finally:
        await dispatcher.aclose()


async def row_to(svc: Service, address: str) -> Claimed:
    """The one outbox row to the subscriber with this address."""
    async with svc.store.read() as q:
        found = [r for r in await q.outbox_rows() if r.recipient_kind == "subscriber"]
        contacts = await q.contacts([r.recipient_id for r in found])
        (row,) = [r for r in found if contacts[r.recipient_id].address == address]
        claimed = await q.outbox_row(row.id)
    assert claimed is not None
    return claimed
