from __future__ import annotations

from datetime import timedelta

import pytest

from statuspage.errors import Conflict, InvalidInput
from statuspage.model import MaintenanceStatus
from statuspage.service import Service
from tests.conftest import FakeClock


@pytest.fixture
async def page(svc: Service) -> Service:
    await svc.add_component("Database")
    await svc.add_component("API")
    return svc


async def status_of(svc: Service, name: str) -> str:
    return (await svc.get_component(name)).status.value


async def schedule(svc: Service, clock: FakeClock, **flags: bool) -> str:
    start = clock.current + timedelta(hours=1)
    created = await svc.schedule_maintenance(
        "DB upgrade", start=start, end=start + timedelta(hours=2), components=["Database"], **flags
    )
    return created.id


async def test_scheduling_records_the_window_without_touching_components(
    page: Service, clock: FakeClock
) -> None:
    mid = await schedule(page, clock)
    found = await page.get_incident(mid)
    assert (found.status, found.impact, found.is_maintenance) == ("scheduled", "maintenance", True)
    assert found.scheduled_until - found.scheduled_for == timedelta(hours=2)  # type: ignore[operator]
    assert await status_of(page, "Database") == "operational"


async def test_tick_starts_and_completes_maintenance_when_due(
    page: Service, clock: FakeClock
) -> None:
    mid = await schedule(page, clock)
    assert await page.tick() == []
    clock.advance(hours=1)
    started = await page.tick()
    assert [(t.incident_id, t.status) for t in started] == [(mid, MaintenanceStatus.IN_PROGRESS)]
    assert await status_of(page, "Database") == "under_maintenance"
    assert await page.tick() == []  # nothing twice
    clock.advance(hours=2)
    assert [t.status for t in await page.tick()] == [MaintenanceStatus.COMPLETED]
    assert await status_of(page, "Database") == "operational"
    found = await page.get_incident(mid)
    assert [u.status for u in found.updates] == ["completed", "in_progress", "scheduled"]


async def test_a_missed_window_starts_and_completes_in_one_tick(
    page: Service, clock: FakeClock
) -> None:
    await schedule(page, clock)
    clock.advance(hours=5)
    assert [t.status for t in await page.tick()] == [
        MaintenanceStatus.IN_PROGRESS,
        MaintenanceStatus.COMPLETED,
    ]


async def test_no_auto_start_and_no_auto_complete_leave_it_to_a_person(
    page: Service, clock: FakeClock
) -> None:
    mid = await schedule(page, clock, auto_start=False, auto_complete=False)
    clock.advance(hours=5)
    assert await page.tick() == []
    await page.transition_maintenance(mid, MaintenanceStatus.IN_PROGRESS)
    clock.advance(hours=1)
    assert await page.tick() == []
    assert (await page.get_incident(mid)).status == "in_progress"


async def test_cancelling_in_progress_is_refused_and_completing_early_too(
    page: Service, clock: FakeClock
) -> None:
    mid = await schedule(page, clock)
    with pytest.raises(Conflict, match="cannot complete before it starts"):
        await page.transition_maintenance(mid, MaintenanceStatus.COMPLETED)
    await page.transition_maintenance(mid, MaintenanceStatus.IN_PROGRESS)
    with pytest.raises(Conflict, match="cannot be cancelled"):
        await page.transition_maintenance(mid, MaintenanceStatus.CANCELLED)
    assert (await page.get_incident(mid)).status == "in_progress"


async def test_cancelling_a_scheduled_maintenance_ends_it(page: Service, clock: FakeClock) -> None:
    mid = await schedule(page, clock)
    cancelled = await page.transition_maintenance(
        mid, MaintenanceStatus.CANCELLED, message="Postponed."
    )
    assert cancelled.status == "cancelled" and cancelled.updates[0].body == "Postponed."
    clock.advance(hours=2)
    assert await page.tick() == []


async def test_completing_maintenance_keeps_an_open_incident_s_status(
    page: Service, clock: FakeClock
) -> None:
    mid = await schedule(page, clock)
    clock.advance(hours=1)
    await page.tick()
    await page.declare_incident(
        "DB slow", message="m", impact="major", components=[("Database", None)]
    )
    await page.transition_maintenance(mid, MaintenanceStatus.COMPLETED)
    assert await status_of(page, "Database") == "partial_outage"


async def test_resolving_an_incident_during_maintenance_returns_to_maintenance(
    page: Service, clock: FakeClock
) -> None:
    await schedule(page, clock)
    clock.advance(hours=1)
    await page.tick()
    incident = await page.declare_incident(
        "DB slow", message="m", impact="major", components=[("Database", None)]
    )
    await page.resolve_incident(incident.id)
    assert await status_of(page, "Database") == "under_maintenance"


async def test_a_window_that_ends_before_it_starts_or_in_the_past_is_refused(
    page: Service, clock: FakeClock
) -> None:
    now = clock.current
    with pytest.raises(InvalidInput, match="must be after the start"):
        await page.schedule_maintenance(
            "x", start=now + timedelta(hours=2), end=now + timedelta(hours=1), components=["API"]
        )
    with pytest.raises(InvalidInput, match="ends in the past"):
        await page.schedule_maintenance(
            "x", start=now - timedelta(hours=2), end=now - timedelta(hours=1), components=["API"]
        )
    assert await page.list_incidents(kind=None) == []


async def test_maintenance_commands_refuse_incidents_and_vice_versa(
    page: Service, clock: FakeClock
) -> None:
    mid = await schedule(page, clock)
    incident = await page.declare_incident("x", message="m", impact="minor")
    with pytest.raises(InvalidInput, match="is an incident"):
        await page.transition_maintenance(incident.id, MaintenanceStatus.IN_PROGRESS)
    with pytest.raises(InvalidInput, match="is a maintenance"):
        await page.update_incident(mid, message="m")
