"""The status page in a real browser: light and dark, desktop and phone, the banner, logo and
legend, the uptime bars' captions per width, folded updates with many open incidents, and
axe-core finding no serious accessibility violation."""

from __future__ import annotations

from typing import Literal

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, Tabs, axe_violations


def luminance(css_colour: str) -> float:
    """Relative luminance (WCAG) of a computed `rgb(r, g, b)` colour."""
    parts = css_colour[css_colour.index("(") + 1 : css_colour.index(")")].split(",")

    def channel(value: str) -> float:
        c = float(value) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(p) for p in parts[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def style(page: Page, selector: str, prop: str) -> str:
    return str(page.eval_on_selector(selector, f"e => getComputedStyle(e).{prop}"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_home_page_follows_the_theme_and_has_no_serious_accessibility_violations(
    tabs: Tabs, demo: str, scheme: Literal["light", "dark"]
) -> None:
    page = tabs.open(scheme=scheme)
    page.goto(demo + "/")
    assert page.get_attribute("html", "lang") == "en"
    background = luminance(style(page, "body", "backgroundColor"))
    assert background > 0.8 if scheme == "light" else background < 0.05
    # The banner: one solid colour, its words readable on it.
    banner = page.locator("section.banner")
    assert banner.is_visible() and banner.locator("h2").inner_text().strip()
    fill = style(page, "section.banner", "backgroundColor")
    assert fill.startswith("rgb(")  # solid: no transparency
    text = style(page, "section.banner h2", "color")
    dark, light = sorted((luminance(fill), luminance(text)))
    assert (light + 0.05) / (dark + 0.05) >= 4.5
    # The logo is shown (loaded: it has a size) and the accent paints the Subscribe button.
    assert page.eval_on_selector("img.logo", "i => i.complete && i.naturalWidth > 0")
    assert page.locator(".banner a.subscribe").is_visible()
    assert page.locator("ul.legend li").count() == 6
    assert axe_violations(page) == []


def test_on_a_phone_the_page_fits_and_bars_and_captions_show_30_days(tabs: Tabs, demo: str) -> None:
    page = tabs.open(PHONE)
    page.goto(demo + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    search = _open_row(page, "Search")  # 40 days old: older than the phone's 30 days
    assert _visible_days(search) == 30
    assert _visible_axis(search) == ["30 days ago", "100.00% uptime in 30 days", "Today"]
    # A screen reader hears what is shown: 30 days, not the wide screen's "since Oct 24".
    expect(search.locator("ol.bar")).to_have_accessible_name("Search: uptime per day, past 30 days")
    assert axe_violations(page) == []

    wide = tabs.open(DESKTOP)
    wide.goto(demo + "/")
    search = _open_row(wide, "Search")
    assert _visible_days(search) == 90
    since = _visible_axis(search)
    assert since[0].startswith("Since ") and since[1].startswith("100.00% uptime since ")
    assert since[0].removeprefix("Since ") == since[1].removeprefix("100.00% uptime since ")
    expect(search.locator("ol.bar")).to_have_accessible_name(
        "Search: uptime per day since " + since[0].removeprefix("Since ")
    )


def _open_row(page: Page, name: str) -> Locator:
    """The component's row, its group opened (a group of operational members is folded)."""
    row = page.locator("li.component", has=page.locator("h3.name", has_text=name)).first
    group = page.locator("details", has=row)
    if group.count() and not group.first.evaluate("d => d.open"):
        group.first.locator("summary").first.click()
    assert row.is_visible()
    return row


def _visible_days(row: Locator) -> int:
    return int(row.locator("ol.bar").evaluate(
        "b => [...b.children].filter(d => getComputedStyle(d).display !== 'none').length"
    ))  # fmt: skip


def _visible_axis(row: Locator) -> list[str]:
    spans = row.locator("p.axis > span")
    return [spans.nth(i).inner_text() for i in range(spans.count()) if spans.nth(i).is_visible()]


def test_with_many_open_incidents_a_phone_folds_older_updates_and_reaches_components(
    tabs: Tabs, busy: str
) -> None:
    page = tabs.open(PHONE)
    page.goto(busy + "/")
    notices = page.locator("section.notices article.notice")
    assert notices.count() == 6
    folded = page.locator("section.notices details.latest")
    assert folded.count() == 4 and not any(folded.nth(i).evaluate("d => d.open") for i in range(4))
    assert not folded.first.locator(".body").is_visible()
    components_at = page.eval_on_selector("#components-heading", "h => h.offsetTop")
    # Unfolded, the same page would push the components much further down.
    page.evaluate("document.querySelectorAll('details.latest').forEach(d => d.open = true)")
    unfolded_at = page.eval_on_selector("#components-heading", "h => h.offsetTop")
    assert unfolded_at - components_at > 4 * 100
    page.evaluate("document.querySelectorAll('details.latest').forEach(d => d.open = false)")
    # A tap shows the folded update; the skip link takes a reader to the components.
    folded.first.locator("summary").click()
    assert folded.first.locator(".body").is_visible()
    page.get_by_role("link", name="Skip to components").click()
    assert page.url.endswith("#components-heading")
    heading_top = page.eval_on_selector("#components-heading", "h => h.getBoundingClientRect().top")
    assert 0 <= heading_top < PHONE["height"]
    assert axe_violations(page) == []

    wide = tabs.open(DESKTOP)
    wide.goto(busy + "/")
    # On a wide screen nothing needs folding: page.js opens them.
    wide.wait_for_function("[...document.querySelectorAll('details.latest')].every(d => d.open)")
    assert wide.locator("section.notices .latest .body").nth(5).is_visible()
