"""Hostile and edge-case bodies get one clear 4xx, store nothing, and agree with the document."""

from __future__ import annotations

import pytest

from statuspage.admin.body import json_depth
from tests.admin.conftest import Api
from tests.admin.test_openapi import document


def incident_count(api: Api) -> int:
    return len(api.ok("GET", "/incidents"))


def test_a_json_body_nested_100000_deep_is_refused_with_400(api: Api) -> None:
    deep = '{"incident": {"metadata": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    response = api.request(
        "POST", "/incidents", content=deep, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"error": "the body is nested 100002 levels deep; the limit is 64"}
    assert incident_count(api) == 0


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    assert json_depth('{"a": "[[[[{{{{", "b": ["x\\\\", "]\\"[["]}') == 2
    assert json_depth("[]") == 1 and json_depth('"[["') == 0


def test_a_body_nested_64_deep_is_parsed_normally(api: Api) -> None:
    metadata = '{"a": ' * 61 + "{}" + "}" * 61  # 64 levels with the body and "incident"
    body = '{"incident": {"name": "Deep", "metadata": ' + metadata + "}}"
    response = api.request(
        "POST", "/incidents", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("backfill_date", "0001-01-01"),
        ("backfill_date", "0001-01-01T00:00:00+05:00"),
        ("backfill_date", "9999-12-31T23:59:59Z"),
        ("backfill_date", "1969-12-31T23:59:59Z"),
        ("backfill_resolved_at", "9999-12-31T23:59:59-05:00"),
    ],
)
def test_an_out_of_range_backfill_time_is_refused_naming_the_field_and_range(
    api: Api, field: str, value: str
) -> None:
    body = {"incident": {"name": "Old", "backfilled": True, "body": "Was down.", field: value}}
    if field != "backfill_date":
        body["incident"]["backfill_date"] = "2026-01-01T00:00:00Z"
    response = api.request("POST", "/incidents", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert f"incident[{field}]" in error
    assert "from 1970-01-01T00:00:00Z to 2999-12-31T23:59:59Z" in error
    assert incident_count(api) == 0


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_an_out_of_range_maintenance_window_is_refused(api: Api, value: str) -> None:
    body = {"incident": {"name": "W", "scheduled_for": value, "scheduled_until": value}}
    response = api.request("POST", "/incidents", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error.startswith("incident[scheduled_for] must be")
    assert "from 1970-01-01T00:00:00Z to 2999-12-31T23:59:59Z" in error


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "20261123"])
def test_an_out_of_range_start_date_is_refused_and_the_component_kept(api: Api, value: str) -> None:
    response = api.request("PATCH", "/components/Web", json={"component": {"start_date": value}})
    assert response.status_code == 422
    assert "component[start_date] must be a day from 1970-01-01 to 2999-12-31" in response.text
    assert api.ok("GET", "/components/Web")["start_date"] is None


@pytest.mark.parametrize("start", ["0001-01-01", "9999"])
def test_an_uptime_range_outside_the_accepted_years_is_refused(api: Api, start: str) -> None:
    response = api.request("GET", f"/components/Web/uptime?start={start}")
    assert response.status_code == 422
    assert response.json()["error"].startswith("start must be a day from 1970-01-01")


def test_options_answers_204_with_the_path_s_own_methods(api: Api) -> None:
    upcoming = api.request("OPTIONS", "/incidents/upcoming", headers={"Authorization": ""})
    assert upcoming.status_code == 204 and upcoming.headers["allow"] == "GET, HEAD, OPTIONS"
    one = api.request("OPTIONS", "/incidents/abc")
    assert one.headers["allow"] == "DELETE, GET, HEAD, OPTIONS, PATCH, PUT"


def test_a_method_a_path_lacks_gets_405_with_allow_even_beside_a_parameter_path(
    api: Api,
) -> None:
    response = api.request("DELETE", "/incidents/upcoming")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"
    assert response.json() == {"error": "method DELETE not allowed"}


def test_component_ids_null_is_accepted_as_left_out(api: Api) -> None:
    subscriber = api.ok("POST", "/subscribers", 201, json={"subscriber": {"email": "a@b.test"}})
    edited = api.ok(
        "PATCH", f"/subscribers/{subscriber['id']}", json={"subscriber": {"component_ids": None}}
    )
    assert edited["all_components"] is True
    doc = document(api)
    post = doc["paths"]["/v1/pages/{page_id}/incidents"]["post"]["requestBody"]["content"]
    ids = post["application/json"]["schema"]["properties"]["incident"]["properties"]
    assert {"type": "null"} in ids["component_ids"]["anyOf"]


@pytest.mark.parametrize(
    "form",
    [
        "subscriber[component_ids][]=API&subscriber[component_ids][]=Web",
        "subscriber[component_ids]=API&subscriber[component_ids]=Web",
        "component_ids=API&component_ids=Web",
    ],
)
def test_repeated_form_keys_read_as_a_list(api: Api, form: str) -> None:
    subscriber = api.ok("POST", "/subscribers", 201, json={"subscriber": {"email": "a@b.test"}})
    edited = api.ok(
        "PATCH",
        f"/subscribers/{subscriber['id']}",
        content=form,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert sorted(edited["components"]) == sorted([api.id_of("API"), api.id_of("Web")])


def test_a_repeated_key_of_a_single_value_field_is_refused_naming_it(api: Api) -> None:
    response = api.request(
        "POST",
        "/incidents",
        content="incident[name]=a&incident[name]=b",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422
    assert response.json() == {"error": "incident[name] must be a string"}


def test_a_bulk_body_with_an_unknown_state_is_refused(api: Api) -> None:
    response = api.request(
        "POST", "/subscribers/unsubscribe", json={"state": "AAA", "subscribers": []}
    )
    assert response.status_code == 422
    assert response.json()["error"].startswith("state must be one of: active,")


@pytest.mark.parametrize(
    ("rest", "body", "error"),
    [
        ("/components", {"component": {"name": "   "}}, "component[name] must not be empty"),
        ("/subscribers/reactivate", {}, "subscribers is required"),
        ("/subscribers/import", {"csv": " "}, "csv must not be empty"),
    ],
)
def test_what_the_document_marks_required_or_non_blank_is_refused_with_the_field_named(
    api: Api, rest: str, body: dict[str, object], error: str
) -> None:
    response = api.request("POST", rest, json=body)
    assert response.status_code == 422 and response.json() == {"error": error}


def test_the_document_declares_required_fields_and_non_blank_names(api: Api) -> None:
    paths = document(api)["paths"]
    bulk = paths["/v1/pages/{page_id}/subscribers/unsubscribe"]["post"]["requestBody"]
    assert bulk["required"] is True
    assert bulk["content"]["application/json"]["schema"]["required"] == ["subscribers"]
    post = paths["/v1/pages/{page_id}/components"]["post"]["requestBody"]["content"]
    name = post["application/json"]["schema"]["properties"]["component"]["properties"]["name"]
    assert name["minLength"] == 1 and name["maxLength"] == 255 and "pattern" in name
    change = paths["/v1/pages/{page_id}/incidents/{incident_id}"]["patch"]["requestBody"]
    fields = change["content"]["application/json"]["schema"]["properties"]["incident"]
    assert "backfill_date" not in fields["properties"]
    always = fields["properties"]["auto_transition_to_maintenance_state"]
    assert always["enum"] == [True]
