"""The dispatcher over recording channels: every row sent once, outcomes recorded."""

from __future__ import annotations

from statuspage.service import Service
from tests.conftest import FakeClock
from tests.delivery.conftest import (
    by_state,
    declare_sev1,
    fakes,
    make_dispatcher,
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
