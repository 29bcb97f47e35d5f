"""Manage API: the page, components and groups, driven with JSON and form bodies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.admin.conftest import Api
from tests.conftest import RunCli, dump


def test_get_pages_lists_our_one_page(api: Api) -> None:
    pages = api.ok("GET", "", scope="read")
    assert pages["id"] == api.page_id and pages["time_zone"] == "Europe/Berlin"
    listing = api.client.get(
        "/v1/pages", headers={"Authorization": f"OAuth {api.seeded.keys['read']}"}
    )
    assert [p["id"] for p in listing.json()] == [api.page_id]


def test_an_admin_key_changes_the_page_from_a_form(api: Api) -> None:
    changed = api.ok("PATCH", "", data={"page[name]": "Acme Status", "page[time_zone]": "UTC"})
    assert (changed["name"], changed["time_zone"]) == ("Acme Status", "UTC")
    refused = api.request("PATCH", "", json={"page": {"time_zone": "Mars/Base"}})
    assert refused.status_code == 422 and "unknown time zone 'Mars/Base'" in refused.json()["error"]


def test_a_component_is_created_from_a_bracket_form(api: Api) -> None:
    created = api.ok(
        "POST",
        "/components",
        201,
        data={
            "component[name]": "Search",
            "component[description]": "Full-text search",
            "component[status]": "degraded_performance",
            "component[group_id]": "Core",
            "component[showcase]": "false",
            "component[only_show_if_degraded]": "true",
            "component[start_date]": "2026-01-01",
        },
    )
    assert created["status"] == "degraded_performance" and created["showcase"] is False
    assert created["only_show_if_degraded"] is True and created["start_date"] == "2026-01-01"
    assert created["page_id"] == api.page_id and created["group"] is False
    group = api.ok("GET", "/component-groups")[0]
    assert created["group_id"] == group["id"] and created["id"] in group["components"]


def test_patching_a_status_is_the_cli_s_manual_change(api: Api, run_cli: RunCli) -> None:
    changed = api.ok(
        "PATCH", f"/components/{api.id_of('API')}", json={"component": {"status": "major_outage"}}
    )
    assert changed["status"] == "major_outage"
    assert "Major Outage" in run_cli("component", "list").output
    same = api.ok(
        "PUT", "/components/Web", json={"component": {"name": "Website", "description": None}}
    )
    assert (same["name"], same["description"]) == ("Website", None)


def test_fields_are_changed_without_touching_the_status(api: Api) -> None:
    before = api.ok("GET", f"/components/{api.id_of('API')}")
    after = api.ok(
        "PATCH",
        f"/components/{api.id_of('API')}",
        json={"component": {"group_id": None, "position": 9, "description": "v2"}},
    )
    assert after["group_id"] is None and after["position"] == 9 and after["description"] == "v2"
    assert after["status"] == before["status"] == "operational"


def test_components_are_listed_page_by_page(api: Api) -> None:
    everything = api.ok("GET", "/components")
    assert [c["name"] for c in everything] == ["API", "Web"]
    second = api.ok("GET", "/components", params={"page": 2, "per_page": 1})
    assert [c["name"] for c in second] == ["Web"]
    bad = api.request("GET", "/components", params={"per_page": 0})
    assert bad.status_code == 422 and "per_page must be between 1 and 1000" in bad.json()["error"]


def test_deleting_a_component_returns_it(api: Api) -> None:
    deleted = api.ok("DELETE", "/components/Web")
    assert deleted["name"] == "Web"
    assert api.request("GET", "/components/Web").status_code == 404


def test_groups_are_made_with_members_and_a_top_level_description(api: Api) -> None:
    created = api.ok(
        "POST",
        "/component-groups",
        201,
        data={
            "description": "Customer-facing",
            "component_group[name]": "Edge",
            "component_group[components][]": ["Web"],
        },
    )
    assert created["description"] == "Customer-facing"
    assert created["components"] == [api.id_of("Web")] and created["page_id"] == api.page_id
    moved = api.ok(
        "PATCH",
        f"/component-groups/{created['id']}",
        json={"component_group": {"components": ["API"], "name": "Edge network"}},
    )
    assert moved["components"] == [api.id_of("API")] and moved["name"] == "Edge network"
    web = api.ok("GET", "/components/Web")
    assert web["group_id"] is None


def test_deleting_a_group_keeps_its_components_unless_told_otherwise(api: Api) -> None:
    refused = api.request("DELETE", "/component-groups/Core", params={"ungroup": "false"})
    assert refused.status_code == 409 and "still holds API" in refused.json()["error"]
    deleted = api.ok("DELETE", "/component-groups/Core")
    assert deleted["name"] == "Core"
    assert api.ok("GET", "/components/API")["group_id"] is None


BAD = [
    (
        "POST",
        "/components",
        {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
        400,
        "not valid JSON",
    ),
    ("POST", "/components", {"json": ["a"]}, 400, "must be a JSON object"),
    ("POST", "/components", {"json": {"name": "x"}}, 422, "unknown field 'name'"),
    ("POST", "/components", {"json": {"component": "x"}}, 400, "'component' must be an object"),
    ("POST", "/components", {"json": {}}, 400, "needs a 'component' object"),
    (
        "POST",
        "/components",
        {"json": {"component": {"name": "X", "colour": 1}}},
        422,
        "unknown field component[colour]",
    ),
    (
        "POST",
        "/components",
        {"json": {"component": {"name": 5}}},
        422,
        "component[name] must be a string",
    ),
    ("POST", "/components", {"json": {"component": {"name": "API"}}}, 409, "already exists"),
    (
        "POST",
        "/components",
        {"json": {"component": {"name": "X", "status": "down"}}},
        422,
        "accepted values",
    ),
    (
        "POST",
        "/components",
        {"json": {"component": {"name": "X", "group_id": "Nope"}}},
        404,
        "unknown group 'Nope'",
    ),
    (
        "POST",
        "/components",
        {"data": {"component[showcase]": "maybe", "component[name]": "X"}},
        422,
        "must be true or false",
    ),
    (
        "POST",
        "/components",
        {"content": b"name=x", "headers": {"Content-Type": "text/plain"}},
        415,
        "application/json",
    ),
    (
        "PATCH",
        "/components/Nope",
        {"json": {"component": {"status": "operational"}}},
        404,
        "unknown component 'Nope'",
    ),
    (
        "PATCH",
        "/components/API",
        {"json": {"component": {"start_date": "soon"}}},
        422,
        "must be a day from 1970-01-01 to 2999-12-31",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "message"), BAD, ids=[b[4][:30] for b in BAD]
)
def test_rejected_input_gets_a_clear_error_and_stores_nothing(
    api: Api, db_path: Path, method: str, path: str, kwargs: dict, status: int, message: str
) -> None:
    api.ok("GET", "")  # the key's first use is stamped; nothing after that may change
    before = dump(db_path)
    response = api.request(method, path, **kwargs)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]
    assert dump(db_path) == before


def test_auto_hands_a_status_set_by_hand_back_to_automation(api: Api, run_cli: RunCli) -> None:
    """`component set API auto --server` is this PATCH: the API takes `auto`, says so in its
    refusals and in its document, and only where it means something (not on a new component)."""
    path = f"/components/{api.id_of('API')}"
    api.ok("PATCH", path, json={"component": {"status": "major_outage"}})
    held = json.loads(run_cli("automation", "show", "--json").output)["held_by_hand"]
    assert [h["component"] for h in held] == ["API"]
    handed_back = api.ok("PATCH", path, json={"component": {"status": "auto"}})
    assert handed_back["status"] == "operational"  # no alert, incident or maintenance asks
    assert json.loads(run_cli("automation", "show", "--json").output)["held_by_hand"] == []
    refused = api.request("PATCH", path, json={"component": {"status": "sideways"}})
    assert refused.status_code == 422
    assert refused.json()["error"].endswith("under_maintenance, auto"), refused.json()
    created = api.request(
        "POST", "/components", json={"component": {"name": "X", "status": "auto"}}
    )
    assert created.status_code == 422
    assert created.json()["error"].endswith("major_outage, under_maintenance"), created.json()
    doc = api.client.get("/v1/openapi.json").json()["paths"]["/v1/pages/{page_id}/components"]
    item = api.client.get("/v1/openapi.json").json()["paths"][
        "/v1/pages/{page_id}/components/{component_id}"
    ]

    def status_schema(op: dict[str, Any]) -> dict[str, Any]:
        schema = op["requestBody"]["content"]["application/json"]["schema"]
        found: dict[str, Any] = schema["properties"]["component"]["properties"]["status"]
        return found

    assert status_schema(item["patch"])["enum"][-1] == "auto"
    assert "automation" in status_schema(item["patch"])["description"]
    assert "auto" not in status_schema(doc["post"])["enum"]
