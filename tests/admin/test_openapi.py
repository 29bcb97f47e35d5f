"""The OpenAPI document matches the implementation: routes, request fields, response shapes."""

from __future__ import annotations

import os
from typing import Any

import httpx
import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from statuspage import admin
from statuspage.admin import openapi
from statuspage.admin.operations import OPERATIONS
from tests.admin.conftest import Api, Live

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Operations whose schema-valid requests may still be refused, by rules no JSON Schema states:
# a URL that must be absolute, an IANA zone, a language babel knows, an address that must
# be deliverable, a CSV's header, a range within the component's history, a state machine;
# `translations` name languages the page ships (and not its own: a setting of the page).
REFUSES_VALID = {
    "POST /v1/pages/{page_id}/components",
    "PATCH /v1/pages/{page_id}/components/{component_id}",
    "PUT /v1/pages/{page_id}/components/{component_id}",
    "POST /v1/pages/{page_id}/component-groups",
    "PATCH /v1/pages/{page_id}/component-groups/{component_group_id}",
    "PUT /v1/pages/{page_id}/component-groups/{component_group_id}",
    "PATCH /v1/pages/{page_id}/incidents/{incident_id}/incident_updates/{incident_update_id}",
    "PUT /v1/pages/{page_id}/incidents/{incident_id}/incident_updates/{incident_update_id}",
    "PATCH /v1/pages/{page_id}",
    "PUT /v1/pages/{page_id}",
    "POST /v1/pages/{page_id}/incidents",
    "PATCH /v1/pages/{page_id}/incidents/{incident_id}",
    "PUT /v1/pages/{page_id}/incidents/{incident_id}",
    "PUT /v1/pages/{page_id}/incidents/{incident_id}/postmortem",
    "PUT /v1/pages/{page_id}/incidents/{incident_id}/postmortem/publish",
    "POST /v1/pages/{page_id}/subscribers",
    "PATCH /v1/pages/{page_id}/subscribers/{subscriber_id}",
    "POST /v1/pages/{page_id}/subscribers/import",
    "GET /v1/pages/{page_id}/components/{component_id}/uptime",
    "GET /v1/pages/{page_id}/reports/comms",  # since: a real day, in the past, at most 100 years
}
LITERALS = {part for op in OPERATIONS for part in op.path.split("/") if part and "{" not in part}
# A quick, repeatable run by default; STATUSPAGE_FUZZ=200 runs a longer, random one.
EXAMPLES = int(os.environ.get("STATUSPAGE_FUZZ", "12"))
RANDOM = "STATUSPAGE_FUZZ" in os.environ


def document(api: Api) -> dict[str, Any]:
    response = api.client.get("/v1/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_the_document_lists_exactly_the_routed_operations(api: Api) -> None:
    doc = document(api)
    listed = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    routed = {(op.method, "/v1" + op.path) for op in OPERATIONS}
    assert listed == routed and len(listed) == 50
    paths = {getattr(r, "path", None) for r in admin.routes}
    assert paths >= {"/v1" + op.path for op in OPERATIONS}
    assert sum("/subscribers" in p for p, ops in doc["paths"].items() for _ in ops) == 11


def validator(doc: dict[str, Any], name: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(
        {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
    )


def test_real_responses_match_the_documented_shapes(api: Api) -> None:
    doc = document(api)
    created = api.ok(
        "POST",
        "/incidents",
        201,
        json={
            "incident": {
                "name": "Errors",
                "components": {"API": "major_outage"},
                "metadata": {"a": {"b": 1}},
            }
        },
    )
    incident = api.ok(
        "PATCH", f"/incidents/{created['id']}", json={"incident": {"status": "resolved"}}
    )
    maintenance = api.ok(
        "POST",
        "/incidents",
        201,
        json={
            "incident": {
                "name": "Window",
                "scheduled_for": "2026-03-11T02:00:00Z",
                "scheduled_until": "2026-03-11T03:00:00Z",
                "component_ids": ["Web"],
            }
        },
    )
    postmortem = api.ok(
        "PUT",
        f"/incidents/{created['id']}/postmortem",
        json={"postmortem": {"body_draft": "Why.", "publish": True}},
    )
    template = api.ok(
        "POST",
        "/incident_templates",
        201,
        json={"template": {"name": "T", "title": "T", "body": "B", "component_ids": ["API"]}},
    )
    subscriber = api.ok(
        "POST", "/subscribers", 201, json={"subscriber": {"email": "ann@example.com"}}
    )
    texter = api.ok(
        "POST",
        "/subscribers",
        201,
        data={
            "subscriber[phone_number]": "415 555 0123",
            "subscriber[phone_country]": "US",
            "subscriber[component_ids][]": "API",
            "subscriber[skip_confirmation_notification]": "true",
        },
    )
    imported = api.ok("POST", "/subscribers/import", json={"csv": "channel,address\nx,y\n"})
    samples = {
        "Subscriber": [subscriber, texter],
        "SubscriberList": [api.ok("GET", "/subscribers?state=all")],
        "SubscriberCount": [api.ok("GET", "/subscribers/count")],
        "SubscriberImport": [imported],
        "SubscriberData": [api.ok("GET", f"/subscribers/{subscriber['id']}/data")],
        "Incident": [incident, maintenance],
        "IncidentList": [api.ok("GET", "/incidents")],
        "IncidentUpdate": incident["incident_updates"],
        "Postmortem": [postmortem],
        "IncidentTemplateList": [[template]],
        "ComponentList": [api.ok("GET", "/components")],
        "ComponentGroupList": [api.ok("GET", "/component-groups")],
        "Page": [api.ok("GET", "")],
        "Error": [api.request("GET", "/components/nope").json()],
    }
    for name, values in samples.items():
        for value in values:
            errors = [e.message for e in validator(doc, name).iter_errors(value)]
            assert errors == [], (name, errors)


def known_ids(live: Live) -> dict[str, list[str]]:
    """Real ids for the path parameters, so generated requests reach real objects."""
    headers = {"Authorization": f"OAuth {live.seeded.keys['admin']}"}
    base = f"{live.url}/v1/pages/{live.seeded.page_id}"
    with httpx.Client(headers=headers) as client:
        incident = client.post(f"{base}/incidents", json={"incident": {"name": "Open"}}).json()
        template = client.post(
            f"{base}/incident_templates",
            json={"template": {"name": "T", "title": "T", "body": "B"}},
        ).json()
        subscriber = client.post(
            f"{base}/subscribers", json={"subscriber": {"email": "fuzz@example.com"}}
        ).json()
    return {
        "page_id": [live.seeded.page_id],
        "component_id": [live.seeded.components["API"], "Web"],
        "component_group_id": ["Core"],
        "incident_id": [incident["id"]],
        "incident_update_id": [incident["incident_updates"][0]["id"]],
        "template_id": [template["id"]],
        "subscriber_id": [subscriber["id"], "fuzz@example.com"],
    }


def checks_for(case: Any, mode: GenerationMode) -> list[Any]:
    """The checks a generated case must pass: every response conforms; a valid request is
    accepted (where the schema states every rule); an invalid JSON body is refused.

    Form bodies are left out of the negative check: bracket-key forms are lossy (`a[b]=1`
    is both {"a": {"b": 1}} and {"a[b]": 1}; a string is a list of one), so a body the
    generator made invalid can arrive identical to a valid one.
    """
    checks = list(CHECKS)
    if mode is GenerationMode.POSITIVE and case.operation.label not in REFUSES_VALID:
        checks.append(positive_data_acceptance)
    if mode is GenerationMode.NEGATIVE and _negated_where_it_is_sent(case):
        checks.append(negative_data_rejection)
    return checks


def _negated_where_it_is_sent(case: Any) -> bool:
    """Whether the invalid part of a case reaches the server as generated: the run sends its
    own Authorization header and real ids in the path, and forms are left out (above)."""
    negated = {
        location
        for location, info in case.meta.components.items()
        if info.mode is GenerationMode.NEGATIVE
    }
    form = case.media_type not in (None, "application/json")
    return bool(negated) and not negated & {"header", "path"} and not (form and "body" in negated)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_get_documented_answers_and_invalid_ones_are_refused(
    live: Live, mode: GenerationMode
) -> None:
    schema = schemathesis.openapi.from_url(f"{live.url}/v1/openapi.json")
    ids = known_ids(live)
    headers = {"Authorization": f"OAuth {live.seeded.keys['admin']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(OPERATIONS)
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=not RANDOM,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any, data: st.DataObject) -> None:
            for name, value in (case.path_parameters or {}).items():
                case.path_parameters[name] = data.draw(st.sampled_from([*ids[name], value]))
                # An id spelled like a literal sibling (incidents/scheduled) names that path.
                assume(case.path_parameters[name] not in LITERALS)
            case.call_and_validate(
                base_url=live.url, headers=headers, checks=checks_for(case, mode)
            )

        run()


@pytest.mark.parametrize("media", ["application/json", "application/x-www-form-urlencoded"])
def test_request_bodies_are_documented_for_json_and_forms(api: Api, media: str) -> None:
    post = document(api)["paths"]["/v1/pages/{page_id}/incidents"]["post"]
    body = post["requestBody"]["content"][media]["schema"]
    fields = body["properties"]["incident"]["properties"]
    assert {"name", "components", "component_ids", "scheduled_for", "backfilled"} <= set(fields)
    assert body["properties"]["incident"]["required"] == ["name"]


def _patterns(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return found + [p for value in node.values() for p in _patterns(value)]
    if isinstance(node, list):
        return [p for value in node for p in _patterns(value)]
    return []


def test_every_pattern_in_the_document_is_a_regex_validators_accept() -> None:
    patterns = set(_patterns(openapi.document(OPERATIONS)))
    assert patterns
    for pattern in patterns:  # a pattern a validator refuses is silently not checked
        jsonschema_rs.validator_for({"type": "string", "pattern": pattern})


def test_the_document_says_text_holds_no_control_characters() -> None:
    paths = openapi.document(OPERATIONS)["paths"]
    body = paths["/v1/pages/{page_id}/components"]["post"]["requestBody"]["content"]
    name = body["application/json"]["schema"]["properties"]["component"]["properties"]["name"]
    valid = jsonschema_rs.validator_for(name).is_valid
    assert valid("API") and valid("Europe · 欧洲")
    assert not valid("\x1b[31mAPI") and not valid("   ") and not valid("A\x00")
