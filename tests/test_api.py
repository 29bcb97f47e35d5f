"""The public Statuspage v2 JSON API: every endpoint, every field, CORS."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from statuspage.model import MaintenanceStatus
from statuspage.service import Service
from tests.conftest import FakeClock
from tests.site_helpers import client, seed

PAGE_KEYS = {"id", "name", "url", "time_zone", "updated_at"}
COMPONENT_KEYS = {
    "id", "name", "status", "created_at", "updated_at", "position", "description", "showcase",
    "start_date", "group_id", "page_id", "group", "only_show_if_degraded",
}  # fmt: skip
INCIDENT_KEYS = {
    "id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at", "impact",
    "shortlink", "started_at", "page_id", "incident_updates", "components", "reminder_intervals",
}  # fmt: skip
UPDATE_KEYS = {
    "id", "status", "body", "incident_id", "created_at", "updated_at", "display_at",
    "affected_components", "deliver_notifications", "custom_tweet", "tweet_id",
}  # fmt: skip
COMPONENT_STATUSES = {
    "operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance",
}  # fmt: skip


async def _page(svc: Service, clock: FakeClock) -> dict[str, str]:
    await svc.add_group("Core")
    await svc.add_component("API", group="Core", description="REST API")
    await svc.add_component("Web", group="Core")
    await svc.add_component("CDN")
    clock.advance(hours=1)
    old = await svc.declare_incident(
        "Old outage", message="Down.", impact="critical", components=[("CDN", None)]
    )
    clock.advance(minutes=30)
    await svc.resolve_incident(old.id, message="Fixed.")
    clock.advance(hours=1)
    now = svc.now()
    active = await svc.schedule_maintenance(
        "DB upgrade", start=now + timedelta(minutes=5), end=now + timedelta(hours=2),
        components=["Web"],
    )  # fmt: skip
    upcoming = await svc.schedule_maintenance(
        "Cert rotation", start=now + timedelta(days=2), end=now + timedelta(days=2, hours=1),
        components=["CDN"],
    )  # fmt: skip
    cancelled = await svc.schedule_maintenance(
        "Never mind", start=now + timedelta(days=3), end=now + timedelta(days=3, hours=1),
        components=["CDN"],
    )  # fmt: skip
    await svc.transition_maintenance(cancelled.id, MaintenanceStatus.CANCELLED)
    clock.advance(minutes=10)
    await svc.tick()
    incident = await svc.declare_incident(
        "API errors", message="We are **investigating**.", impact="major",
        components=[("API", "partial_outage")],
    )  # fmt: skip
    clock.advance(minutes=5)
    await svc.update_incident(incident.id, message="Found it.", status="identified")
    return {
        "open": incident.id, "old": old.id, "active": active.id,
        "upcoming": upcoming.id, "cancelled": cancelled.id,
    }  # fmt: skip


@pytest.fixture
def site(db_path: Path, clock: FakeClock) -> Any:
    ids = seed(db_path, clock, lambda svc: _page(svc, clock))
    with client(db_path, clock) as c:
        yield c, ids


def get(c: TestClient, path: str) -> Any:
    response = c.get(path)
    assert response.status_code == 200, path
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    return response.json()


def test_summary_has_page_status_components_unresolved_incidents_and_open_maintenance(
    site: Any,
) -> None:
    c, ids = site
    body = get(c, "/api/v2/summary.json")
    assert set(body) == {"page", "status", "components", "incidents", "scheduled_maintenances"}
    assert set(body["page"]) == PAGE_KEYS
    assert body["page"]["time_zone"] == "Europe/Berlin"
    assert body["page"]["url"] == "https://status.acme.test"
    assert body["status"] == {"indicator": "major", "description": "Partial System Outage"}
    assert [i["id"] for i in body["incidents"]] == [ids["open"]]
    assert [m["id"] for m in body["scheduled_maintenances"]] == [ids["active"], ids["upcoming"]]


def test_every_component_has_exactly_the_statuspage_fields(site: Any) -> None:
    c, _ = site
    components = get(c, "/api/v2/components.json")["components"]
    assert [x["name"] for x in components] == ["Core", "API", "Web", "CDN"]
    for component in components:
        expected = COMPONENT_KEYS | ({"components"} if component["group"] else set())
        assert set(component) == expected
        assert component["status"] in COMPONENT_STATUSES
        assert isinstance(component["position"], int)
        assert isinstance(component["showcase"], bool)
    group, api, web, cdn = components
    assert group["group"] is True and group["components"] == [api["id"], web["id"]]
    assert group["status"] == "partial_outage"  # the worst of its members
    assert api["group_id"] == group["id"] and cdn["group_id"] is None
    assert api["description"] == "REST API" and cdn["description"] is None
    assert web["status"] == "under_maintenance"


def test_incidents_have_exactly_the_statuspage_fields_and_updates_newest_first(
    site: Any,
) -> None:
    c, ids = site
    incidents = get(c, "/api/v2/incidents.json")["incidents"]
    assert [i["id"] for i in incidents] == [ids["open"], ids["old"]]  # no maintenance
    current = incidents[0]
    assert set(current) == INCIDENT_KEYS
    assert current["status"] == "identified" and current["impact"] == "major"
    assert current["shortlink"] == f"https://status.acme.test/incidents/{ids['open']}"
    assert current["resolved_at"] is None and current["page_id"]
    assert [u["status"] for u in current["incident_updates"]] == ["identified", "investigating"]
    first = current["incident_updates"][-1]
    assert set(first) == UPDATE_KEYS
    assert first["body"] == "We are **investigating**."
    assert first["affected_components"] == [
        {
            "code": current["components"][0]["id"],
            "name": "API",
            "old_status": "operational",
            "new_status": "partial_outage",
        }
    ]
    assert current["incident_updates"][0]["affected_components"] is None
    assert [x["name"] for x in current["components"]] == ["API"]
    assert set(current["components"][0]) == COMPONENT_KEYS
    assert incidents[1]["status"] == "resolved" and incidents[1]["resolved_at"].endswith("Z")


def test_unresolved_lists_only_open_incidents(site: Any) -> None:
    c, ids = site
    body = get(c, "/api/v2/incidents/unresolved.json")
    assert set(body) == {"page", "incidents"}
    assert [i["id"] for i in body["incidents"]] == [ids["open"]]


def test_maintenance_lists_add_the_window_and_show_cancelled_as_completed(site: Any) -> None:
    c, ids = site
    everything = get(c, "/api/v2/scheduled-maintenances.json")["scheduled_maintenances"]
    by_id = {m["id"]: m for m in everything}
    assert set(by_id) == {ids["active"], ids["upcoming"], ids["cancelled"]}
    for m in everything:
        assert set(m) == INCIDENT_KEYS | {"scheduled_for", "scheduled_until"}
        assert m["impact"] == "maintenance"
        assert m["status"] in {"scheduled", "in_progress", "verifying", "completed"}
    assert by_id[ids["cancelled"]]["status"] == "completed"
    upcoming = get(c, "/api/v2/scheduled-maintenances/upcoming.json")
    assert [m["id"] for m in upcoming["scheduled_maintenances"]] == [ids["upcoming"]]
    active = get(c, "/api/v2/scheduled-maintenances/active.json")
    assert [m["id"] for m in active["scheduled_maintenances"]] == [ids["active"]]
    assert active["scheduled_maintenances"][0]["status"] == "in_progress"


def test_status_json_has_page_and_status_only(site: Any) -> None:
    c, _ = site
    body = get(c, "/api/v2/status.json")
    assert set(body) == {"page", "status"}
    assert body["status"]["indicator"] in {"none", "minor", "major", "critical", "maintenance"}


def test_timestamps_are_iso_8601_in_utc(site: Any) -> None:
    c, _ = site
    body = get(c, "/api/v2/summary.json")
    stamps = [body["page"]["updated_at"], *(x["created_at"] for x in body["components"])]
    assert all(s.endswith("Z") and "T" in s for s in stamps)


def test_the_incidents_list_holds_the_50_most_recent(db_path: Path, clock: FakeClock) -> None:
    async def many(svc: Service) -> None:
        await svc.add_component("API")
        for n in range(55):
            clock.advance(minutes=1)
            await svc.backfill_incident(
                f"Past {n}", impact="minor", components=[("API", None)],
                started=svc.now() - timedelta(seconds=30), resolved=svc.now(), message="Done.",
            )  # fmt: skip

    seed(db_path, clock, many)
    with client(db_path, clock) as c:
        names = [i["name"] for i in get(c, "/api/v2/incidents.json")["incidents"]]
    assert len(names) == 50 and names[0] == "Past 54" and names[-1] == "Past 5"


def test_a_cors_preflight_is_answered(site: Any) -> None:
    c, _ = site
    response = c.options(
        "/api/v2/summary.json",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "GET" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-allow-headers"] == "if-none-match"


def test_an_unknown_api_path_is_a_json_404_with_cors(site: Any) -> None:
    c, _ = site
    response = c.get("/api/v2/nothing.json")
    assert response.status_code == 404
    assert response.json()["error"] == "not found"
    assert response.headers["access-control-allow-origin"] == "*"
