"""Two incidents told through the real service, approval gate and delivery path.

SEV1 "API errors" (approval by the incident commander, cadence 30 min), declared at START:
  +4 min 10 s   approved, dispatched: customers hear first (first public update 250 s)
  +20 min       update (identified): the promise of 12:30 is kept; approved at +25 min
  +65 min       resolved: the promise of 12:50 was missed; approved at +66 min
SEV2 "Slow dashboard" (no approval, cadence 1 h), declared at START + 25 days (April):
  +30 s         dispatched (first public update 30 s)
  +70 min       update (monitoring): the promise of +1 h was missed; still open
Subscribers: ann and bob by e-mail (bob's server refuses him: failed), one SMS number
(its delivery reported), one webhook, one Slack URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from statuspage.model import Channel
from statuspage.service import Service
from tests.comms.conftest import add_subscriber
from tests.conftest import FakeClock
from tests.delivery.conftest import Providers, dispatch_once, row_to

BOB = "bob@example.test"
SMS = "+14155550123"


@dataclass(frozen=True)
class Told:
    sev1: str
    sev2: str


async def tell(svc: Service, clock: FakeClock, providers: Providers, db_path: Path) -> Told:
    settings = providers.settings(db_path)
    environ = {"ACME_SLACK_URL": providers.slack_url + "/owners"}

    async def dispatch() -> None:
        await dispatch_once(svc, settings, clock, environ=environ)

    providers.smtp.refuse[BOB] = "550 no such user"
    await add_subscriber(svc, Channel.EMAIL, "ann@example.test")
    await add_subscriber(svc, Channel.EMAIL, BOB)
    await add_subscriber(svc, Channel.SMS, SMS)
    await add_subscriber(svc, Channel.WEBHOOK, providers.hooks_url + "/receiver")
    await add_subscriber(svc, Channel.SLACK, providers.slack_url + "/subscriber")

    sev1 = await svc.declare_incident(
        "API errors", message="We are investigating errors.", severity="SEV1",
        components=[("API", None)],
    )  # fmt: skip
    await dispatch()  # the owners hear at once; customers wait for the approval
    clock.advance(minutes=4, seconds=10)
    await svc.approve_messages(sev1.id, "Dana")
    await dispatch()
    sms = await row_to(svc, SMS)
    assert sms.row.provider_message_id is not None
    await svc.record_sms_report(sms.row.provider_message_id, "delivered", None, None)
    clock.advance(minutes=15, seconds=50)  # START + 20 min
    await svc.update_incident(sev1.id, message="We found the cause.", status="identified")
    clock.advance(minutes=5)
    await svc.approve_messages(sev1.id, "Dana")
    await dispatch()
    clock.advance(minutes=40)  # START + 65 min
    await svc.resolve_incident(sev1.id, message="Errors have stopped.")
    clock.advance(minutes=1)
    await svc.approve_messages(sev1.id, "Dana")
    await dispatch()

    clock.advance(days=25)
    sev2 = await svc.declare_incident(
        "Slow dashboard", message="Pages load slowly.", severity="SEV2",
        components=[("Web", None)],
    )  # fmt: skip
    clock.advance(seconds=30)
    await dispatch()
    clock.advance(minutes=69, seconds=30)
    await svc.update_incident(sev2.id, message="A fix is out.", status="monitoring")
    clock.advance(minutes=10)
    return Told(sev1.id, sev2.id)
