"""The page and feeds in each shipped language: chrome, dates, numbers, plurals, translated
texts and the note beside untranslated ones.

Each site is built for one language (SiteBuilder(settings, locale=tag)); documents are looked
up by their unprefixed path, whatever tree the language is published under.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import icalendar
import pytest

from statuspage.config import Settings
from statuspage.model import TranslationSubject
from statuspage.service import Service
from statuspage.site.artifacts import Site
from statuspage.site.builder import SiteBuilder
from statuspage.site.render import Renderer
from statuspage.site.snapshot import SnapshotReader
from statuspage.storage import Store
from tests.conftest import FakeClock

NBSP = "\u00a0"
NNBSP = "\u202f"  # CLDR's narrow no-break space: "2026 г."
LANGUAGES = ("en", "zh-Hans", "ru")
ZONES = {"en": "UTC", "zh-Hans": "Asia/Shanghai", "ru": "Europe/Moscow"}
# 14:05 on Dec 3, 2026 in each language's zone.
NOON = {
    "en": datetime(2026, 12, 3, 14, 5, tzinfo=UTC),
    "zh-Hans": datetime(2026, 12, 3, 6, 5, tzinfo=UTC),
    "ru": datetime(2026, 12, 3, 11, 5, tzinfo=UTC),
}


async def open_service(path: Path, clock: FakeClock, zone: str = "UTC") -> Service:
    store = await Store.open(path, create=True)
    svc = Service(store, clock)
    await svc.ensure_page("Acme", "https://status.acme.test", zone)
    return svc


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[tuple[Service, FakeClock]]:
    clock = FakeClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    svc = await open_service(tmp_path / "status.db", clock)
    yield svc, clock
    await svc.store.close()


async def build(svc: Service, clock: FakeClock, language: str) -> Site:
    return SiteBuilder(Settings(), locale=language).build(
        await SnapshotReader(svc.store, clock).read()
    )


def text(site: Site, path: str) -> str:
    artifact = site.get(path)
    assert artifact is not None, path
    return artifact.body.decode()


# Dates, times, numbers and plurals


@pytest.mark.parametrize(
    ("language", "stamp", "day", "month"),
    [
        ("en", "Dec 3, 2026, 14:05 UTC", "Dec 3, 2026", "December 2026"),
        ("zh-Hans", "2026年12月3日 14:05 CST", "2026年12月3日", "2026年12月"),
        (
            "ru",
            f"3 декабря 2026{NNBSP}г., 14:05 MSK",
            f"3 декабря 2026{NNBSP}г.",
            f"Декабрь 2026{NNBSP}г.",
        ),
    ],
)
async def test_times_days_and_months_are_written_the_locales_way(
    tmp_path: Path, language: str, stamp: str, day: str, month: str
) -> None:
    clock = FakeClock(NOON[language])
    svc = await open_service(tmp_path / "status.db", clock, ZONES[language])
    try:
        await svc.add_component("API")
        incident = await svc.declare_incident("Errors", message="Looking.", impact="minor")
        site = await build(svc, clock, language)
        api = (await svc.list_components())[0]
    finally:
        await svc.store.close()
    home, history = text(site, "/"), text(site, "/history")
    assert f">{stamp}</time>" in home  # the latest update and the last change
    assert f'<h3 class="day">{day}</h3>' in home  # the past week's day headings
    assert f">{month}</h2>" in history
    assert f">{month}</a>" in history  # the archive
    assert f">{stamp}</time>" in text(site, f"/incidents/{incident.id}")
    assert f">{month} <span" in text(site, f"/uptime/{api.id}")


@pytest.mark.parametrize(
    ("language", "spans"),
    [
        ("en", ["1 day 0 h", "2 days 3 h", "5 days 0 h", "1 h 30 min", "45 min"]),
        (
            "ru",
            [
                f"1 день 0{NBSP}ч",
                f"2 дня 3{NBSP}ч",
                f"5 дней 0{NBSP}ч",
                f"1{NBSP}ч 30{NBSP}мин",
                f"45{NBSP}мин",
            ],
        ),
        ("zh-Hans", ["1 天 0 小时", "2 天 3 小时", "5 天 0 小时", "1 小时 30 分钟", "45 分钟"]),
    ],
)
async def test_durations_use_the_plural_forms_of_the_language(
    page: tuple[Service, FakeClock], language: str, spans: list[str]
) -> None:
    svc, clock = page
    ids = []
    for lasting in (
        timedelta(days=1),
        timedelta(days=2, hours=3),
        timedelta(days=5),
        timedelta(hours=1, minutes=30),
        timedelta(minutes=45),
    ):
        incident = await svc.declare_incident("Errors", message="Looking.", impact="minor")
        clock.advance(seconds=lasting.total_seconds())
        await svc.resolve_incident(incident.id, message="Fixed.")
        ids.append(incident.id)
    site = await build(svc, clock, language)
    shown = [text(site, f"/incidents/{i}") for i in ids]
    for html, span in zip(shown, spans, strict=True):
        assert f"<dd>{span}</dd>" in html


def test_russian_plurals_follow_one_few_many() -> None:
    ru = Renderer("ru")
    start = datetime(2026, 12, 3, tzinfo=UTC)
    assert [ru.duration(start, start + timedelta(days=n)) for n in (1, 2, 5, 21, 22, 11)] == [
        f"{n} {word} 0{NBSP}ч"
        for n, word in (
            (1, "день"), (2, "дня"), (5, "дней"), (21, "день"), (22, "дня"), (11, "дней"),
        )
    ]  # fmt: skip
    assert [ru.days_ago(n) for n in (1, 3, 90)] == [
        "1 день назад", "3 дня назад", "90 дней назад",
    ]  # fmt: skip
    assert Renderer("zh-Hans").days_ago(3) == "3 天前"
    assert Renderer("en").days_ago(1) == "1 day ago"


@pytest.mark.parametrize("language", ["en", "ru", "zh-Hans"])
def test_a_few_seconds_last_less_than_a_minute_not_zero_minutes(language: str) -> None:
    renderer = Renderer(language)
    start = datetime(2026, 12, 3, tzinfo=UTC)
    one = renderer.duration(start, start + timedelta(minutes=1))
    assert renderer.duration(start, start + timedelta(seconds=25)) == "< " + one
    assert renderer.duration(start, start) == one.replace("1", "0")  # nothing lasted: 0


@pytest.mark.parametrize(
    ("language", "full", "short"),
    [
        ("en", "99.95%", "99.5%"),
        ("ru", f"99,95{NBSP}%", f"99,5{NBSP}%"),
        ("zh-Hans", "99.95%", "99.5%"),
    ],
)
def test_percentages_use_the_locales_separator_and_sign(
    language: str, full: str, short: str
) -> None:
    renderer = Renderer(language)
    assert renderer.percent("99.95") == full
    assert renderer.percent("99.50", short=True) == short
    assert renderer.percent("100.00", short=True).startswith("100")
    assert renderer.percent(None) == ""


@pytest.mark.parametrize(
    ("language", "figure", "caption", "components"),
    [
        ("en", "100.00% uptime in 90 days", "90 days ago", "2 components"),
        ("ru", f"Доступность 100,00{NBSP}% за 90 дней", "90 дней назад", "2 компонента"),
        ("zh-Hans", "90 天可用率 100.00%", "90 天前", "2 个组件"),
    ],
)
async def test_uptime_figures_and_captions_in_the_language(
    page: tuple[Service, FakeClock], language: str, figure: str, caption: str, components: str
) -> None:
    svc, clock = page
    await svc.add_group("Core")
    began = (svc.now() - timedelta(days=120)).date()  # older than the bars: no "since"
    await svc.add_component("API", group="Core", start_date=began)
    await svc.add_component("DB", group="Core", start_date=began)
    clock.advance(days=3)
    site = await build(svc, clock, language)
    home = text(site, "/")
    assert figure in home and caption in home and components in home
    table = text(site, "/uptime").split("<tbody>")[1]
    hundred = {"en": "100.00%", "ru": f"100,00{NBSP}%", "zh-Hans": "100.00%"}[language]
    assert f"<td>{hundred}</td>" in table


# Translated texts and the fallback note


async def translated_page(svc: Service, clock: FakeClock) -> dict[str, str]:
    """A page with some texts translated into Russian and none into Chinese."""
    await svc.add_group("Core", description="Core services")
    await svc.add_component("API", group="Core", description="The public REST API")
    await svc.add_component("Billing")
    await svc.translate(TranslationSubject.PAGE, "", "ru", {"name": "Акме"})
    await svc.translate(TranslationSubject.GROUP, "Core", "ru", {"name": "Основные службы"})
    await svc.translate(
        TranslationSubject.COMPONENT,
        "API",
        "ru",
        {"name": "Программный интерфейс", "description": "Публичный REST API"},
    )
    incident = await svc.declare_incident(
        "API errors", message="We are looking into errors.", impact="major",
        components=[("API", "partial_outage")],
        translations={"ru": "Выясняем причину ошибок."},
        title_translations={"ru": "Ошибки API"},
    )  # fmt: skip
    clock.advance(minutes=30)
    await svc.update_incident(incident.id, message="A fix is being deployed.")
    now = svc.now()
    window = await svc.schedule_maintenance(
        "Database upgrade", start=now + timedelta(days=1), end=now + timedelta(days=1, hours=2),
        components=["Billing"], message="We upgrade the database.",
    )  # fmt: skip
    await svc.translate(
        TranslationSubject.INCIDENT, window.id, "ru", {"name": "Обновление базы данных"}
    )
    await svc.translate(
        TranslationSubject.UPDATE, window.updates[0].id, "ru", {"body": "Обновляем базу данных."}
    )
    return {"incident": incident.id, "maintenance": window.id}


async def test_russian_readers_get_the_translations_and_a_note_where_one_is_missing(
    page: tuple[Service, FakeClock],
) -> None:
    svc, clock = page
    ids = await translated_page(svc, clock)
    site = await build(svc, clock, "ru")
    home = text(site, "/")
    assert "<title>Статус Акме</title>" in home
    assert '<span class="name">Основные службы</span>' in home
    assert '<h3 class="name">Программный интерфейс</h3>' in home
    assert "Публичный REST API" in home
    # Untranslated: in English, marked as such for screen readers, and said once for the list.
    assert '<h3 class="name" lang="en">Billing</h3>' in home
    assert "Некоторые названия приведены на языке оригинала (английский)." in home
    assert ">Ошибки API</a>" in home and "Обновление базы данных" in home
    assert "Обновляем базу данных." in home
    # The latest update has no Russian text: the English one, with the note.
    assert '<div class="body" lang="en"><p>A fix is being deployed.</p></div>' in home
    assert '<span class="orig">Оригинал на английском</span>' in home
    assert 'Затрагивает: <span lang="en">Billing</span>' in home

    incident = text(site, f"/incidents/{ids['incident']}")
    assert '<h1 id="title">Ошибки API</h1>' in incident
    assert "<p>Выясняем причину ошибок.</p>" in incident
    assert '<div class="body" lang="en"><p>A fix is being deployed.</p></div>' in incident
    assert incident.count("Оригинал на английском") == 1
    assert "<dd>Программный интерфейс</dd>" in incident
    assert "Программный интерфейс: Работает нормально" in incident
    assert "We are looking into errors." not in incident


async def test_chinese_readers_get_the_originals_each_with_a_note(
    page: tuple[Service, FakeClock],
) -> None:
    svc, clock = page
    ids = await translated_page(svc, clock)
    site = await build(svc, clock, "zh-Hans")
    home = text(site, "/")
    assert "<title>Acme 服务状态</title>" in home
    assert '<a class="brand" href="' in home
    assert '<span class="name" lang="en">Core</span>' in home
    assert '<h3 class="name" lang="en">API</h3>' in home
    assert '<p class="desc" lang="en">The public REST API</p>' in home
    assert "部分名称尚无译文，以原文（英语）显示。" in home
    assert '<span class="orig">原文为英文</span>' in home
    incident = text(site, f"/incidents/{ids['incident']}")
    assert '<h1 id="title" lang="en">API errors</h1>' in incident
    assert incident.count("原文为英文") == 3  # the name and both updates
    assert '<div class="body" lang="en"><p>We are looking into errors.</p></div>' in incident


def outside_switcher(html: str) -> str:
    """The HTML without the language switcher's links (each names its language)."""
    return re.sub(r'<a [^>]*hreflang="[^"]*"[^>]*>', "", html)


async def test_english_readers_get_the_originals_without_notes(
    page: tuple[Service, FakeClock],
) -> None:
    svc, clock = page
    ids = await translated_page(svc, clock)
    site = await build(svc, clock, "en")
    home = text(site, "/")
    incident = text(site, f"/incidents/{ids['incident']}")
    for html in (home, incident):
        assert 'lang="en"' not in outside_switcher(html.split("<body>")[1])
        assert "Original in" not in html and 'class="orig"' not in html
        assert "Ошибки API" not in html
    assert '<h1 id="title">API errors</h1>' in incident
    assert "<title>Acme status</title>" in home


async def test_a_page_written_in_russian_says_so_to_english_and_chinese_readers(
    page: tuple[Service, FakeClock],
) -> None:
    svc, clock = page
    await svc.set_page_language("ru")
    await svc.add_component("Оплата")
    incident = await svc.declare_incident(
        "Ошибки оплаты", message="Выясняем причину.", impact="minor",
        translations={"en": "We are looking into it."},
    )  # fmt: skip
    en = text(await build(svc, clock, "en"), f"/incidents/{incident.id}")
    assert '<h1 id="title" lang="ru">Ошибки оплаты</h1>' in en
    assert '<span class="orig">Original in Russian</span>' in en
    assert "<p>We are looking into it.</p>" in en
    zh = text(await build(svc, clock, "zh-Hans"), f"/incidents/{incident.id}")
    assert "原文为俄文" in zh and '<div class="body" lang="ru">' in zh
    ru = text(await build(svc, clock, "ru"), f"/incidents/{incident.id}")
    assert "Оригинал на" not in ru and 'lang="ru"' not in outside_switcher(ru.split("<body>")[1])


async def test_a_translation_added_later_reaches_every_cached_piece(
    page: tuple[Service, FakeClock],
) -> None:
    svc, clock = page
    await svc.add_group("Core")
    await svc.add_component("API", group="Core")
    incident = await svc.declare_incident(
        "API errors", message="Looking.", impact="major", components=[("API", "major_outage")]
    )
    clock.advance(hours=1)
    await svc.resolve_incident(incident.id, message="Fixed.")
    clock.advance(days=1)  # the incident's day is closed: its bar cell is reused as it was
    builder = SiteBuilder(Settings(), locale="ru")
    reader = SnapshotReader(svc.store, clock)
    first = builder.build(await reader.read())
    assert "API errors" in text(first, "/") and "Оригинал на английском" in text(first, "/")
    api = (await svc.list_components())[0]
    await svc.translate(TranslationSubject.INCIDENT, incident.id, "ru", {"name": "Ошибки"})
    clock.advance(minutes=1)
    named = builder.build(await reader.read())
    assert "<br>Ошибки</span>" in text(named, "/")  # the day's details in the bar
    assert ">Ошибки</a>" in text(named, f"/uptime/{api.id}")  # the month's incidents
    await svc.translate(TranslationSubject.COMPONENT, "API", "ru", {"name": "Интерфейс"})
    await svc.translate(TranslationSubject.GROUP, "Core", "ru", {"name": "Ядро"})
    await svc.translate(
        TranslationSubject.UPDATE, incident.updates[0].id, "ru", {"body": "Выясняем."}
    )
    clock.advance(minutes=1)
    second = builder.build(await reader.read())
    home = text(second, "/")
    assert '<h3 class="name">Интерфейс</h3>' in home and '<span class="name">Ядро</span>' in home
    assert "Оригинал на английском" in home  # "Fixed." has no translation
    assert "API errors" not in home
    assert "Ошибки" in text(second, "/history") and "Интерфейс" in text(second, "/uptime")
    assert "Ошибки" in text(second, "/feed.json")
    assert "<p>Выясняем.</p>" in text(second, f"/incidents/{incident.id}")
    assert "Интерфейс: доступность" in text(second, f"/uptime/{api.id}")


# Feeds


@pytest.mark.parametrize(
    ("language", "title", "entry", "note", "calendar"),
    [
        ("en", "Acme status history", "API errors", None, "Acme maintenance"),
        (
            "ru",
            "История статуса Акме",
            "Ошибки API",
            "Оригинал на английском",
            "Плановые работы Акме",
        ),
        ("zh-Hans", "Acme 状态历史", "API errors", "原文为英文", "Acme 维护计划"),
    ],
)
async def test_every_feed_speaks_the_language_of_its_tree(
    page: tuple[Service, FakeClock],
    language: str,
    title: str,
    entry: str,
    note: str | None,
    calendar: str,
) -> None:
    svc, clock = page
    ids = await translated_page(svc, clock)
    site = await build(svc, clock, language)
    prefix = "/" + language  # every language has its tree, English too
    base = "https://status.acme.test" + prefix
    for path in ("/history.rss", "/history.atom"):
        parsed = feedparser.parse(text(site, path))
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert parsed.feed.title == title
        assert parsed.feed.language == language
        links = {link.rel: link.href for link in parsed.feed.links}
        assert links["self"] == base + path
        first = next(e for e in parsed.entries if e.link.endswith(ids["incident"]))
        assert first.title == entry and first.link == f"{base}/incidents/{ids['incident']}"
        content = first.content[0].value if path.endswith("atom") else first.description
        assert (note in content) if note else ("Original in" not in content)
        assert "A fix is being deployed." in content  # no Russian text: the original
    feed = json.loads(text(site, "/feed.json"))
    assert feed["language"] == language and feed["title"] == title
    assert feed["feed_url"] == base + "/feed.json" and feed["home_page_url"] == base + "/"
    item = next(i for i in feed["items"] if i["url"].endswith(ids["incident"]))
    assert item["title"] == entry
    assert (note in item["content_html"]) if note else ("Original" not in item["content_html"])
    ics = icalendar.Calendar.from_ical(text(site, "/maintenance.ics"))
    assert str(ics["X-WR-CALNAME"]) == calendar
    (event,) = ics.walk("VEVENT")
    if language == "ru":
        assert str(event["SUMMARY"]) == "Обновление базы данных"
        assert event["SUMMARY"].params["LANGUAGE"] == "ru"
        assert str(event["DESCRIPTION"]).startswith("Обновляем базу данных.")
        assert "Затрагивает: Billing" in str(event["DESCRIPTION"])
    elif language == "zh-Hans":
        assert event["SUMMARY"].params["LANGUAGE"] == "en"
        assert "原文为英文" in str(event["DESCRIPTION"]) and "影响范围：Billing" in str(
            event["DESCRIPTION"]
        )
    assert str(event["URL"]) == f"{base}/incidents/{ids['maintenance']}"


async def test_the_v2_api_stays_in_the_pages_language(page: tuple[Service, FakeClock]) -> None:
    svc, clock = page
    await translated_page(svc, clock)
    snap = await SnapshotReader(svc.store, clock).read()
    bodies = {
        language: text(SiteBuilder(Settings(), locale=language).build(snap), "/api/v2/summary.json")
        for language in LANGUAGES
    }
    assert bodies["en"] == bodies["ru"] == bodies["zh-Hans"]
    summary = json.loads(bodies["ru"])
    assert summary["page"]["name"] == "Acme"
    assert {c["name"] for c in summary["components"]} >= {"API", "Billing"}
    assert summary["incidents"][0]["name"] == "API errors"


# Every page, in every language


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        ("en", {"/": "Past incidents", "/history": "Incident history", "/uptime": "Past 90 days",
                "/404": "Page not found", "/500": "Something went wrong"}),
        ("ru", {"/": "Прошедшие инциденты", "/history": "История инцидентов",
                "/uptime": "Последние 90 дней", "/404": "Страница не найдена",
                "/500": "Произошла ошибка"}),
        ("zh-Hans", {"/": "历史事件", "/history": "事件历史", "/uptime": "过去 90 天",
                     "/404": "页面未找到", "/500": "出错了"}),
    ],
)  # fmt: skip
async def test_every_page_is_rendered_in_the_language(
    page: tuple[Service, FakeClock], language: str, phrases: dict[str, str]
) -> None:
    svc, clock = page
    ids = await translated_page(svc, clock)
    site = await build(svc, clock, language)
    for path, phrase in phrases.items():
        html = site.not_found.body if path == "/404" else None
        html = html or (site.server_error.body if path == "/500" else None)
        shown = html.decode() if html else text(site, path)
        assert phrase in shown, (path, phrase)
    month = text(site, "/history/2026-12")
    heading = {
        "en": "Incident history: December 2026",
        "ru": f"История инцидентов: Декабрь 2026{NNBSP}г.",
        "zh-Hans": "事件历史：2026年12月",
    }
    assert heading[language] in month
    api = (await svc.list_components())[0]
    calendar = text(site, f"/uptime/{api.id}")
    names = {"en": "API uptime", "ru": "Программный интерфейс: доступность", "zh-Hans": "API"}
    assert names[language] in calendar
    weekday = {"en": 'abbr="Sunday"', "ru": 'abbr="понедельник"', "zh-Hans": 'abbr="星期一"'}
    assert weekday[language] in calendar
    maintenance = text(site, f"/incidents/{ids['maintenance']}")
    assert {"en": "Database upgrade", "ru": "Обновление базы данных",
            "zh-Hans": "Database upgrade"}[language] in maintenance  # fmt: skip


@pytest.mark.parametrize(
    ("reader", "source", "note"),
    [
        ("ru", "en", "Оригинал на английском"),
        ("ru", "zh-Hans", "Оригинал на китайском"),
        ("zh-Hans", "ru", "原文为俄文"),
        ("en", "zh-Hans", "Original in Chinese"),
        # A language a catalogue adds later: its name in the reader's language, in a phrasing
        # that needs no declension.
        ("ru", "de", "Язык оригинала: немецкий"),
        ("zh-Hans", "de", "原文为德语"),
        ("en", "de", "Original in German"),
    ],
)
def test_the_note_names_the_original_language_in_the_readers(
    reader: str, source: str, note: str
) -> None:
    assert Renderer(reader).original_note(source) == note
