"""The use cases for texts in other languages that the CLI and the Manage API share:
maintenance with translations, translating an update later, the page's settings together."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from statuspage.errors import InvalidInput, NotFound
from statuspage.model import MaintenanceStatus, translated
from statuspage.service import Service
from tests.conftest import FakeClock, dump


@pytest.fixture
async def page(svc: Service) -> Service:
    await svc.add_component("Database")
    return svc


async def schedule(svc: Service, clock: FakeClock, **extra: object) -> str:
    start = clock.current + timedelta(hours=1)
    created = await svc.schedule_maintenance(
        "DB upgrade",
        start=start,
        end=start + timedelta(hours=2),
        components=["Database"],
        message="Writes may be delayed.",
        **extra,  # type: ignore[arg-type]
    )
    return created.id


async def test_maintenance_stores_its_name_and_messages_in_other_languages(
    page: Service, clock: FakeClock
) -> None:
    window = await schedule(
        page,
        clock,
        translations={"ru": "Возможны задержки записи."},
        title_translations={"zh": "数据库升级"},
    )
    await page.transition_maintenance(window, MaintenanceStatus.IN_PROGRESS)
    await page.transition_maintenance(
        window, MaintenanceStatus.COMPLETED, message="Done.", translations={"zh-CN": "已完成。"}
    )
    found = await page.get_incident(window)
    completed, started, scheduled = found.updates
    assert translated(found.translations, "name", "zh-Hans") == "数据库升级"
    assert translated(scheduled.translations, "body", "ru") == "Возможны задержки записи."
    assert started.translations == ()
    assert translated(completed.translations, "body", "zh-Hans") == "已完成。"


@pytest.mark.parametrize(
    "extra",
    [
        {"translations": {"en": "Same language."}},
        {"translations": {"xx": "?"}},
        {"title_translations": {"ru": "   "}},
        {"translations": {"zh": "甲", "zh-Hans": "乙"}},
    ],
)
async def test_a_refused_maintenance_translation_stores_nothing(
    page: Service, clock: FakeClock, db_path: Path, extra: dict[str, object]
) -> None:
    before = dump(db_path)
    with pytest.raises(InvalidInput):
        await schedule(page, clock, **extra)
    assert dump(db_path) == before


async def test_a_refused_transition_translation_leaves_the_window_as_it_was(
    page: Service, clock: FakeClock, db_path: Path
) -> None:
    window = await schedule(page, clock)
    before = dump(db_path)
    with pytest.raises(InvalidInput, match="page's own language"):
        await page.transition_maintenance(
            window, MaintenanceStatus.CANCELLED, message="Off.", translations={"en": "Off."}
        )
    assert dump(db_path) == before
    assert (await page.get_incident(window)).status == "scheduled"


async def test_translate_update_defaults_to_the_latest_and_checks_the_incident(
    page: Service,
) -> None:
    declared = await page.declare_incident("Errors", message="Looking.", impact="minor")
    updated = await page.update_incident(declared.id, message="Found.")
    latest = await page.translate_update(declared.id, None, "ru-RU", "Нашли.")
    assert latest == updated.updates[0].id
    other = await page.declare_incident("Other", message="Other.", impact="minor")
    with pytest.raises(NotFound, match="has no update"):
        await page.translate_update(other.id, latest, "ru", "?")
    cleared = await page.translate_update(declared.id, latest, "ru", None)
    assert cleared == latest
    assert (await page.get_incident(declared.id)).updates[0].translations == ()


async def test_edit_page_changes_settings_language_and_translations_at_once(
    page: Service, db_path: Path
) -> None:
    changed = await page.edit_page(
        name="Acme Status", language="zh", translations={"ru": {"name": "Статус Acme"}}
    )
    assert (changed.name, changed.language) == ("Acme Status", "zh-Hans")
    assert translated(changed.translations, "name", "ru") == "Статус Acme"
    before = dump(db_path)
    with pytest.raises(InvalidInput, match="zh-Hans is the page's own language"):
        await page.edit_page(name="New", translations={"zh": {"name": "新"}})
    assert dump(db_path) == before
