"""Manage API: incidents, maintenance and backfills, through the CLI's own use cases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.admin.conftest import Api
from tests.conftest import FakeClock, RunCli, dump


def create(api: Api, **incident: Any) -> dict[str, Any]:
    result: dict[str, Any] = api.ok("POST", "/incidents", 201, json={"incident": incident})
    return result


def component_status(api: Api, name: str) -> str:
    return str(api.ok("GET", f"/components/{name}")["status"])


def test_a_form_with_a_components_map_declares_and_sets_statuses(api: Api) -> None:
    api_id = api.id_of("API")
    created = api.ok(
        "POST",
        "/incidents",
        201,
        data={
            "incident[name]": "Elevated API errors",
            "incident[status]": "identified",
            "incident[body]": "A bad deploy.",
            f"incident[components][{api_id}]": "partial_outage",
            "incident[component_ids][]": [api_id],
            "incident[metadata][jira][issue]": "OPS-1",
        },
    )
    assert created["status"] == "identified" and created["impact"] == "major"  # computed
    assert created["impact_override"] == "major" and created["metadata"] == {
        "jira": {"issue": "OPS-1"}
    }
    assert [c["id"] for c in created["components"]] == [api_id]
    update = created["incident_updates"][0]
    assert update["body"] == "A bad deploy." and update["affected_components"] == [
        {"code": api_id, "name": "API", "old_status": "operational", "new_status": "partial_outage"}
    ]
    assert component_status(api, "API") == "partial_outage"
    assert [(e.phase, e.deliver_notifications) for e in api.events] == [("declared", True)]


def test_an_impact_override_and_no_notifications_are_honoured(api: Api) -> None:
    created = create(
        api,
        name="Slow logins",
        impact_override="critical",
        components={"Web": "degraded_performance"},
        deliver_notifications=False,
    )
    assert created["impact"] == "critical"
    assert created["incident_updates"][0]["body"] == "We are currently investigating this issue."
    assert created["incident_updates"][0]["deliver_notifications"] is False
    assert [(e.phase, e.deliver_notifications) for e in api.events] == [("declared", False)]


def test_a_patch_with_a_status_or_body_posts_an_update_and_resolving_restores(api: Api) -> None:
    created = create(api, name="Errors", components={"API": "major_outage"}, body="Looking.")
    path = f"/incidents/{created['id']}"
    updated = api.ok("PATCH", path, json={"incident": {"status": "monitoring"}})
    assert updated["monitoring_at"] is not None
    assert updated["incident_updates"][0]["body"].startswith("A fix has been implemented")
    again = api.ok(
        "PATCH",
        path,
        json={
            "incident": {"body": "Still watching.", "components": {"API": "degraded_performance"}}
        },
    )
    top = again["incident_updates"][0]
    assert (top["status"], top["previous_status"], top["body"]) == (
        "monitoring",
        "monitoring",
        "Still watching.",
    )
    assert component_status(api, "API") == "degraded_performance"
    resolved = api.ok("PATCH", path, json={"incident": {"status": "resolved"}})
    assert resolved["status"] == "resolved" and resolved["resolved_at"] is not None
    assert resolved["incident_updates"][0]["body"] == "This incident has been resolved."
    assert component_status(api, "API") == "operational"
    assert [e.phase for e in api.events] == ["declared", "updated", "updated", "resolved"]


def test_a_patch_of_fields_only_posts_no_update(api: Api) -> None:
    created = create(api, name="Errors", body="Looking.")
    changed = api.ok(
        "PATCH",
        f"/incidents/{created['id']}",
        json={
            "incident": {
                "name": "API errors",
                "impact_override": "minor",
                "metadata": {"pd": {"id": "P1"}},
            }
        },
    )
    assert (changed["name"], changed["impact"], changed["metadata"]) == (
        "API errors",
        "minor",
        {"pd": {"id": "P1"}},
    )
    assert len(changed["incident_updates"]) == 1
    assert [e.phase for e in api.events] == ["declared"]


def test_an_incident_created_resolved_is_declared_then_resolved(api: Api) -> None:
    created = create(
        api,
        name="Blip",
        status="resolved",
        body="A short blip.",
        components={"Web": "partial_outage"},
    )
    assert created["status"] == "resolved"
    assert [u["status"] for u in created["incident_updates"]] == ["resolved", "investigating"]
    assert created["incident_updates"][0]["body"] == "A short blip."
    assert component_status(api, "Web") == "operational"


def test_a_scheduled_maintenance_maps_the_auto_flags_and_runs(
    api: Api, clock: FakeClock, run_cli: RunCli
) -> None:
    created = create(
        api,
        name="Database upgrade",
        scheduled_for="2026-03-11T02:00:00Z",
        scheduled_until="2026-03-11T04:00:00+00:00",
        component_ids=["API"],
        scheduled_auto_in_progress=True,
        scheduled_auto_completed=False,
    )
    assert (created["status"], created["impact"]) == ("scheduled", "maintenance")
    assert created["scheduled_for"] == "2026-03-11T02:00:00.000Z"
    assert (
        created["scheduled_auto_in_progress"] is True
        and created["scheduled_auto_completed"] is False
    )
    assert (
        created["incident_updates"][0]["body"] == "Maintenance is scheduled for the window shown."
    )
    path = f"/incidents/{created['id']}"
    started = api.ok(
        "PATCH", path, json={"incident": {"status": "in_progress", "body": "Starting now."}}
    )
    assert (
        started["status"] == "in_progress" and component_status(api, "API") == "under_maintenance"
    )
    done = api.ok("PATCH", path, json={"incident": {"status": "completed"}})
    assert done["status"] == "completed" and component_status(api, "API") == "operational"
    assert [e.phase for e in api.events] == [
        "maintenance_scheduled",
        "maintenance_started",
        "maintenance_completed",
    ]


def test_a_scheduled_maintenance_can_move_before_it_starts_and_be_cancelled(api: Api) -> None:
    created = create(
        api,
        name="Upgrade",
        scheduled_for="2026-03-11T02:00:00Z",
        scheduled_until="2026-03-11T03:00:00Z",
        component_ids=["API"],
    )
    path = f"/incidents/{created['id']}"
    moved = api.ok(
        "PATCH",
        path,
        json={
            "incident": {
                "scheduled_for": "2026-03-12T02:00:00Z",
                "scheduled_until": "2026-03-12T05:00:00Z",
                "component_ids": ["Web"],
            }
        },
    )
    assert moved["scheduled_until"] == "2026-03-12T05:00:00.000Z"
    assert [c["name"] for c in moved["components"]] == ["Web"]
    cancelled = api.ok("PATCH", path, json={"incident": {"status": "cancelled"}})
    assert cancelled["status"] == "completed" and cancelled["cancelled"] is True
    refused = api.request("PATCH", path, json={"incident": {"status": "in_progress"}})
    assert refused.status_code == 409 and "already cancelled" in refused.json()["error"]


def test_a_backfilled_incident_is_recorded_in_the_past_without_notifications(api: Api) -> None:
    created = create(
        api,
        name="Old outage",
        backfilled=True,
        backfill_date="2026-01-05T09:00:00Z",
        body="Logins failed for 45 minutes.",
    )
    assert created["backfilled"] is True and created["status"] == "resolved"
    assert created["started_at"] == "2026-01-05T09:00:00.000Z"
    assert created["resolved_at"] == "2026-01-05T09:00:01.000Z"
    assert api.events == []
    refused = api.request(
        "POST",
        "/incidents",
        json={
            "incident": {
                "name": "X",
                "backfilled": True,
                "backfill_date": "2026-01-05T09:00:00Z",
                "status": "investigating",
                "body": "b",
            }
        },
    )
    assert (
        refused.status_code == 422 and "neither a status nor scheduled_*" in refused.json()["error"]
    )


def test_an_incident_update_is_edited_without_sending_again(api: Api) -> None:
    created = create(api, name="Errors", body="Lookign into it.")
    update_id = created["incident_updates"][0]["id"]
    edited = api.ok(
        "PATCH",
        f"/incidents/{created['id']}/incident_updates/{update_id}",
        data={
            "incident_update[body]": "Looking into it.",
            "incident_update[display_at]": "2026-03-10T11:58:00Z",
            "incident_update[wants_twitter_update]": "false",
        },
    )
    assert (
        edited["body"] == "Looking into it." and edited["display_at"] == "2026-03-10T11:58:00.000Z"
    )
    assert [e.phase for e in api.events] == ["declared"]
    missing = api.request(
        "PUT",
        f"/incidents/{created['id']}/incident_updates/nope",
        json={"incident_update": {"body": "x"}},
    )
    assert missing.status_code == 404


def test_deleting_an_open_incident_releases_its_components(api: Api) -> None:
    created = create(api, name="Errors", components={"API": "major_outage"})
    assert api.request("DELETE", f"/incidents/{created['id']}", scope="write").status_code == 403
    deleted = api.ok("DELETE", f"/incidents/{created['id']}")
    assert deleted["id"] == created["id"]
    assert component_status(api, "API") == "operational"
    assert api.request("GET", f"/incidents/{created['id']}").status_code == 404


def test_the_postmortem_is_written_published_reverted_and_deleted(api: Api) -> None:
    created = create(api, name="Errors", components={"API": "major_outage"})
    path = f"/incidents/{created['id']}/postmortem"
    early = api.request("PUT", path, json={"postmortem": {"body_draft": "Too early."}})
    assert (
        early.status_code == 409
        and "written after the incident is resolved" in early.json()["error"]
    )
    api.ok("PATCH", f"/incidents/{created['id']}", json={"incident": {"status": "resolved"}})
    draft = api.ok("PUT", path, data={"postmortem[body_draft]": "## Root cause\nA bad deploy."})
    assert draft["body_draft"].startswith("## Root cause") and draft["published_at"] is None
    refused = api.request(
        "PUT", path + "/publish", json={"postmortem": {"notify_subscribers": False}}
    )
    assert refused.status_code == 422
    published = api.ok("PUT", path + "/publish", json={"postmortem": {"notify_twitter": False}})
    assert published["published_at"] is not None and published["body"] == draft["body_draft"]
    assert api.ok("GET", f"/incidents/{created['id']}")["status"] == "postmortem"
    assert api.request("DELETE", path).status_code == 409
    reverted = api.ok("PUT", path + "/revert")
    assert reverted["published_at"] is None
    assert api.ok("DELETE", path)["body_draft"] is None
    assert [e.phase for e in api.events] == ["declared", "resolved", "postmortem"]


def test_incident_templates_are_created_listed_and_deleted(api: Api) -> None:
    created = api.ok(
        "POST",
        "/incident_templates",
        201,
        data={
            "template[name]": "API down",
            "template[title]": "API unavailable",
            "template[body]": "We are investigating failures of the API.",
            "template[update_status]": "investigating",
            "template[component_ids][]": ["API"],
        },
    )
    assert [c["name"] for c in created["components"]] == ["API"]
    assert created["should_send_notifications"] is True
    assert [t["name"] for t in api.ok("GET", "/incident_templates", scope="read")] == ["API down"]
    assert api.ok("GET", f"/incident_templates/{created['id']}")["title"] == "API unavailable"
    assert api.ok("DELETE", "/incident_templates/API down")["id"] == created["id"]
    assert api.ok("GET", "/incident_templates") == []


def test_the_listings_filter_by_state_and_text(api: Api) -> None:
    open_one = create(api, name="Open one", body="Searching for the needle.")
    closed = create(api, name="Closed one", status="resolved")
    maintenance = create(
        api,
        name="Window",
        scheduled_for="2026-03-11T02:00:00Z",
        scheduled_until="2026-03-11T03:00:00Z",
    )

    def ids(rest: str, **params: Any) -> list[str]:
        return [i["id"] for i in api.ok("GET", rest, params=params)]

    assert ids("/incidents/unresolved") == [open_one["id"]]
    assert ids("/incidents/upcoming") == ids("/incidents/scheduled") == [maintenance["id"]]
    assert ids("/incidents/active_maintenance") == []
    assert set(ids("/incidents")) == {open_one["id"], closed["id"], maintenance["id"]}
    assert ids("/incidents", q="NEEDLE") == [open_one["id"]]
    assert ids("/incidents", kind="incident", open="true") == [open_one["id"]]
    assert len(ids("/incidents", limit=1, page=2)) == 1


BAD = [
    ({"incident": {"body": "no name"}}, 422, "incident[name] is required"),
    ({"incident": {"name": "X", "status": "postmortem"}}, 422, "takes a postmortem after"),
    (
        {"incident": {"name": "X", "components": {"Nope": "major_outage"}}},
        404,
        "unknown component 'Nope'",
    ),
    ({"incident": {"name": "X", "components": {"API": "down"}}}, 422, "accepted values"),
    ({"incident": {"name": "X", "metadata": {"a": 1}}}, 422, "object of objects"),
    ({"incident": {"name": "X", "scheduled_for": "2026-03-11T02:00:00Z"}}, 422, "together"),
    (
        {
            "incident": {
                "name": "X",
                "scheduled_for": "2026-03-11T04:00:00Z",
                "scheduled_until": "2026-03-11T02:00:00Z",
            }
        },
        422,
        "must be after the start",
    ),
    (
        {
            "incident": {
                "name": "X",
                "scheduled_for": "tomorrow",
                "scheduled_until": "2026-03-11T02:00:00Z",
            }
        },
        422,
        "ISO-8601",
    ),
    (
        {"incident": {"name": "X", "auto_transition_to_maintenance_state": False}},
        422,
        "not supported",
    ),
    (
        {"incident": {"name": "X", "scheduled_auto_in_progress": True}},
        422,
        "apply to scheduled maintenance",
    ),
    (
        {"incident": {"name": "X", "components": {"API": "major_outage"}, "metadata": {"a": "b"}}},
        422,
        "object of objects",
    ),
    ({"incident": {"name": "x" * 256}}, 422, "limit is 255"),
]


@pytest.mark.parametrize(("body", "status", "message"), BAD, ids=[b[2][:30] for b in BAD])
def test_a_rejected_incident_stores_nothing_and_sends_nothing(
    api: Api, db_path: Path, body: dict[str, Any], status: int, message: str
) -> None:
    api.ok("GET", "")
    before = dump(db_path)
    response = api.request("POST", "/incidents", json=body)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]
    assert dump(db_path) == before and api.events == []


def test_a_failing_update_undoes_the_rename_in_the_same_request(api: Api, db_path: Path) -> None:
    created = create(api, name="Errors")
    api.ok("PATCH", f"/incidents/{created['id']}", json={"incident": {"status": "resolved"}})
    before = dump(db_path)
    response = api.request(
        "PATCH",
        f"/incidents/{created['id']}",
        json={"incident": {"name": "Renamed", "body": "More."}},
    )
    assert response.status_code == 409 and "takes only a postmortem" in response.json()["error"]
    assert dump(db_path) == before
