"""Writing text in several languages from the CLI: options, files, translate commands,
the page's language, and what is stored (read back through the service)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from statuspage.model import Incident, translated
from statuspage.resources import DEFAULT_PLAN
from statuspage.service import Service
from statuspage.storage import Store
from tests.conftest import RunCli, dump

T = TypeVar("T")


def read(db_path: Path, use: Callable[[Service], Awaitable[T]]) -> T:
    """Run one read on the database, as a fresh process would."""

    async def go() -> T:
        store = await Store.open(db_path)
        try:
            return await use(Service(store))
        finally:
            await store.close()

    return asyncio.run(go())


def incident_in(db_path: Path, incident_id: str) -> Incident:
    return read(db_path, lambda svc: svc.get_incident(incident_id))


@pytest.fixture
def page(run_cli: RunCli) -> RunCli:
    assert run_cli("component", "add", "API", "--description", "REST API").exit_code == 0
    assert run_cli("group", "add", "Core").exit_code == 0
    return run_cli


def declare(run: RunCli, *extra: str) -> str:
    result = run(
        "incident", "declare", "API errors", "--impact", "major", "--component", "API",
        "-m", "Investigating.", "--json", *extra,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return str(json.loads(result.output)["id"])


def write(tmp_path: Path, text: str, name: str = "tr.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_declaring_with_options_and_a_file_stores_every_language(
    page: RunCli, db_path: Path, tmp_path: Path
) -> None:
    file = write(tmp_path, "zh:\n  message: 我们正在调查。\n  title: 接口错误\n")
    incident_id = declare(
        page,
        "--translation", "ru-RU=Мы выясняем причину.",
        "--title-translation", "ru=Ошибки API",
        "--translations", file,
    )  # fmt: skip
    found = incident_in(db_path, incident_id)
    first = found.updates[0]
    assert translated(first.translations, "body", "ru") == "Мы выясняем причину."
    assert translated(first.translations, "body", "zh-Hans") == "我们正在调查。"
    assert translated(found.translations, "name", "ru") == "Ошибки API"
    assert translated(found.translations, "name", "zh-Hans") == "接口错误"
    shown = page("incident", "show", incident_id)
    assert "  ru: Ошибки API" in shown.output
    assert "· languages: en (original), ru, zh-Hans" in shown.output
    as_json = json.loads(page("incident", "show", incident_id, "--json").output)
    assert as_json["translations"]["zh-Hans"] == {"name": "接口错误"}
    assert as_json["incident_updates"][0]["translations"]["ru"] == {"body": "Мы выясняем причину."}


def test_a_file_entry_may_be_just_the_message_and_updates_take_it(
    page: RunCli, db_path: Path, tmp_path: Path
) -> None:
    incident_id = declare(page)
    file = write(tmp_path, "ru: Причина найдена.\nzh-Hans: 已找到原因。\n")
    result = page("incident", "update", incident_id, "-m", "Found it.", "--translations", file)
    assert result.exit_code == 0, result.output
    assert "· languages: en (original), ru, zh-Hans" in result.output
    resolved = page(
        "incident", "resolve", incident_id, "-m", "Fixed.", "--translation", "zh-CN=已修复。"
    )
    assert resolved.exit_code == 0, resolved.output
    latest, middle, first = incident_in(db_path, incident_id).updates
    assert translated(middle.translations, "body", "ru") == "Причина найдена."
    assert translated(latest.translations, "body", "zh-Hans") == "已修复。"
    assert latest.translations == tuple(t for t in latest.translations if t.language == "zh-Hans")
    assert first.translations == ()
    assert "· languages: en (original), zh-Hans; missing ru" in resolved.output


@pytest.mark.parametrize(
    ("args", "file", "error"),
    [
        (("--translation", "xx=Text"), None,
         "--translation xx=...: unknown language 'xx'; choose one of en, ru, zh-Hans"),
        (("--translation", "ru"), None, "--translation takes LANG=TEXT"),
        (("--translation", "zh=甲", "--translation", "zh-CN=乙"), None,
         "the zh-Hans message translation is given twice: --translation zh=... and "
         "--translation zh-CN=..."),
        (("--translation", "ru=А"), "ru-RU: Б\n",
         "the ru message translation is given twice: --translation ru=... and tr.yaml, line 1"),
        ((), "ru: А\nzh: 甲\nru: Б\n",
         "the ru message translation is given twice: tr.yaml, line 1 and tr.yaml, line 3"),
        ((), "ru:\n  message: А\n  body: Б\n",
         "tr.yaml, line 3: unknown key 'body'; an entry takes message, title"),
        ((), "klingon: Qapla'\n", "tr.yaml, line 1: unknown language 'klingon'"),
        ((), "ru:\n", "tr.yaml, line 1: expected the message as text"),
        ((), "- ru\n", "tr.yaml, line 1: expected entries like ru:"),
        ((), "ru: [a\n", "tr.yaml, line 2: not valid YAML"),
        ((), "", "tr.yaml is empty"),
        (("--translation", "en=Same"), None, "en is the page's own language"),
        (("--translation", "ru=   "), None, "message translation (ru)"),
    ],
)  # fmt: skip
def test_bad_translations_are_refused_clearly_and_nothing_is_stored(
    page: RunCli,
    db_path: Path,
    tmp_path: Path,
    args: tuple[str, ...],
    file: str | None,
    error: str,
) -> None:
    before = dump(db_path)
    extra = ("--translations", write(tmp_path, file)) if file is not None else ()
    result = page(
        "incident", "declare", "X", "--impact", "minor", "--component", "API", "-m", "Text.",
        *args, *extra,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert error in result.stderr
    assert dump(db_path) == before


def test_a_title_in_the_file_is_refused_where_no_title_is_posted(
    page: RunCli, db_path: Path, tmp_path: Path
) -> None:
    incident_id = declare(page)
    before = dump(db_path)
    file = write(tmp_path, "ru:\n  title: Заголовок\n")
    result = page("incident", "update", incident_id, "-m", "More.", "--translations", file)
    assert result.exit_code == 2
    assert "tr.yaml, line 2: only `incident declare` and `maintenance schedule` take a title" in (
        result.stderr
    )
    assert dump(db_path) == before


def test_the_pages_own_language_follows_page_set_language(page: RunCli, db_path: Path) -> None:
    result = page("page", "set", "--language", "ru-RU")
    assert result.exit_code == 0, result.output
    assert "language ru." in result.output
    assert read(db_path, lambda svc: svc.page()).language == "ru"
    assert "Language:  ru (Русский)" in page("page", "show").output
    assert json.loads(page("page", "show", "--json").output)["language"] == "ru"
    before = dump(db_path)
    refused = page(
        "incident", "declare", "Сбой", "--impact", "minor", "-m", "Выясняем.",
        "--translation", "ru=Выясняем.",
    )  # fmt: skip
    assert refused.exit_code == 2
    assert "--translation ru=...: ru is the page's own language" in refused.stderr
    assert dump(db_path) == before
    english = declare(page, "--translation", "en=We are looking into it.")
    found = incident_in(db_path, english)
    assert translated(found.updates[0].translations, "body", "en") == "We are looking into it."


def test_page_set_language_refuses_an_unknown_language_naming_the_choices(
    page: RunCli, db_path: Path
) -> None:
    before = dump(db_path)
    result = page("page", "set", "--language", "tlh")
    assert result.exit_code == 2
    assert "--language: unknown language 'tlh'; choose one of en, ru, zh-Hans" in result.stderr
    assert dump(db_path) == before


def test_component_translate_sets_shows_and_clears(page: RunCli, db_path: Path) -> None:
    result = page(
        "component", "translate", "api", "zh", "--name", "接口", "--description", "REST 接口"
    )
    assert result.exit_code == 0, result.output
    assert "Translated component API into zh-Hans: name, description." in result.output
    assert page("component", "translate", "API", "ru", "--name", "API-сервис").exit_code == 0
    component = read(db_path, lambda svc: svc.get_component("API"))
    assert translated(component.translations, "description", "zh-Hans") == "REST 接口"
    assert translated(component.translations, "name", "ru") == "API-сервис"
    listed = page("component", "list").output
    assert "TRANSLATED" in listed and "ru, zh-Hans" in listed
    shown = page("component", "show", "API").output
    assert "  zh-Hans  description: REST 接口; name: 接口" in shown
    rows = json.loads(page("component", "list", "--json").output)
    api = next(row for row in rows if row["name"] == "API")
    assert api["translations"]["ru"] == {"name": "API-сервис"}
    cleared = page("component", "translate", "API", "zh-Hans", "--clear")
    assert cleared.exit_code == 0, cleared.output
    assert "Removed the zh-Hans translation of component API." in cleared.output
    component = read(db_path, lambda svc: svc.get_component("API"))
    assert {t.language for t in component.translations} == {"ru"}


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("API", "ru"), "give --name or --description (the text in that language), or --clear"),
        (("API", "ru", "--name", "X", "--clear"), "--clear removes the translation"),
        (("API", "en", "--name", "X"), "en is the page's own language"),
        (("API", "xx", "--name", "X"), "LANG: unknown language 'xx'"),
        (("Nope", "ru", "--name", "X"), "unknown component"),
        (("API", "ru", "--name", "\x1b[31m"), "component name"),
    ],
)
def test_component_translate_refuses_bad_input(
    page: RunCli, db_path: Path, args: tuple[str, ...], error: str
) -> None:
    before = dump(db_path)
    result = page("component", "translate", *args)
    assert result.exit_code == 2
    assert error in result.stderr
    assert dump(db_path) == before


def test_group_and_page_translate(page: RunCli, db_path: Path) -> None:
    result = page("group", "translate", "Core", "ru", "--name", "Основное")
    assert result.exit_code == 0, result.output
    groups = read(db_path, lambda svc: svc.list_groups())
    assert translated(groups[0].translations, "name", "ru") == "Основное"
    assert "TRANSLATED" in page("group", "list").output
    assert json.loads(page("group", "list", "--json").output)[0]["translations"] == {
        "ru": {"name": "Основное"}
    }
    result = page("page", "translate", "zh-Hans", "--name", "Acme 状态")
    assert result.exit_code == 0, result.output
    assert "Name in other languages:" in result.output
    assert translated(read(db_path, lambda svc: svc.page()).translations, "name", "zh-Hans") == (
        "Acme 状态"
    )
    assert page("page", "translate", "zh-Hans", "--clear").exit_code == 0
    assert read(db_path, lambda svc: svc.page()).translations == ()


def test_incident_translate_sets_the_name_and_an_earlier_update(
    page: RunCli, db_path: Path
) -> None:
    incident_id = declare(page)
    first = incident_in(db_path, incident_id).updates[0].id
    assert page("incident", "update", incident_id, "-m", "Found it.").exit_code == 0
    result = page(
        "incident", "translate", incident_id, "ru", "--name", "Ошибки API",
        "-m", "Выясняем.", "--update", first,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    latest_only = page("incident", "translate", incident_id, "zh", "-m", "已找到原因。")
    assert latest_only.exit_code == 0, latest_only.output
    found = incident_in(db_path, incident_id)
    latest, earliest = found.updates
    assert translated(found.translations, "name", "ru") == "Ошибки API"
    assert translated(earliest.translations, "body", "ru") == "Выясняем."
    assert translated(latest.translations, "body", "zh-Hans") == "已找到原因。"
    assert translated(latest.translations, "body", "ru") is None
    missing = page("incident", "translate", incident_id, "ru", "-m", "X", "--update", "nope")
    assert missing.exit_code == 2 and "has no update 'nope'" in missing.stderr
    cleared = page("incident", "translate", incident_id, "ru", "--clear", "--update", first)
    assert cleared.exit_code == 0, cleared.output
    found = incident_in(db_path, incident_id)
    assert found.translations == () and found.updates[1].translations == ()


def test_maintenance_takes_translations_when_scheduled_and_completed(
    page: RunCli, db_path: Path, tmp_path: Path
) -> None:
    file = write(tmp_path, "ru:\n  message: Запись может задерживаться.\n  title: Обновление\n")
    result = page(
        "maintenance", "schedule", "DB upgrade", "--start", "+1h", "--end", "+2h",
        "--component", "API", "-m", "Writes may be delayed.", "--translations", file,
        "--title-translation", "zh=数据库升级", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    window = json.loads(result.output)["id"]
    assert page("maintenance", "start", window).exit_code == 0
    done = page(
        "maintenance", "complete", window, "-m", "Done.", "--translation", "zh-Hans=已完成。"
    )
    assert done.exit_code == 0, done.output
    found = incident_in(db_path, window)
    assert translated(found.translations, "name", "ru") == "Обновление"
    assert translated(found.translations, "name", "zh-Hans") == "数据库升级"
    assert translated(found.updates[-1].translations, "body", "ru") == "Запись может задерживаться."
    assert translated(found.updates[0].translations, "body", "zh-Hans") == "已完成。"
    assert found.updates[1].translations == ()


def test_maintenance_translations_need_a_message_and_a_known_language(
    page: RunCli, db_path: Path
) -> None:
    result = page(
        "maintenance", "schedule", "W", "--start", "+1h", "--end", "+2h", "--component", "API",
        "--json",
    )  # fmt: skip
    window = json.loads(result.output)["id"]
    before = dump(db_path)
    bare = page("maintenance", "cancel", window, "--translation", "ru=Отменено.")
    assert bare.exit_code == 2
    assert "--translation translates --message: give --message too" in bare.stderr
    wrong = page("maintenance", "cancel", window, "-m", "Off.", "--translation", "de=Abgesagt.")
    assert wrong.exit_code == 2 and "unknown language 'de'" in wrong.stderr
    assert dump(db_path) == before


def test_dry_run_takes_translations_and_stores_nothing(
    page: RunCli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATUSPAGE_COMMS_PLAN", str(DEFAULT_PLAN))
    before = dump(db_path)
    result = page(
        "incident", "declare", "Login fails", "--severity", "SEV2", "-m", "Looking.",
        "--translation", "ru=Выясняем.", "--dry-run",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Nothing was stored or sent." in result.output
    assert dump(db_path) == before
    refused = page(
        "incident", "declare", "Login fails", "--severity", "SEV2", "-m", "Looking.",
        "--translation", "xx=?", "--dry-run",
    )  # fmt: skip
    assert refused.exit_code == 2 and "unknown language 'xx'" in refused.stderr


def test_the_audit_log_shows_translation_changes(page: RunCli) -> None:
    assert page("component", "translate", "API", "ru", "--name", "Интерфейс").exit_code == 0
    assert page("component", "translate", "API", "ru", "--name", "API-сервис").exit_code == 0
    assert page("component", "translate", "API", "ru", "--clear").exit_code == 0
    shown = page("audit", "--limit", "3").output
    entries = shown.split("\n\n")
    assert "component translate" in entries[0]
    assert "- translation ru of component" in entries[0] and "name 'API-сервис'" in entries[0]
    assert "'Интерфейс' → 'API-сервис'" in entries[1]
    assert "+ translation ru of component" in entries[2] and "name 'Интерфейс'" in entries[2]
    rows = json.loads(page("audit", "--limit", "1", "--json").output)[0]["changes"]
    removed = next(c for c in rows if c["table"] == "translations")
    assert removed["op"] == "delete" and removed["before"]["text"] == "API-сервис"


def test_a_translation_in_the_wrong_tone_is_warned_about_once(
    page: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATUSPAGE_COMMS_PLAN", str(DEFAULT_PLAN))
    result = page(
        "incident", "declare", "Login fails", "--severity", "SEV2", "-m", "We are looking.",
        "--translation", "ru=Исправим через 10 минут!!!", "--translation", "zh=我们正在调查。",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: tone")]
    assert warnings and all(line.startswith("warning: tone (ru):") for line in warnings)
    assert len(warnings) == len(set(warnings))
