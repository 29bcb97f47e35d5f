"""Manage API and remote CLI: texts in other languages (`translations`, ours) on the page,
components, groups, incidents, maintenance and updates; refusals store nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from statuspage.model import translated
from tests.admin.conftest import Api, Run
from tests.conftest import dump
from tests.test_cli_translations import incident_in, read


def create(api: Api, **incident: Any) -> dict[str, Any]:
    body = {"name": "API errors", "body": "Investigating.", "component_ids": ["API"], **incident}
    created: dict[str, Any] = api.ok("POST", "/incidents", 201, json={"incident": body})
    return created


def test_an_incident_is_created_and_updated_with_translations(api: Api, db_path: Path) -> None:
    created = create(
        api,
        translations={
            "ru": {"name": "Ошибки API", "body": "Выясняем."},
            "zh-CN": {"body": "我们正在调查。"},
        },
    )
    assert created["translations"] == {"ru": {"name": "Ошибки API"}}
    assert created["incident_updates"][0]["translations"] == {
        "ru": {"body": "Выясняем."},
        "zh-Hans": {"body": "我们正在调查。"},
    }
    changed = api.ok(
        "PATCH",
        f"/incidents/{created['id']}",
        json={
            "incident": {
                "status": "identified",
                "body": "Found it.",
                "translations": {"ru": {"body": "Нашли.", "name": None}},
            }
        },
    )
    assert changed["translations"] == {}
    assert changed["incident_updates"][0]["translations"] == {"ru": {"body": "Нашли."}}
    found = incident_in(db_path, created["id"])
    assert translated(found.updates[0].translations, "body", "ru") == "Нашли."
    assert translated(found.updates[1].translations, "body", "zh-Hans") == "我们正在调查。"
    assert found.translations == ()


def test_a_form_body_carries_translations_too(api: Api, db_path: Path) -> None:
    created = api.ok(
        "POST",
        "/incidents",
        201,
        data={
            "incident[name]": "Errors",
            "incident[body]": "Looking.",
            "incident[impact_override]": "minor",
            "incident[translations][ru][body]": "Смотрим.",
        },
    )
    update = incident_in(db_path, created["id"]).updates[0]
    assert translated(update.translations, "body", "ru") == "Смотрим."


def settled(api: Api, db_path: Path) -> list[str]:
    """The database once the admin key has been used (its last use is recorded once)."""
    api.ok("GET", "")
    return dump(db_path)


@pytest.mark.parametrize(
    ("translations", "error"),
    [
        ({"xx": {"body": "?"}}, "incident[translations][xx]: unknown language 'xx'; choose one of"),
        ({"zh": {"body": "甲"}, "zh-CN": {"body": "乙"}},
         "incident[translations][zh-CN]: the zh-Hans translation is given twice"),
        ({"ru": {"title": "?"}}, "unknown field incident[translations][ru][title]"),
        ({"ru": {}}, "incident[translations][ru] must be an object of name, body"),
        ({"ru": "Текст"}, "incident[translations][ru] must be an object of name, body"),
        ({"ru": {"body": 3}}, "incident[translations][ru][body] must be a string"),
        ({"ru": {"body": "  "}}, "incident[translations][ru][body] must not be empty"),
        ({"ru": {"name": "x" * 256}}, "incident[translations][ru][name] is 256 characters long"),
        ({"en": {"body": "Same."}}, "incident[translations]: en is the page's own language"),
        ({"ru": {"body": None}}, "the body translation (ru) is null"),
        (["ru"], "incident[translations] must map languages to texts"),
    ],
)  # fmt: skip
def test_bad_translations_are_refused_naming_the_field_and_nothing_is_stored(
    api: Api, db_path: Path, translations: Any, error: str
) -> None:
    before = settled(api, db_path)
    response = api.request(
        "POST",
        "/incidents",
        json={"incident": {"name": "X", "body": "Y.", "translations": translations}},
    )
    assert response.status_code == 422, response.text
    assert error in response.json()["error"]
    assert dump(db_path) == before


def test_a_body_translation_needs_an_update_to_translate(api: Api, db_path: Path) -> None:
    created = create(api)
    before = dump(db_path)
    response = api.request(
        "PATCH",
        f"/incidents/{created['id']}",
        json={"incident": {"name": "Renamed", "translations": {"ru": {"body": "Текст"}}}},
    )
    assert response.status_code == 422
    assert "incident[translations][ru][body] translates the update" in response.json()["error"]
    assert dump(db_path) == before


def test_an_update_is_translated_after_the_fact_and_a_translation_removed(
    api: Api, db_path: Path
) -> None:
    created = create(api)
    update_id = created["incident_updates"][0]["id"]
    path = f"/incidents/{created['id']}/incident_updates/{update_id}"
    edited = api.ok(
        "PATCH", path, json={"incident_update": {"translations": {"ru": {"body": "Да"}}}}
    )
    assert edited["translations"] == {"ru": {"body": "Да"}}
    assert translated(incident_in(db_path, created["id"]).updates[0].translations, "body", "ru")
    removed = api.ok(
        "PUT", path, json={"incident_update": {"translations": {"ru": {"body": None}}}}
    )
    assert removed["translations"] == {}
    assert incident_in(db_path, created["id"]).updates[0].translations == ()


def test_maintenance_is_scheduled_and_moved_on_with_translations(api: Api, db_path: Path) -> None:
    created = api.ok(
        "POST",
        "/incidents",
        201,
        json={
            "incident": {
                "name": "DB upgrade",
                "body": "Writes may be delayed.",
                "scheduled_for": "2030-03-11T02:00:00Z",
                "scheduled_until": "2030-03-11T03:00:00Z",
                "component_ids": ["API"],
                "translations": {"ru": {"name": "Обновление БД", "body": "Возможны задержки."}},
            }
        },
    )
    assert created["translations"] == {"ru": {"name": "Обновление БД"}}
    cancelled = api.ok(
        "PATCH",
        f"/incidents/{created['id']}",
        json={
            "incident": {
                "status": "cancelled",
                "body": "Postponed.",
                "translations": {"zh-Hans": {"body": "已推迟。"}},
            }
        },
    )
    assert cancelled["incident_updates"][0]["translations"] == {"zh-Hans": {"body": "已推迟。"}}
    found = incident_in(db_path, created["id"])
    assert translated(found.updates[1].translations, "body", "ru") == "Возможны задержки."
    assert translated(found.translations, "name", "ru") == "Обновление БД"


def test_components_and_groups_take_and_show_translations(api: Api, db_path: Path) -> None:
    created = api.ok(
        "POST",
        "/components",
        201,
        json={"component": {"name": "Search", "translations": {"ru": {"name": "Поиск"}}}},
    )
    assert created["translations"] == {"ru": {"name": "Поиск"}}
    edited = api.ok(
        "PATCH",
        "/components/Search",
        json={
            "component": {"translations": {"ru": {"name": None, "description": "Полнотекстовый"}}}
        },
    )
    assert edited["translations"] == {"ru": {"description": "Полнотекстовый"}}
    listed = api.ok("GET", "/components", scope="read")
    assert (
        next(c for c in listed if c["name"] == "Search")["translations"] == edited["translations"]
    )
    group = api.ok(
        "PATCH",
        "/component-groups/Core",
        json={"component_group": {"translations": {"zh": {"name": "核心"}}}},
    )
    assert group["translations"] == {"zh-Hans": {"name": "核心"}}
    groups = read(db_path, lambda svc: svc.list_groups())
    assert translated(groups[0].translations, "name", "zh-Hans") == "核心"
    before = settled(api, db_path)
    refused = api.request(
        "PATCH",
        "/components/Search",
        json={"component": {"name": "Find", "translations": {"ru": {"body": "?"}}}},
    )
    assert refused.status_code == 422
    assert "unknown field component[translations][ru][body]" in refused.json()["error"]
    assert dump(db_path) == before


def test_the_page_language_and_name_translations_are_set_together(api: Api, db_path: Path) -> None:
    changed = api.ok(
        "PATCH",
        "",
        json={"page": {"language": "ru-RU", "translations": {"en": {"name": "Acme Status"}}}},
    )
    assert changed["language"] == "ru"
    assert changed["translations"] == {"en": {"name": "Acme Status"}}
    stored = read(db_path, lambda svc: svc.page())
    assert stored.language == "ru" and translated(stored.translations, "name", "en")
    before = dump(db_path)
    refused = api.request(
        "PATCH", "", json={"page": {"name": "New", "translations": {"ru": {"name": "Статус"}}}}
    )
    assert refused.status_code == 422
    assert "page[translations]: ru is the page's own language" in refused.json()["error"]
    unknown = api.request("PATCH", "", json={"page": {"language": "tlh"}})
    assert unknown.status_code == 422 and "unknown language 'tlh'" in unknown.json()["error"]
    assert dump(db_path) == before


def test_the_openapi_document_describes_translations_as_ours(api: Api) -> None:
    doc = api.client.get("/v1/openapi.json").json()
    paths = doc["paths"]

    def fields(path: str, method: str, wrapper: str) -> dict[str, Any]:
        content = paths[path][method]["requestBody"]["content"]["application/json"]
        found: dict[str, Any] = content["schema"]["properties"][wrapper]["properties"]
        return found

    incident = fields("/v1/pages/{page_id}/incidents", "post", "incident")["translations"]
    assert incident["description"].startswith("Ours:")
    entry = incident["additionalProperties"]
    assert set(entry["properties"]) == {"name", "body"} and entry["additionalProperties"] is False
    component = fields("/v1/pages/{page_id}/components", "post", "component")["translations"]
    assert set(component["additionalProperties"]["properties"]) == {"name", "description"}
    page = fields("/v1/pages/{page_id}", "patch", "page")
    assert page["language"]["description"].startswith("Ours:") and "translations" in page
    update = "/v1/pages/{page_id}/incidents/{incident_id}/incident_updates/{incident_update_id}"
    assert "translations" in fields(update, "patch", "incident_update")
    schemas = doc["components"]["schemas"]
    for name in ("Page", "Component", "ComponentGroup", "Incident", "IncidentUpdate"):
        assert "translations" in schemas[name]["required"], name


def test_the_remote_cli_writes_translations_on_the_server(
    remote: Run, server_db: Path, tmp_path: Path
) -> None:
    assert remote("component", "add", "API").exit_code == 0
    assert remote("page", "set", "--language", "en").exit_code == 0
    file = tmp_path / "zh.yaml"
    file.write_text("zh:\n  message: 我们正在调查。\n  title: 接口错误\n", encoding="utf-8")
    declared = remote(
        "incident", "declare", "API errors", "--impact", "major", "--component", "API",
        "-m", "Investigating.", "--translation", "ru=Выясняем.", "--translations", str(file),
        "--json",
    )  # fmt: skip
    assert declared.exit_code == 0, declared.output + declared.stderr
    incident_id = json.loads(declared.output)["id"]
    assert json.loads(declared.output)["translations"] == {"zh-Hans": {"name": "接口错误"}}
    updated = remote(
        "incident", "update", incident_id, "-m", "Found.", "--translation", "ru=Нашли."
    )
    assert updated.exit_code == 0 and "· languages: en (original), ru; missing zh-Hans" in (
        updated.output
    )
    renamed = remote("incident", "translate", incident_id, "ru", "--name", "Ошибки API")
    assert renamed.exit_code == 0, renamed.output + renamed.stderr
    later = remote("incident", "translate", incident_id, "zh-CN", "-m", "已找到。")
    assert later.exit_code == 0, later.output + later.stderr
    assert remote("component", "translate", "API", "ru", "--name", "Интерфейс").exit_code == 0
    assert remote("group", "add", "Core").exit_code == 0
    assert remote("group", "translate", "Core", "ru", "--name", "Основное").exit_code == 0
    assert remote("page", "translate", "ru", "--name", "Статус Acme").exit_code == 0
    shown = remote("component", "show", "API")
    assert "  ru  name: Интерфейс" in shown.output
    schedule = remote(
        "maintenance", "schedule", "Upgrade", "--start", "+1h", "--end", "+2h",
        "--component", "API", "-m", "Short pause.", "--title-translation", "ru=Обновление",
        "--translation", "ru=Короткая пауза.", "--json",
    )  # fmt: skip
    assert schedule.exit_code == 0, schedule.output + schedule.stderr
    window = json.loads(schedule.output)["id"]
    bad = remote("incident", "update", incident_id, "-m", "x", "--translation", "en=x")
    assert bad.exit_code == 2 and "en is the page's own language" in bad.stderr
    found = incident_in(server_db, incident_id)
    assert translated(found.translations, "name", "ru") == "Ошибки API"
    assert translated(found.translations, "name", "zh-Hans") == "接口错误"
    assert translated(found.updates[1].translations, "body", "zh-Hans") == "我们正在调查。"
    assert translated(found.updates[0].translations, "body", "zh-Hans") == "已找到。"
    assert translated(found.updates[0].translations, "body", "ru") == "Нашли."
    assert len(found.updates) == 2
    planned = incident_in(server_db, window)
    assert translated(planned.translations, "name", "ru") == "Обновление"
    assert translated(planned.updates[0].translations, "body", "ru") == "Короткая пауза."
    component = read(server_db, lambda svc: svc.get_component("API"))
    assert translated(component.translations, "name", "ru") == "Интерфейс"
    page = read(server_db, lambda svc: svc.page())
    assert translated(page.translations, "name", "ru") == "Статус Acme"
    assert page.language == "en"


def test_the_remote_cli_sets_the_page_language(remote: Run, server_db: Path) -> None:
    result = remote("page", "set", "--language", "zh")
    assert result.exit_code == 0, result.output + result.stderr
    assert "language zh-Hans." in result.output
    assert read(server_db, lambda svc: svc.page()).language == "zh-Hans"
    assert "Language:  zh-Hans (简体中文)" in remote("page", "show").output
