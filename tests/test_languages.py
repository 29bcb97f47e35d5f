"""Languages: the shipped set, tags, Accept-Language negotiation, translations in storage."""

from __future__ import annotations

import pytest

from statuspage import languages
from statuspage.errors import InvalidField, InvalidInput, NotFound
from statuspage.model import TranslationSubject, translated
from statuspage.service import Service


def test_english_chinese_and_russian_ship_with_their_own_names() -> None:
    shipped = {lang.code: lang for lang in languages.shipped()}
    assert list(shipped) == ["en", "ru", "zh-Hans"]
    assert shipped["zh-Hans"].name == "简体中文" and shipped["zh-Hans"].locale == "zh_Hans"
    assert shipped["ru"].name == "Русский" and shipped["ru"].prefix == "/ru"
    assert shipped["en"].prefix == "/en"


@pytest.mark.parametrize(
    ("typed", "code"),
    [("zh", "zh-Hans"), ("zh-CN", "zh-Hans"), ("zh-hans-SG", "zh-Hans"), ("zh_Hans", "zh-Hans"),
     ("ru-RU", "ru"), ("RU", "ru"), ("en-GB", "en"), ("zh-TW", None), ("zh-Hant", None),
     ("de", None), ("", None), ("x" * 40, None), ("<script>", None)],
)  # fmt: skip
def test_tags_name_a_shipped_language_by_language_and_script(typed: str, code: str | None) -> None:
    assert languages.canonical(typed) == code


@pytest.mark.parametrize(
    ("header", "code"),
    [("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"), ("en;q=0.5, zh-CN;q=0.8", "zh-Hans"),
     ("de-DE,de;q=0.9", "en"), ("de, ru;q=0.1", "ru"), ("ru;q=0, en;q=0.1", "en"),
     ("*", "en"), ("zh-TW,zh;q=0.2", "zh-Hans"), ("ru;q=abc, zh", "zh-Hans"), (",,;;", "en"),
     ("da, " * 400 + "ru", "en")],
)  # fmt: skip
def test_accept_language_picks_the_best_offered_by_q_value(header: str, code: str) -> None:
    assert languages.negotiate(accept=header) == code


def test_an_explicit_choice_beats_the_header_and_a_bad_one_is_ignored() -> None:
    assert languages.negotiate(explicit=["ru"], accept="zh-CN") == "ru"
    assert languages.negotiate(explicit=["klingon", "zh"], accept="ru") == "zh-Hans"
    assert languages.negotiate(explicit=[None, ""], accept="", default="ru") == "ru"


def test_a_typed_language_is_checked_with_the_choices_named() -> None:
    assert languages.check("zh-cn") == "zh-Hans"
    with pytest.raises(InvalidField, match="unknown language 'fr'; choose one of en, ru, zh-Hans"):
        languages.check("fr")


async def test_translations_are_stored_read_back_and_cleared(svc: Service) -> None:
    await svc.ensure_page("Acme", "https://status.example.com", "Europe/Moscow")
    component = await svc.add_component("API", description="Public API")
    await svc.translate(
        TranslationSubject.COMPONENT, "api", "ru", {"name": "АПИ", "description": "Публичный API"}
    )
    await svc.translate(TranslationSubject.COMPONENT, component.id, "zh-CN", {"name": "接口"})
    await svc.translate(TranslationSubject.PAGE, "", "ru", {"name": "Акме"})
    found = await svc.get_component("API")
    assert translated(found.translations, "name", "ru") == "АПИ"
    assert translated(found.translations, "name", "zh-Hans") == "接口"
    assert translated(found.translations, "description", "zh-Hans") is None
    assert translated((await svc.page()).translations, "name", "ru") == "Акме"
    await svc.translate(TranslationSubject.COMPONENT, "API", "ru", {"name": None})
    found = await svc.get_component("API")
    assert translated(found.translations, "name", "ru") is None
    assert translated(found.translations, "description", "ru") == "Публичный API"


async def test_bad_translations_are_refused_and_nothing_is_stored(svc: Service) -> None:
    await svc.ensure_page("Acme", "https://status.example.com", "UTC")
    await svc.add_component("API")
    with pytest.raises(InvalidField, match="page's own language"):
        await svc.translate(TranslationSubject.COMPONENT, "API", "en", {"name": "API"})
    with pytest.raises(InvalidInput, match="control"):
        await svc.translate(TranslationSubject.COMPONENT, "API", "ru", {"name": "a\x1bb"})
    with pytest.raises(InvalidInput, match="translatable fields name"):
        await svc.translate(TranslationSubject.INCIDENT, "x", "ru", {"body": "x"})
    with pytest.raises(NotFound):
        await svc.translate(TranslationSubject.UPDATE, "nope", "ru", {"body": "текст"})
    assert (await svc.get_component("API")).translations == ()


async def test_a_deleted_component_takes_its_translations_with_it(svc: Service) -> None:
    await svc.ensure_page("Acme", "https://status.example.com", "UTC")
    await svc.add_component("API")
    await svc.translate(TranslationSubject.COMPONENT, "API", "ru", {"name": "АПИ"})
    await svc.remove_component("API")
    async with svc.store.read() as q:
        assert await q.translations_of("component") == {}


async def test_the_page_language_is_kept(svc: Service) -> None:
    await svc.ensure_page("Acme", "https://status.example.com", "UTC")
    assert (await svc.page()).language == "en"
    assert (await svc.set_page_language("ru-RU")).language == "ru"
    assert (await svc.page()).language == "ru"
    with pytest.raises(InvalidField):
        await svc.set_page_language("xx")


async def test_an_incident_is_declared_updated_and_resolved_in_several_languages(
    svc: Service,
) -> None:
    await svc.ensure_page("Acme", "https://status.example.com", "UTC")
    declared = await svc.declare_incident(
        "Login fails", message="We are investigating.", impact="major",
        translations={"ru": "Мы выясняем причину.", "zh-CN": "我们正在调查。"},
        title_translations={"ru": "Не удаётся войти"},
    )  # fmt: skip
    assert translated(declared.translations, "name", "ru") == "Не удаётся войти"
    first = declared.updates[0]
    assert translated(first.translations, "body", "zh-Hans") == "我们正在调查。"
    updated = await svc.update_incident(
        declared.id, message="Fixed the cause.", status="monitoring",
        translations={"ru": "Причина устранена."},
    )  # fmt: skip
    assert translated(updated.updates[0].translations, "body", "ru") == "Причина устранена."
    assert translated(updated.updates[0].translations, "body", "zh-Hans") is None
    resolved = await svc.resolve_incident(declared.id, translations={"ru": "Всё работает."})
    assert translated(resolved.updates[0].translations, "body", "ru") == "Всё работает."


async def test_a_bad_translation_refuses_the_whole_update(svc: Service) -> None:
    await svc.ensure_page("Acme", "https://status.example.com", "UTC")
    declared = await svc.declare_incident("Down", message="Looking.", impact="minor")
    with pytest.raises(InvalidField, match="unknown language 'xx'"):
        await svc.update_incident(declared.id, message="More.", translations={"xx": "?"})
    with pytest.raises(InvalidInput, match="must not be empty"):
        await svc.declare_incident("Down 2", message="m", impact="minor", translations={"ru": " "})
    assert len((await svc.get_incident(declared.id)).updates) == 1
    assert len(await svc.list_incidents()) == 1
