"""The language switcher in a real browser: English to Russian to Chinese, the URL and
<html lang> following, the choice kept in a cookie for the unprefixed URLs."""

from __future__ import annotations

import re

from tests.browser.conftest import Tabs, axe_violations


def test_the_switcher_goes_from_english_to_russian_and_chinese_and_the_choice_is_kept(
    tabs: Tabs, demo: str
) -> None:
    page = tabs.open(locale="en-US")
    page.goto(demo + "/history")
    assert page.get_attribute("html", "lang") == "en"
    switcher = page.get_by_role("navigation", name="Language")

    switcher.get_by_role("link", name="Русский").click()
    page.wait_for_url(demo + "/ru/history")
    assert page.get_attribute("html", "lang") == "ru"
    assert page.locator("h1").inner_text() == "История инцидентов"
    assert _cookie(tabs) == "ru"
    page.goto(demo + "/")  # an unprefixed URL: the cookie wins over Accept-Language
    assert page.get_attribute("html", "lang") == "ru"
    assert "Подписаться на обновления" in page.locator(".banner a.subscribe").inner_text()
    assert axe_violations(page) == []

    page.get_by_role("navigation", name="Язык").get_by_role("link", name="简体中文").click()
    page.wait_for_url(demo + "/zh-Hans/")
    assert page.get_attribute("html", "lang") == "zh-Hans"
    assert _cookie(tabs) == "zh-Hans"
    current = page.locator('nav.languages a[aria-current="true"]')
    assert current.inner_text() == "简体中文"
    page.goto(demo + "/history")
    assert page.get_attribute("html", "lang") == "zh-Hans"
    assert re.search(r"[\u4e00-\u9fff]", page.locator("h1").inner_text())
    assert axe_violations(page) == []


def _cookie(tabs: Tabs) -> str:
    [context] = tabs.opened
    return next(c["value"] for c in context.cookies() if c["name"] == "statuspage_lang")
