"""`statuspage init --demo`: a realistic page that gives every view something to show."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from statuspage.demo import load_demo
from statuspage.model import Kind
from statuspage.service import Service


async def test_demo_data_is_realistic(svc: Service) -> None:
    note = await load_demo(svc)
    assert "Demo data loaded" in note
    components, groups = await svc.list_components(), await svc.list_groups()
    assert len(components) >= 12 and len(groups) >= 3
    assert Counter(c.group_id for c in components if c.group_id).most_common()[-1][1] >= 3
    incidents = await svc.list_incidents(kind=Kind.INCIDENT)
    now = svc.now()
    past = [i for i in incidents if not i.is_open]
    assert len(past) >= 5
    assert {i.impact.value for i in past} >= {"minor", "major", "critical"}
    assert all(now - i.started_at < timedelta(days=90) for i in past)
    open_ = [i for i in incidents if i.is_open]
    assert len(open_) == 1 and len(open_[0].updates) == 3
    maintenance = await svc.list_incidents(kind=Kind.MAINTENANCE)
    assert sorted(m.status for m in maintenance) == ["completed", "scheduled"]
    upcoming = next(m for m in maintenance if m.status == "scheduled")
    assert upcoming.scheduled_for is not None and upcoming.scheduled_for > now


async def test_demo_history_is_recorded_as_status_changes(svc: Service) -> None:
    await load_demo(svc)
    async with svc.store.read() as q:
        changes = await q.list_status_changes(since=svc.now() - timedelta(days=90))
    causes = Counter(c.cause.value for c in changes)
    assert causes["incident"] >= 16 and causes["maintenance"] >= 4


async def test_demo_is_not_loaded_twice(svc: Service) -> None:
    await load_demo(svc)
    count = len(await svc.list_components())
    assert "not loaded" in await load_demo(svc)
    assert len(await svc.list_components()) == count
