"""The Manage API refuses control characters and lone surrogates in published text with 422."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.admin.conftest import Api
from tests.conftest import dump


def _post_raw(api: Api, method: str, rest: str, raw: str) -> tuple[int, dict[str, str]]:
    """Send `raw` as the JSON body as written: json= cannot carry a lone surrogate escape."""
    response = api.request(
        method, rest, content=raw.encode(), headers={"Content-Type": "application/json"}
    )
    return response.status_code, response.json()


CASES = [
    (
        "POST", "/incidents", r'{"incident": {"name": "API\ud800 down", "body": "Looking."}}',
        "incident[name] contains a lone surrogate (U+D800: text that is not valid UTF-8) "
        "at position 4",
    ),
    (
        "POST", "/incidents", r'{"incident": {"name": "API down", "body": "Look\u001bing."}}',
        "the message contains a control character (U+001B) at position 5",
    ),
    (
        "POST", "/components", r'{"component": {"name": "DB", "description": "\udfffx"}}',
        "component[description] contains a lone surrogate (U+DFFF: text that is not valid "
        "UTF-8) at position 1",
    ),
    (
        "POST", "/component-groups", r'{"component_group": {"name": "Edge\u0000"}}',
        "the group name contains a control character (U+0000) at position 5",
    ),
    (
        "PATCH", "", r'{"page": {"name": "Acme\u0085"}}',
        "the page name contains a control character (U+0085) at position 5",
    ),
    (
        "POST", "/incidents",
        r'{"incident": {"name": "Upgrade\u007f", "status": "scheduled",'
        r' "scheduled_for": "2026-03-20T10:00:00Z", "scheduled_until": "2026-03-20T11:00:00Z"}}',
        "the maintenance name contains a control character (U+007F) at position 8",
    ),
    (
        "POST", "/incidents",
        r'{"incident": {"name": "API down", "body": "x", "metadata": {"jira": {"k": "\ud83d"}}}}',
        "incident[metadata][jira][k] contains a lone surrogate (U+D83D: text that is not valid "
        "UTF-8) at position 1",
    ),
    (
        "POST", "/incident_templates",
        r'{"template": {"name": "Outage", "title": "API down", "body": "We\u0008re on it"}}',
        "the template body contains a control character (U+0008) at position 3",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("method", "rest", "raw", "message"), CASES)
def test_a_control_character_or_lone_surrogate_is_refused_by_the_manage_api(
    api: Api, db_path: Path, method: str, rest: str, raw: str, message: str
) -> None:
    api.ok("GET", "")  # the key's first use is stamped; nothing after that may change
    before = dump(db_path)
    status, body = _post_raw(api, method, rest, raw)
    assert status == 422, body
    assert body["error"] == message
    assert dump(db_path) == before and api.events == []


def test_an_incident_renamed_through_the_manage_api_with_a_lone_surrogate_is_refused(
    api: Api, db_path: Path
) -> None:
    created = api.ok("POST", "/incidents", 201, json={"incident": {"name": "API", "body": "x"}})
    before = dump(db_path)
    status, body = _post_raw(
        api, "PATCH", f"/incidents/{created['id']}", r'{"incident": {"name": "\udc80"}}'
    )
    assert status == 422
    assert body["error"].startswith("incident[name] contains a lone surrogate (U+DC80")
    assert dump(db_path) == before


SURROGATE_ANYWHERE = [
    (
        "POST", "/incidents", r'{"incident": {"name": "X", "components": {"\ud800": "minor"}}}',
        "a field name in incident[components] contains a lone surrogate",
    ),
    (
        "POST", "/incidents", r'{"incident": {"name": "X", "component_ids": ["API", "\ud800"]}}',
        "incident[component_ids][] contains a lone surrogate",
    ),
    (
        "POST", "/components", r'{"component": {"name": "X", "group_id": "\udbff"}}',
        "component[group_id] contains a lone surrogate",
    ),
    (
        "POST", "/component-groups",
        r'{"component_group": {"name": "G", "components": ["\ud800"]}}',
        "component_group[components][] contains a lone surrogate",
    ),
    (
        "POST", "/incidents", r'{"incident": {"name": "X", "\ud800": 1}}',
        "a field name in incident contains a lone surrogate",
    ),
    ("POST", "/incidents", r'{"\ud800": {}}', "a field name in the body contains a lone surrogate"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "rest", "raw", "message"), SURROGATE_ANYWHERE)
def test_a_lone_surrogate_anywhere_in_a_manage_api_body_is_a_422_naming_where(
    api: Api, db_path: Path, method: str, rest: str, raw: str, message: str
) -> None:
    api.ok("GET", "")
    before = dump(db_path)
    status, body = _post_raw(api, method, rest, raw)
    assert status == 422, body
    assert body["error"].startswith(message)
    assert dump(db_path) == before


def test_a_postmortem_with_a_control_character_is_refused_by_the_manage_api(
    api: Api, db_path: Path
) -> None:
    created = api.ok("POST", "/incidents", 201, json={"incident": {"name": "API", "body": "x"}})
    api.ok("PATCH", f"/incidents/{created['id']}", json={"incident": {"status": "resolved"}})
    before = dump(db_path)
    status, body = _post_raw(
        api,
        "PUT",
        f"/incidents/{created['id']}/postmortem",
        r'{"postmortem": {"body_draft": "Root cause\u001b[0m"}}',
    )
    assert status == 422
    assert body["error"] == "the postmortem contains a control character (U+001B) at position 11"
    assert dump(db_path) == before


def test_a_crlf_from_a_form_is_stored_as_a_newline(api: Api) -> None:
    created = api.ok(
        "POST",
        "/incidents",
        201,
        data={"incident[name]": "API", "incident[body]": "First line\r\nSecond line"},
    )
    assert created["incident_updates"][0]["body"] == "First line\nSecond line"
    assert json.dumps(created)  # the answer itself is valid JSON text
