"""Fixtures for delivery: a service on the small test plan, dispatchers over fake channels."""

from __future__ import annotations

from collections.abc import Mapping

from statuspage.comms.channels import Channel
from statuspage.comms.channels.fake import RecordingChannel
from statuspage.comms.dispatcher import Dispatcher, Timing
from statuspage.comms.kit import Comms
from statuspage.comms.links import LinkSigner
from statuspage.comms.retry import RetryPolicy
from statuspage.comms.worker import Limits
from statuspage.model import Channel as SubscriberChannel
from statuspage.service import Service
from statuspage.storage.outbox import OutboxRow
from tests.comms.conftest import add_subscriber, comms, csvc, rows  # noqa: F401
from tests.conftest import FakeClock

SECRET = "test-secret-key"
CHANNELS = ("email", "sms", "webhook", "slack", "social")


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
        environ=environ or {},
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
        from statuspage.comms.status import approve as approve_event

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
