"""Language trees and negotiation on the real app: Accept-Language, the cookie, ?lang=, the
page's default language, hreflang alternates and the switcher, ETags per language."""

from __future__ import annotations

import gc
import re
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from statuspage.config import Settings
from statuspage.languages import COOKIE
from statuspage.service import Service
from statuspage.site.builder import SiteBuilder
from statuspage.site.negotiation import choose, cookie_choice, requested
from statuspage.site.snapshot import SnapshotReader
from tests.conftest import FakeClock
from tests.site_helpers import client, seed

ALL_GOOD = {
    "en": "All Systems Operational",
    "ru": "Все системы работают нормально",
    "zh-Hans": "所有系统运行正常",
}
NEGOTIATED = "Accept-Encoding, Accept-Language, Cookie"


@pytest.fixture
def site(db_path: Path, clock: FakeClock) -> Iterator[tuple[TestClient, str]]:
    async def go(svc: Service) -> str:
        await svc.add_component("API")
        incident = await svc.declare_incident("Slow API", message="Looking.", impact="minor")
        await svc.resolve_incident(incident.id, message="Fixed.")
        return incident.id

    incident_id = seed(db_path, clock, go)
    with client(db_path, clock) as c:
        yield c, incident_id


def language_of(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)">', html)
    assert found is not None
    return found.group(1)


def get(c: TestClient, path: str, **headers: str) -> Any:
    c.cookies.clear()
    return c.get(path, headers=headers, follow_redirects=False)


def test_accept_language_with_q_values_picks_the_page_language(site: Any) -> None:
    c, _ = site
    for header, expected in [
        ("de;q=1, ru;q=0.9, en;q=0.5", "ru"),
        ("en;q=0.2, zh-CN;q=0.8", "zh-Hans"),
        ("ru;q=0, fr", "en"),  # q=0 refuses; nothing offered: the page's default
    ]:
        response = get(c, "/", **{"Accept-Language": header})
        assert response.status_code == 200
        assert language_of(response.text) == expected, header
        assert ALL_GOOD[expected] in response.text
        assert response.headers["content-language"] == expected
        assert response.headers["vary"] == NEGOTIATED


def test_the_cookie_beats_the_header(site: Any) -> None:
    c, _ = site
    c.cookies.set(COOKIE, "zh-Hans")
    response = c.get("/history", headers={"Accept-Language": "ru"})
    assert language_of(response.text) == "zh-Hans" and "历史记录" in response.text
    c.cookies.set(COOKIE, "xx")  # not a shipped language: the header decides
    assert language_of(c.get("/history", headers={"Accept-Language": "ru"}).text) == "ru"


def test_lang_query_redirects_to_the_language_tree_and_remembers_the_choice(site: Any) -> None:
    c, incident_id = site
    path = f"/incidents/{incident_id}"
    moved = get(c, f"{path}?lang=RU", **{"Accept-Language": "zh"})
    assert moved.status_code == 303
    assert moved.headers["location"] == f"/ru{path}"
    assert moved.headers["set-cookie"] == (f"{COOKIE}=ru; Path=/; Max-Age=31536000; SameSite=Lax")
    assert moved.headers["cache-control"] == "no-store"
    page = c.get(moved.headers["location"], headers={"Accept-Language": "zh"})
    assert language_of(page.text) == "ru" and "Slow API" in page.text
    # The cookie now set, the unprefixed pages are Russian too, whatever the header says.
    home = c.get("/", headers={"Accept-Language": "zh"})
    assert language_of(home.text) == "ru" and ALL_GOOD["ru"] in home.text


def test_lang_query_on_a_prefixed_page_redirects_without_the_query(site: Any) -> None:
    c, _ = site
    moved = get(c, "/zh-Hans/history?lang=zh-Hans")
    assert moved.status_code == 303 and moved.headers["location"] == "/zh-Hans/history"
    assert f"{COOKIE}=zh-Hans;" in moved.headers["set-cookie"]
    other = get(c, "/zh-Hans/?lang=en")  # another language than the tree's: that tree
    assert other.status_code == 303 and other.headers["location"] == "/en/"


def test_an_invalid_lang_is_ignored(site: Any) -> None:
    c, _ = site
    for value in ("xx", "", "en-US-" + "x" * 200, "%00"):
        response = get(c, f"/history?lang={value}", **{"Accept-Language": "ru"})
        assert response.status_code == 200, value
        assert "set-cookie" not in response.headers
        assert language_of(response.text) == "ru"
    prefixed = get(c, "/zh-Hans/?lang=klingon")
    assert prefixed.status_code == 200 and ALL_GOOD["zh-Hans"] in prefixed.text


def test_each_language_has_a_tree_with_fixed_urls(site: Any) -> None:
    c, incident_id = site
    for code, text in ALL_GOOD.items():
        response = get(c, f"/{code}/", **{"Accept-Language": "ru" if code != "ru" else "en"})
        assert response.status_code == 200
        assert language_of(response.text) == code and text in response.text
        assert response.headers["content-language"] == code
        assert response.headers["vary"] == "Accept-Encoding"  # the same to everyone
        for path in ("/history", "/uptime", f"/incidents/{incident_id}", "/history.atom"):
            found = get(c, f"/{code}{path}")
            assert found.status_code == 200, (code, path)
            assert found.headers["content-language"] == code
    feed = get(c, "/ru/history.atom").text
    assert "Slow API" in feed
    moved = get(c, "/ru")
    assert moved.status_code == 301 and moved.headers["location"] == "/ru/"


def test_pages_link_inside_their_tree_and_offer_every_language(site: Any) -> None:
    c, incident_id = site
    html = get(c, f"/ru/incidents/{incident_id}").text
    assert 'href="/ru/history"' in html and 'href="/history"' not in html
    for code in ALL_GOOD:
        alternate = (
            f'<link rel="alternate" hreflang="{code}" '
            f'href="https://status.acme.test/{code}/incidents/{incident_id}">'
        )
        assert alternate in html
    assert (
        '<link rel="alternate" hreflang="x-default" '
        f'href="https://status.acme.test/incidents/{incident_id}">'
    ) in html
    link = r'<a href="([^"]+)" lang="([^"]+)" hreflang="([^"]+)"([^>]*)>([^<]+)'
    switcher = re.findall(link, html)
    assert [(href, lang, name) for href, lang, _, _, name in switcher] == [
        (f"/en/incidents/{incident_id}?lang=en", "en", "English"),
        (f"/ru/incidents/{incident_id}?lang=ru", "ru", "Русский"),
        (f"/zh-Hans/incidents/{incident_id}?lang=zh-Hans", "zh-Hans", "简体中文"),
    ]
    assert [current for *_, current, _ in switcher] == ["", ' aria-current="true"', ""]
    assert 'aria-label="Язык"' in html  # the switcher's name, in the page's language


def test_the_page_default_language_decides_for_a_browser_without_preferences(
    db_path: Path, clock: FakeClock
) -> None:
    async def go(svc: Service) -> None:
        await svc.add_component("API")
        await svc.set_page_language("ru")

    seed(db_path, clock, go)
    with client(db_path, clock) as c:
        home = c.get("/")
        assert language_of(home.text) == "ru" and ALL_GOOD["ru"] in home.text
        assert home.headers["content-language"] == "ru"
        english = c.get("/", headers={"Accept-Language": "en-GB"})
        assert language_of(english.text) == "en"
        missing = c.get("/nothing/here")
        assert missing.status_code == 404 and "Страница не найдена" in missing.text


def test_etags_differ_per_language_and_revalidate_per_language(site: Any) -> None:
    c, _ = site
    russian = get(c, "/", **{"Accept-Language": "ru"})
    etag = russian.headers["etag"]
    assert get(c, "/ru/").headers["etag"] == etag  # the same bytes as the tree's page
    again = get(c, "/", **{"Accept-Language": "ru", "If-None-Match": etag})
    assert again.status_code == 304 and again.headers["vary"] == NEGOTIATED
    assert again.headers["content-language"] == "ru"
    english = get(c, "/", **{"Accept-Language": "en", "If-None-Match": etag})
    assert english.status_code == 200 and english.headers["etag"] != etag


def test_the_404_page_is_negotiated_too(site: Any) -> None:
    c, _ = site
    chinese = get(c, "/no/such/page", **{"Accept-Language": "zh-Hans"})
    assert chinese.status_code == 404 and "页面未找到" in chinese.text
    assert chinese.headers["content-language"] == "zh-Hans"
    assert chinese.headers["vary"] == NEGOTIATED
    russian = get(c, "/ru/no/such/page", **{"Accept-Language": "zh-Hans"})
    assert russian.status_code == 404 and "Страница не найдена" in russian.text
    assert russian.headers["vary"] == "Accept-Encoding"
    assert 'hreflang="x-default"' not in russian.text  # an error page has no alternates
    assert '<a href="/zh-Hans/?lang=zh-Hans" lang="zh-Hans"' in russian.text  # front pages


def test_negotiated_addresses_are_read_only(site: Any) -> None:
    c, _ = site
    assert c.post("/history").status_code == 405
    assert c.post("/ru/history").status_code == 405


def test_the_sitemap_lists_every_page_in_every_language(site: Any) -> None:
    c, incident_id = site
    sitemap = get(c, "/sitemap.xml").text
    base = "https://status.acme.test"
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    for path in ("/", "/history", "/uptime", f"/incidents/{incident_id}"):
        for prefix in ("", "/en", "/ru", "/zh-Hans"):
            assert base + prefix + path in locs
    entry = sitemap.split(f"<loc>{base}/ru/history</loc>", 1)[1].split("</url>", 1)[0]
    assert f'hreflang="zh-Hans" href="{base}/zh-Hans/history"' in entry
    assert f'hreflang="x-default" href="{base}/history"' in entry
    assert "Sitemap: https://status.acme.test/sitemap.xml" in get(c, "/robots.txt").text


def test_lang_and_cookie_parsing() -> None:
    assert requested(b"a=1&lang=zh-cn") == "zh-Hans"
    assert requested(b"lang=xx") is None and requested(b"slang=ru") is None
    assert requested(b"lang=" + b"r" * 500) is None
    assert cookie_choice(b"a=b; statuspage_lang=ru; c=d") == b"ru"
    assert cookie_choice(b"xstatuspage_lang=ru") == b""
    assert choose("en", [(b"cookie", b"statuspage_lang=ru"), (b"accept-language", b"zh")]) == "ru"
    long_header = b"fr;q=0.9, " * 100 + b"ru"
    assert choose("en", [(b"accept-language", long_header)]) == "en"  # only 512 bytes count
    assert choose("zh-Hans", []) == "zh-Hans"


def test_language_values_from_clients_are_not_kept() -> None:
    """Distinct Accept-Language and cookie values, short or huge: the caches stay small."""

    def flood(start: int) -> None:
        for n in range(start, start + 3_000):
            header = [(b"accept-language", f"x-{n}, ru;q=0.{n % 9 + 1}".encode())]
            assert choose("en", header) == "ru"
        for n in range(start, start + 100):
            huge = [(b"accept-language", b"ru, " + str(n).encode() * 5_000)]
            cookie = [(b"cookie", b"statuspage_lang=" + str(n).encode() * 5_000)]
            assert choose("en", huge) == "ru" and choose("en", cookie) == "en"

    tracemalloc.start()
    try:
        flood(0)  # every cache full
        gc.collect()
        full = tracemalloc.get_traced_memory()[0]
        flood(10_000)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - full
    finally:
        tracemalloc.stop()
    assert full < 1_000_000  # bytes: 3,200 values seen, 200 of them of 25 KB (5 MB)
    assert kept < 20_000  # as many again: the caches do not grow


async def test_a_first_build_brings_the_default_language_up_to_date_before_the_others(
    svc: Service, clock: FakeClock
) -> None:
    await svc.ensure_page("Acme", "https://status.acme.test", "Europe/Berlin")
    await svc.add_component("API")
    reader, builder = SnapshotReader(svc.store, clock), SiteBuilder(Settings())
    builder.build(await reader.read())
    await svc.declare_incident("Disk full", message="Looking.", impact="major")
    first = builder.build(await reader.read(), first=True)
    assert builder.partial
    assert b"Disk full" in first.artifacts["/en/"].body
    assert b"Disk full" in first.get("/").body  # the default, negotiated
    assert b"Disk full" not in first.artifacts["/ru/"].body  # not yet
    assert b"Disk full" in first.artifacts["/api/v2/summary.json"].body
    full = builder.build(await reader.read())
    assert not builder.partial
    assert b"Disk full" in full.artifacts["/ru/"].body
    assert b"Disk full" in full.get("/", "zh-Hans").body
    assert full.artifacts["/en/"] is first.artifacts["/en/"]  # not rendered again
