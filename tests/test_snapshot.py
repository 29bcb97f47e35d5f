"""The snapshot reader: one read transaction, rereading only what changed."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from statuspage.model import ComponentStatus
from statuspage.service import Service
from statuspage.site.snapshot import SnapshotReader
from tests.conftest import FakeClock


async def test_a_snapshot_holds_the_page_components_and_incidents_newest_first(
    svc: Service, clock: FakeClock
) -> None:
    await svc.add_component("API")
    first = await svc.declare_incident(
        "One", message="a", impact="minor", components=[("API", None)]
    )
    clock.advance(minutes=5)
    second = await svc.declare_incident("Two", message="b", impact="major")
    snap = await SnapshotReader(svc.store, clock).read()
    assert snap.page.name == "Acme" and [c.name for c in snap.components] == ["API"]
    assert [i.id for i in snap.incidents] == [second.id, first.id]
    assert snap.status.indicator == "major"
    assert snap.revision == await svc.store.revision()
    assert snap.taken_at == clock.current


async def test_only_changed_incidents_are_read_again(svc: Service, clock: FakeClock) -> None:
    await svc.add_component("API")
    first = await svc.declare_incident(
        "One", message="a", impact="minor", components=[("API", None)]
    )
    second = await svc.declare_incident("Two", message="b", impact="minor")
    reader = SnapshotReader(svc.store, clock)
    before = await reader.read()
    clock.advance(minutes=1)
    await svc.update_incident(second.id, message="c", status="identified")
    after = await reader.read()
    old = {i.id: i for i in before.incidents}
    new = {i.id: i for i in after.incidents}
    assert new[first.id] is old[first.id]
    assert new[second.id].status == "identified" and len(new[second.id].updates) == 2
    assert after.versions[second.id] != before.versions[second.id]


async def test_an_edited_update_body_is_noticed(svc: Service, clock: FakeClock) -> None:
    incident = await svc.declare_incident("One", message="typo", impact="minor")
    reader = SnapshotReader(svc.store, clock)
    await reader.read()
    clock.advance(minutes=1)
    async with svc.store.write() as q:
        update = incident.updates[0]
        await q.save_update(replace(update, body="fixed", updated_at=clock.current))
    snap = await reader.read()
    assert snap.incidents[0].updates[0].body == "fixed"


async def test_a_deleted_incident_disappears(svc: Service, clock: FakeClock) -> None:
    gone = await svc.declare_incident("Gone", message="a", impact="minor")
    kept = await svc.declare_incident("Kept", message="b", impact="minor")
    reader = SnapshotReader(svc.store, clock)
    await reader.read()
    async with svc.store.write() as q:
        await q.delete_incident(gone.id)
    snap = await reader.read()
    assert [i.id for i in snap.incidents] == [kept.id]
    assert gone.id not in snap.versions


async def test_status_changes_are_read_incrementally_and_reset_on_deletion(
    svc: Service, clock: FakeClock
) -> None:
    api = await svc.add_component("API")
    db = await svc.add_component("DB")
    reader = SnapshotReader(svc.store, clock)
    first = await reader.read()
    assert [c.new_status for c in first.changes[api.id]] == [ComponentStatus.OPERATIONAL]
    clock.advance(minutes=1)
    await svc.set_component_status("API", "major_outage")
    second = await reader.read()
    assert [c.new_status for c in second.changes[api.id]][-1] is ComponentStatus.MAJOR_OUTAGE
    assert second.changes[db.id] is first.changes[db.id]  # untouched: the same tuple
    await svc.remove_component("DB")
    third = await reader.read()
    assert db.id not in third.changes and len(third.changes[api.id]) == 2


async def test_backfilled_incidents_become_uptime_overlays(svc: Service, clock: FakeClock) -> None:
    api = await svc.add_component("API")
    reader = SnapshotReader(svc.store, clock)
    await reader.read()
    await svc.backfill_incident(
        "Past", impact="critical", components=[("API", None)],
        started=clock.current - timedelta(hours=3), resolved=clock.current - timedelta(hours=2),
        message="Done.",
    )  # fmt: skip
    (overlay,) = (await reader.read()).overlays[api.id]
    assert overlay.status is ComponentStatus.MAJOR_OUTAGE
    assert overlay.end - overlay.start == timedelta(hours=1)


async def test_the_next_deadline_is_the_next_maintenance_boundary(
    svc: Service, clock: FakeClock
) -> None:
    await svc.add_component("DB")
    start = clock.current + timedelta(hours=2)
    await svc.schedule_maintenance(
        "Upgrade", start=start, end=start + timedelta(hours=1), components=["DB"]
    )
    snap = await SnapshotReader(svc.store, clock).read()
    assert snap.next_deadline() == start
    assert [m.name for m in snap.upcoming_maintenance] == ["Upgrade"]
