from __future__ import annotations

from datetime import timedelta

import pytest

from statuspage.errors import Conflict, InvalidInput, NotFound
from statuspage.model import ChangeCause, ComponentStatus
from statuspage.service import Service
from tests.conftest import FakeClock


async def statuses(svc: Service) -> dict[str, ComponentStatus]:
    return {c.name: c.status for c in await svc.list_components()}


async def changes(svc: Service) -> list[tuple[str, str | None, str, str]]:
    names = {c.id: c.name for c in await svc.list_components()}
    async with svc.store.read() as q:
        found = await q.list_status_changes()
    return [
        (names[c.component_id], c.old_status, c.new_status, c.cause)
        for c in found
        if c.old_status is not None
    ]


@pytest.fixture
async def page(svc: Service) -> Service:
    await svc.add_group("Core")
    await svc.add_component("API", group="Core")
    await svc.add_component("Web", group="core")
    await svc.add_component("Search")
    return svc


async def test_declaring_sets_component_status_from_the_impact_unless_given(page: Service) -> None:
    incident = await page.declare_incident(
        "API errors",
        message="Investigating.",
        impact="major",
        components=[("API", None), ("Web", "degraded_performance")],
    )
    assert (await statuses(page)) == {
        "API": "partial_outage",
        "Web": "degraded_performance",
        "Search": "operational",
    }
    assert incident.status == "investigating" and incident.impact == "major"
    assert len(incident.updates) == 1
    assert [
        (a.name, a.old_status, a.new_status) for a in incident.updates[0].affected_components
    ] == [("API", "operational", "partial_outage"), ("Web", "operational", "degraded_performance")]


async def test_every_status_change_is_recorded_with_time_and_cause(
    page: Service, clock: FakeClock
) -> None:
    incident = await page.declare_incident(
        "x", message="m", impact="critical", components=[("API", None)]
    )
    clock.advance(minutes=5)
    await page.set_component_status("Search", "degraded_performance")
    async with page.store.read() as q:
        recorded = [c for c in await q.list_status_changes() if c.old_status is not None]
    assert [(c.new_status, c.cause, c.incident_id) for c in recorded] == [
        (ComponentStatus.MAJOR_OUTAGE, ChangeCause.INCIDENT, incident.id),
        (ComponentStatus.DEGRADED_PERFORMANCE, ChangeCause.MANUAL, None),
    ]
    assert recorded[1].at - recorded[0].at == clock.current - recorded[0].at


async def test_an_update_with_the_same_status_is_kept_and_labelled_update(page: Service) -> None:
    incident = await page.declare_incident("x", message="m", impact="minor", status="identified")
    incident = await page.update_incident(incident.id, message="still on it")
    assert [u.label for u in incident.updates] == ["Update", "Identified"]
    assert incident.status == "identified"


async def test_monitoring_time_is_recorded_once(page: Service, clock: FakeClock) -> None:
    incident = await page.declare_incident("x", message="m", impact="minor")
    clock.advance(minutes=10)
    first = await page.update_incident(incident.id, message="fix out", status="monitoring")
    clock.advance(minutes=10)
    again = await page.update_incident(incident.id, message="still fine", status="monitoring")
    assert first.monitoring_at == again.monitoring_at == clock.current.replace(minute=10)


async def test_resolving_sets_affected_components_operational(page: Service) -> None:
    incident = await page.declare_incident(
        "x", message="m", impact="major", components=[("API", None), ("Web", None)]
    )
    resolved = await page.resolve_incident(incident.id)
    assert resolved.status == "resolved" and resolved.resolved_at is not None
    assert resolved.updates[0].body == "This incident has been resolved."
    assert set((await statuses(page)).values()) == {"operational"}


async def test_resolving_keeps_what_the_component_option_says(page: Service) -> None:
    incident = await page.declare_incident(
        "x", message="m", impact="major", components=[("API", None)]
    )
    await page.resolve_incident(
        incident.id, message="done", components=[("API", "degraded_performance")]
    )
    assert (await statuses(page))["API"] == "degraded_performance"


async def test_an_update_can_bring_in_a_new_component(page: Service) -> None:
    incident = await page.declare_incident(
        "x", message="m", impact="minor", components=[("API", None)]
    )
    updated = await page.update_incident(
        incident.id, message="search too", components=[("Search", "partial_outage")]
    )
    assert set(updated.component_ids) == {
        c.id for c in await page.list_components() if c.name in ("API", "Search")
    }
    await page.resolve_incident(incident.id)
    assert (await statuses(page))["Search"] == "operational"


async def test_an_update_without_component_status_is_refused(page: Service) -> None:
    incident = await page.declare_incident("x", message="m", impact="minor")
    with pytest.raises(InvalidInput, match="as NAME=STATUS"):
        await page.update_incident(incident.id, message="m", components=[("API", None)])


async def test_update_with_status_resolved_resolves(page: Service) -> None:
    incident = await page.declare_incident(
        "x", message="m", impact="major", components=[("API", None)]
    )
    resolved = await page.update_incident(incident.id, message="fixed", status="resolved")
    assert resolved.status == "resolved"
    assert (await statuses(page))["API"] == "operational"


async def test_a_resolved_incident_refuses_updates(page: Service) -> None:
    incident = await page.declare_incident("x", message="m", impact="minor")
    await page.resolve_incident(incident.id)
    with pytest.raises(Conflict, match="takes only a postmortem"):
        await page.update_incident(incident.id, message="again")
    with pytest.raises(Conflict, match="takes only a postmortem"):
        await page.resolve_incident(incident.id)


async def test_a_postmortem_needs_a_resolved_incident_and_publishing_shows_it(
    page: Service,
) -> None:
    incident = await page.declare_incident("x", message="m", impact="minor")
    with pytest.raises(Conflict, match="after the incident is resolved"):
        await page.set_postmortem(incident.id, "# Why", publish=False)
    await page.resolve_incident(incident.id)
    draft = await page.set_postmortem(incident.id, "# Why", publish=False)
    assert draft.status == "resolved" and draft.postmortem_published_at is None
    published = await page.set_postmortem(incident.id, "# Why it broke", publish=True)
    assert published.status == "postmortem"
    assert published.postmortem_body == "# Why it broke"
    assert published.postmortem_published_at is not None


async def test_unknown_components_and_incidents_are_named(page: Service) -> None:
    with pytest.raises(NotFound, match="unknown component 'Nope'; known components: API, Web"):
        await page.declare_incident("x", message="m", impact="minor", components=[("Nope", None)])
    with pytest.raises(NotFound, match="unknown incident 'zzz'"):
        await page.update_incident("zzz", message="m")


async def test_declaring_refuses_a_bad_status_for_a_component_and_stores_nothing(
    page: Service,
) -> None:
    with pytest.raises(InvalidInput, match="accepted values"):
        await page.declare_incident(
            "x", message="m", impact="minor", components=[("API", "melted")]
        )
    assert await page.list_incidents() == []
    assert set((await statuses(page)).values()) == {"operational"}


async def test_backfill_records_a_past_resolved_incident(page: Service, clock: FakeClock) -> None:
    started, resolved = clock.advance(days=-3), clock.advance(hours=2)
    clock.advance(days=3)
    incident = await page.backfill_incident(
        "Old outage",
        impact="critical",
        components=[("API", None)],
        started=started,
        resolved=resolved,
        message="It happened.",
    )
    assert incident.backfilled and incident.status == "resolved"
    assert (incident.started_at, incident.resolved_at) == (started, resolved)
    async with page.store.read() as q:
        held = await q.incident_component_statuses(incident.id)
    assert list(held.values()) == [ComponentStatus.MAJOR_OUTAGE]
    assert (await statuses(page))["API"] == "operational"  # the present is untouched


async def test_backfill_refuses_an_end_before_the_start_or_in_the_future(
    page: Service, clock: FakeClock
) -> None:
    now = clock.current
    with pytest.raises(InvalidInput, match="must be after --started"):
        await page.backfill_incident(
            "x", impact="minor", components=[], started=now, resolved=now, message="m"
        )
    with pytest.raises(InvalidInput, match="in the future"):
        await page.backfill_incident(
            "x",
            impact="minor",
            components=[],
            started=now,
            resolved=now + timedelta(hours=1),
            message="m",
        )


async def test_changes_are_listed_in_order(page: Service) -> None:
    incident = await page.declare_incident(
        "x", message="m", impact="minor", components=[("API", None)]
    )
    await page.resolve_incident(incident.id)
    assert await changes(page) == [
        ("API", "operational", "degraded_performance", "incident"),
        ("API", "degraded_performance", "operational", "incident"),
    ]


async def test_a_milder_incident_never_lowers_what_a_worse_one_holds(page: Service) -> None:
    worse = await page.declare_incident(
        "Down", message="m", impact="critical", components=[("API", None)]
    )
    milder = await page.declare_incident(
        "Slow", message="m", impact="minor", components=[("API", None), ("Web", None)]
    )
    assert (await statuses(page))["API"] == "major_outage"
    assert (await statuses(page))["Web"] == "degraded_performance"
    assert milder.updates[0].affected_components[0].name == "Web"  # API did not change
    await page.resolve_incident(worse.id)
    assert (await statuses(page))["API"] == "degraded_performance"  # what the milder one holds
    await page.resolve_incident(milder.id)
    assert (await statuses(page))["API"] == "operational"


async def test_a_status_given_by_name_is_applied_as_given(page: Service) -> None:
    await page.declare_incident("Down", message="m", impact="critical", components=[("API", None)])
    await page.declare_incident(
        "Better", message="m", impact="minor", components=[("API", "degraded_performance")]
    )
    assert (await statuses(page))["API"] == "degraded_performance"
