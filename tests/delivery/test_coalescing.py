"""Not flooding customers: a burst of updates reaches a subscriber once per window, latest first.

The seed scenario: two engineers post 14 updates in 25 s. A real SMTP server receives what
the real dispatcher sends; the clock is moved by hand, and the dispatcher runs after every
post (as the server's would, polling every second).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from statuspage.comms.compose.validate import load_plan
from statuspage.comms.plan.issues import Issues
from statuspage.comms.plan.read import read_plan
from statuspage.comms.plan.schema import Channel as PlanChannel
from statuspage.model import Channel
from statuspage.service import Service
from statuspage.service.comms_ops import approve
from statuspage.storage.outbox import OutboxState
from tests.comms.conftest import add_subscriber
from tests.conftest import FakeClock
from tests.delivery.conftest import PLAN, Providers, declare_sev1, dispatch_once

ANN = "ann@example.test"
HOOK = "https://hooks.example.test/status"


async def post(svc: Service, incident: str, text: str, *, resolve: bool = False) -> None:
    if resolve:
        await svc.resolve_incident(incident, message=text)
    else:
        await svc.update_incident(incident, message=text, status="identified")
    await approve(svc.store, incident, "Dana", svc.now())


async def burst(svc: Service, clock: FakeClock, providers: Providers, db: Path) -> str:
    """The declaration, then 13 more updates by two engineers over 25 s, dispatching after
    each; returns the incident's id."""
    settings = providers.settings(db)
    incident = await declare_sev1(svc)
    await dispatch_once(svc, settings, clock, only=("email",))
    for n in range(1, 14):
        clock.advance(seconds=25 / 13)
        who = "Ada" if n % 2 else "Bo"
        await post(svc, incident, f"Update {n} from {who}.")
        await dispatch_once(svc, settings, clock, only=("email",))
    return incident


async def test_fourteen_updates_in_25_seconds_reach_a_subscriber_at_most_twice_in_30(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    await add_subscriber(csvc, Channel.EMAIL, ANN)
    start = clock()
    incident = await burst(csvc, clock, providers, db_path)
    clock.current = start + timedelta(seconds=30)
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("email",))
    assert len(providers.smtp.to(ANN)) == 1  # the declaration; the rest waits for its window

    clock.current = start + timedelta(seconds=61)  # the window has passed: the latest state
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("email",))
    _, last = providers.smtp.to(ANN)
    body = last.get_body(("plain",))
    assert body is not None and "Update 13 from Ada." in body.get_content()
    assert "Update 12" not in body.get_content()

    async with csvc.store.read() as q:
        rows = [r for r in await q.outbox_rows() if r.recipient_kind == "subscriber"]
    coalesced = [r for r in rows if r.state is OutboxState.SUPERSEDED]
    assert len(coalesced) == 12  # updates 1-12: never lost, each names what replaced it
    (latest,) = [r for r in rows if r.state is OutboxState.SENT and r.event_id != rows[0].event_id]
    assert {r.superseded_by for r in coalesced[-1:]} == {latest.event_id}
    assert all(r.superseded_by for r in coalesced)
    status = await csvc.delivery_status(incident, {})  # visible: `statuspage comms status`
    (shown,) = [s for s in status.skips if s.channel == "email" and s.phase == "updated"]
    assert (shown.count, shown.reason) == (12, "coalesced into a newer update (sent instead)")


async def test_a_resolve_ends_the_burst_at_once_and_takes_the_unsent_updates_with_it(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    await add_subscriber(csvc, Channel.EMAIL, ANN)
    start = clock()
    incident = await burst(csvc, clock, providers, db_path)
    clock.advance(seconds=2)
    await post(csvc, incident, "Fixed: error rates are back to normal.", resolve=True)
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("email",))
    assert clock() - start < timedelta(seconds=30)
    _, resolved = providers.smtp.to(ANN)
    body = resolved.get_body(("plain",))
    assert body is not None and "Fixed: error rates are back to normal." in body.get_content()

    clock.advance(minutes=5)  # nothing left waiting: the resolve replaced update 13
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("email",))
    assert len(providers.smtp.to(ANN)) == 2


async def test_a_postmortem_after_a_resolve_never_swallows_it(
    csvc: Service, clock: FakeClock
) -> None:
    await add_subscriber(csvc, Channel.EMAIL, ANN)
    incident = await declare_sev1(csvc)
    clock.advance(seconds=5)
    await post(csvc, incident, "Fixed.", resolve=True)
    clock.advance(seconds=5)
    await csvc.set_postmortem(incident, "What happened, and what we changed.", publish=True)
    async with csvc.store.read() as q:
        events = {e.id: e.phase for e in await q.list_comms_events(incident)}
        rows = [r for r in await q.outbox_rows() if r.recipient_kind == "subscriber"]
    assert "postmortem" in events.values()
    resolved = [r for r in rows if events[r.event_id] == "resolved"]
    assert [r.state for r in resolved] == [OutboxState.QUEUED]
    assert resolved[0].next_attempt_at == clock() - timedelta(seconds=5)  # never waits


async def test_webhooks_get_every_update_at_once(csvc: Service, clock: FakeClock) -> None:
    await add_subscriber(csvc, Channel.WEBHOOK, HOOK)
    incident = await declare_sev1(csvc)
    clock.advance(seconds=2)
    await post(csvc, incident, "Found it.")
    async with csvc.store.read() as q:
        rows = [r for r in await q.outbox_rows() if r.recipient_kind == "subscriber"]
    assert rows[-1].next_attempt_at == clock()  # no window for machines


def test_the_window_is_a_plan_setting_per_channel_with_a_default(tmp_path: Path) -> None:
    plan = load_plan(PLAN)
    assert plan.coalesce_window(PlanChannel.EMAIL) == timedelta(seconds=60)
    assert plan.coalesce_window(PlanChannel.SMS) == timedelta(seconds=60)
    assert plan.coalesce_window(PlanChannel.WEBHOOK) == timedelta(0)
    text = PLAN.read_text().replace(
        "channels:\n", "channels:\n  coalesce: {email: 2m, sms: 0, slack: 30s}\n", 1
    )
    changed = tmp_path / "plan.yaml"
    changed.write_text(text)
    plan = load_plan(changed)
    assert plan.coalesce_window(PlanChannel.EMAIL) == timedelta(minutes=2)
    assert plan.coalesce_window(PlanChannel.SMS) == timedelta(0)
    assert plan.coalesce_window(PlanChannel.SLACK) == timedelta(seconds=30)


def test_a_bad_window_is_refused_with_its_line(tmp_path: Path) -> None:
    for bad, said in (("2h", "at most 30m"), ("soon", "bad duration"), ("[1]", "duration")):
        text = PLAN.read_text().replace(
            "channels:\n", f"channels:\n  coalesce: {{email: {bad}, pager: 1m}}\n", 1
        )
        path = tmp_path / "plan.yaml"
        path.write_text(text)
        issues = Issues()
        assert read_plan(path, issues) is None
        messages = " ".join(str(i) for i in issues.errors)
        assert said in messages and "channels.coalesce" in messages
        assert "pager" in messages


async def test_a_row_a_dispatcher_has_claimed_is_never_coalesced_away(
    csvc: Service, clock: FakeClock
) -> None:
    """Crash safety: the claimed row may be on its way; it ends sent or back in the queue,
    never superseded behind the dispatcher's back."""
    await add_subscriber(csvc, Channel.EMAIL, ANN)
    incident = await declare_sev1(csvc)
    async with csvc.store.write(public=False) as q:
        claimed = await q.claim_outbox("d1", clock(), clock() + timedelta(seconds=30), 100)
    assert claimed and all(r.state is OutboxState.SENDING for r in claimed)
    clock.advance(seconds=2)
    await post(csvc, incident, "Found it.")
    async with csvc.store.read() as q:
        rows = {r.id: r for r in await q.outbox_rows()}
    assert all(rows[r.id].state is OutboxState.SENDING for r in claimed)
    newer = [r for r in rows.values() if r.state is OutboxState.QUEUED]
    assert newer and all(r.next_attempt_at == clock() + timedelta(seconds=58) for r in newer
                         if r.recipient_kind == "subscriber")  # fmt: skip
