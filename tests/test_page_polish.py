"""The page at a glance (issue 16): banner colours, subscribe button, bar legend, the order and
folding of open incidents, "since" captions for young components, history navigation."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from statuspage.colours import contrast
from statuspage.config import Settings
from statuspage.resources import STATIC
from statuspage.service import Service
from statuspage.site.artifacts import Site
from statuspage.site.builder import SiteBuilder
from statuspage.site.snapshot import SnapshotReader
from statuspage.storage import Store
from tests.conftest import FakeClock

STATES = ("none", "minor", "major", "critical", "maintenance")


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[tuple[Service, FakeClock]]:
    clock = FakeClock(datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    store = await Store.open(tmp_path / "status.db", create=True)
    svc = Service(store, clock)
    await svc.ensure_page("Acme", "https://status.acme.test", "UTC")
    yield svc, clock
    await store.close()


async def build(
    svc: Service, clock: FakeClock, language: str = "en", channels: tuple[str, ...] = ()
) -> Site:
    builder = SiteBuilder(Settings(), locale=language, subscribe_channels=channels)
    return builder.build(await SnapshotReader(svc.store, clock).read())


def text(site: Site, path: str) -> str:
    artifact = site.get(path)
    assert artifact is not None, path
    return artifact.body.decode()


def css_variables(css: str) -> tuple[dict[str, str], dict[str, str]]:
    """The custom properties of the light :root and of the dark theme's :root."""
    light_block = css[css.index(":root {") : css.index("}", css.index(":root {"))]
    dark_start = css.index("@media (prefers-color-scheme: dark)")
    dark_block = css[dark_start : css.index("}", dark_start)]
    pattern = re.compile(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})")
    light = dict(pattern.findall(light_block))
    return light, {**light, **dict(pattern.findall(dark_block))}


# 1. The banner


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("state", STATES)
def test_every_banner_colour_has_text_meeting_wcag_aa(theme: str, state: str) -> None:
    light, dark = css_variables((STATIC / "style.css").read_text())
    values = light if theme == "light" else dark
    background, foreground = values[f"b-{state}"], values[f"b-{state}-fg"]
    assert contrast(background, foreground) >= 4.5, (state, theme, background, foreground)


def test_banner_colours_follow_statuspage_hues() -> None:
    light, _ = css_variables((STATIC / "style.css").read_text())

    def hue(colour: str) -> str:
        r, g, b = (int(colour[n : n + 2], 16) for n in (1, 3, 5))
        return max((("red", r), ("green", g), ("blue", b)), key=lambda p: p[1])[0]

    assert hue(light["b-none"]) == "green" and hue(light["b-maintenance"]) == "blue"
    assert hue(light["b-critical"]) == "red" and hue(light["b-major"]) == "red"
    r, g, _b = (int(light["b-minor"][n : n + 2], 16) for n in (1, 3, 5))
    assert r > 200 and g > 150  # yellow: red and green high
    assert contrast(light["b-major"], light["b-critical"]) > 1.0


async def test_the_banner_is_solid_per_state_with_icon_and_words(
    page: tuple[Service, FakeClock],
) -> None:
    svc, clock = page
    await svc.add_component("API")
    home = text(await build(svc, clock), "/")
    banner = re.search(r'<section class="banner b-(\w+)"(.*?)</section>', home, re.S)
    assert banner is not None and banner.group(1) == "none"
    assert "<svg" in banner.group(2) and "All Systems Operational" in banner.group(2)
    await svc.declare_incident(
        "Down", message="Looking.", impact="critical", components=[("API", "major_outage")]
    )
    home = text(await build(svc, clock), "/")
    assert '<section class="banner b-critical"' in home and "Major Service Outage" in home


# 3. Subscribe button and legend


async def test_a_subscribe_button_sits_in_the_banner_when_subscriptions_are_on(
    page: tuple[Service, FakeClock],
) -> None:
    svc, clock = page
    off = text(await build(svc, clock), "/")
    assert "Subscribe to updates" not in off
    on = text(await build(svc, clock, channels=("email",)), "/")
    banner = on[on.index('<section class="banner') : on.index("</section>")]
    assert '<a class="button subscribe" href="/subscribe?lang=en">Subscribe to updates</a>' in (
        banner
    )
    ru = text(await build(svc, clock, "ru", channels=("email",)), "/")
    assert 'href="/subscribe?lang=ru"' in ru


async def test_the_uptime_bars_have_a_legend_naming_every_colour_and_no_data(
    page: tuple[Service, FakeClock],
) -> None:
    svc, clock = page
    await svc.add_component("API")
    home = text(await build(svc, clock), "/")
    legend = re.search(r'<ul class="legend"[^>]*>(.*?)</ul>', home, re.S)
    assert legend is not None
    items = re.findall(r'<span class="swatch (s-\w+)"></span> ([^<]+)</li>', legend.group(1))
    assert dict(items) == {
        "s-ok": "Operational",
        "s-minor": "Degraded performance",
        "s-major": "Partial outage",
        "s-critical": "Major outage",
        "s-maint": "Under maintenance",
        "s-none": "No data",
    }
    zh = text(await build(svc, clock, "zh-Hans"), "/")
    assert "No data" not in zh and 'class="swatch s-none"' in zh


# 4. Open incidents


async def _open_incidents(svc: Service, clock: FakeClock) -> None:
    await svc.add_component("API")
    for title, impact in (
        ("Old minor", "minor"),
        ("Old critical", "critical"),
        ("New minor", "minor"),
        ("New critical", "critical"),
        ("Major one", "major"),
    ):
        clock.advance(minutes=10)
        await svc.declare_incident(title, message=f"Update of {title}.", impact=impact)


async def test_open_incidents_are_ordered_by_impact_then_newest_start(
    page: tuple[Service, FakeClock],
) -> None:
    svc, clock = page
    await _open_incidents(svc, clock)
    home = text(await build(svc, clock), "/")
    titles = re.findall(r'<article class="notice n-\w+"[^>]*>\s*<h3[^>]*><a[^>]*>([^<]+)<', home)
    assert titles == ["New critical", "Old critical", "Major one", "New minor", "Old minor"]


async def test_with_many_open_incidents_later_updates_fold_and_components_stay_reachable(
    page: tuple[Service, FakeClock],
) -> None:
    svc, clock = page
    await _open_incidents(svc, clock)
    home = text(await build(svc, clock), "/")
    notices = re.findall(r'<article class="notice.*?</article>', home, re.S)
    assert len(notices) == 5
    assert all('<div class="latest">' in n and "<details" not in n for n in notices[:2])
    for n in notices[2:]:
        folded = re.search(r'<details class="latest">\s*<summary[^>]*>(.*?)</summary>', n, re.S)
        assert folded is not None and "Investigating" in folded.group(1)
        assert "Update of" in n.split("</summary>")[1]  # still there, one tap away
    assert '<a href="#components-heading">Skip to components</a>' in home


async def test_one_or_two_open_incidents_show_their_updates_unfolded(
    page: tuple[Service, FakeClock],
) -> None:
    svc, clock = page
    await svc.declare_incident("Only one", message="Looking.", impact="minor")
    home = text(await build(svc, clock), "/")
    assert '<details class="latest">' not in home and "Skip to components" not in home


# 5. Young components


async def test_a_component_younger_than_the_bar_says_since_and_counts_its_lifetime(
    page: tuple[Service, FakeClock],
) -> None:
    svc, clock = page
    await svc.add_component("New", start_date=datetime(2026, 12, 3).date())
    await svc.add_component("Old", start_date=datetime(2026, 1, 1).date())
    clock.advance(hours=1)
    await svc.set_component_status("New", "major_outage")
    clock.advance(hours=6)
    await svc.set_component_status("New", "operational")
    home = text(await build(svc, clock), "/")
    new, old = (home[home.index(f">{n}<") :] for n in ("New", "Old"))
    new = new[: new.index("</li>\n</li>") if "</li>\n</li>" in new else len(new)]
    axis = re.search(r'<p class="axis">(.*?)</p>', new, re.S)
    assert axis is not None
    spans = dict(re.findall(r'<span class="([\w -]+)">([^<]+)</span>', axis.group(1)))
    # Seven days of life, six hours of major outage on the eighth: counted over its life only.
    assert spans["label-90"] == "Since Dec 3" and spans["label-30"] == "Since Dec 3"
    assert spans["figure label-90"] == spans["figure label-30"]
    assert spans["figure label-90"].endswith("uptime since Dec 3")
    figure = float(spans["figure label-90"].split("%")[0])
    assert 95.0 < figure < 97.0  # 6 h down of ~7.4 days observed, not of 90 days
    old_axis = re.search(r'<p class="axis">(.*?)</p>', old, re.S)
    assert old_axis is not None
    assert "90 days ago" in old_axis.group(1) and "30 days ago" in old_axis.group(1)
    assert "100.00% uptime in 90 days" in old_axis.group(1)
    assert "100.00% uptime in 30 days" in old_axis.group(1)


async def test_a_component_between_30_and_90_days_old_differs_on_a_phone(
    page: tuple[Service, FakeClock],
) -> None:
    svc, clock = page
    await svc.add_component("Mid", start_date=datetime(2026, 10, 1).date())
    home = text(await build(svc, clock), "/")
    assert '<span class="label-90">Since Oct 1</span>' in home
    assert '<span class="label-30">30 days ago</span>' in home
    assert '<span class="figure label-30">100.00% uptime in 30 days</span>' in home
    ru = text(await build(svc, clock, "ru"), "/")
    assert "1 октября" in ru


# 6. History navigation


async def test_history_months_link_older_and_newer_with_labels_and_an_archive(
    page: tuple[Service, FakeClock],
) -> None:
    svc, clock = page
    await svc.add_component("API")
    for days_ago in (75, 40, 40, 5):
        start = svc.now() - timedelta(days=days_ago)
        await svc.backfill_incident(
            f"Incident {days_ago}", impact="minor", components=[("API", None)],
            started=start, resolved=start + timedelta(minutes=30), message="Done.",
        )  # fmt: skip
    site = await build(svc, clock)
    november = text(site, "/history/2026-11")
    pager = re.search(r'<nav class="pager"[^>]*>(.*?)</nav>', november, re.S)
    assert pager is not None
    assert '<a class="newer" rel="prev" href="/en/history/2026-12">← Newer: December 2026</a>' in (
        pager.group(1)
    )
    assert '<a class="older" rel="next" href="/en/history/2026-10">Older: October 2026 →</a>' in (
        pager.group(1)
    )
    assert '<a href="/en/history/2026-11" aria-current="page">November 2026</a>' in november
    recent = text(site, "/history")
    assert '<nav class="pager"' not in recent  # no lone "December 2026 →"
    archive = recent[recent.index('id="archive-heading"') :]
    assert ">Archive<" in archive
    for month, count in (
        ("2026-11", "0 entries"),
        ("2026-10", "2 entries"),
        ("2026-09", "1 entry"),
    ):
        assert re.search(
            rf'<a href="/en/history/{month}">\w+ 2026</a> <span class="count">\({count}\)', archive
        )
    ru = text(await build(svc, clock, "ru"), "/history/2026-11")
    assert "Ранее: Октябрь 2026" in ru and "Позднее: Декабрь 2026" in ru


# 7. All of it in every shipped language

POLISH_ENGLISH = ("Subscribe to updates", "Legend", "Skip to components", "Since ", "uptime since")
POLISH_TRANSLATED = {
    "ru": (
        "Подписаться на обновления",
        "Условные обозначения",
        "Перейти к компонентам",
        "С 3 декабря",
    ),
    "zh-Hans": ("订阅更新", "图例", "跳至组件列表", "自 12月3日 起"),
}


@pytest.mark.parametrize("language", sorted(POLISH_TRANSLATED))
async def test_the_banner_legend_folding_and_since_captions_are_translated(
    page: tuple[Service, FakeClock], language: str
) -> None:
    svc, clock = page
    await _open_incidents(svc, clock)
    await svc.add_component("New", start_date=datetime(2026, 12, 3).date())
    home = text(await build(svc, clock, language, channels=("email",)), "/")
    visible = re.sub(r"<[^>]+>", " ", home)
    for english in POLISH_ENGLISH:
        assert english not in visible, english
    assert 'aria-label="Legend"' not in home
    for translated in POLISH_TRANSLATED[language]:
        assert translated in home, translated


async def test_a_bars_screen_reader_label_names_the_days_each_width_shows(
    page: tuple[Service, FakeClock],
) -> None:
    svc, clock = page
    mid = await svc.add_component("Mid", start_date=datetime(2026, 10, 1).date())
    old = await svc.add_component("Old", start_date=datetime(2026, 1, 1).date())
    home = text(await build(svc, clock), "/")
    # The list is named by a label whose 90-day and 30-day parts the style shows per width
    # (an aria-label cannot follow the width): never "past 90 days" alone on a phone.
    assert 'aria-label="Mid: uptime' not in home
    for c, wide, narrow in (
        (mid, "Mid: uptime per day since Oct 1", "Mid: uptime per day, past 30 days"),
        (old, "Old: uptime per day, past 90 days", "Old: uptime per day, past 30 days"),
    ):
        assert f'<ol class="bar" aria-labelledby="bar-{c.id}">' in home
        hidden = f'<span class="visually-hidden" id="bar-{c.id}">'
        label = re.search(rf"{hidden}(.*?)</span></span>", home)
        assert label is not None
        assert label.group(1) == (
            f'<span class="label-90">{wide}</span><span class="label-30">{narrow}'
        )
    # The hint above the bars says so too, per width.
    assert "past 90 days, one bar per day. Hover over" in home
    assert "past 30 days, one bar per day. Tap a day" in home
    css = (STATIC / "style.css").read_text()
    assert re.search(r"^\.label-90 \{ display: none; \}", css, re.M)
    assert re.search(r"^  \.label-30 \{ display: none; \}", css, re.M)
    ru = text(await build(svc, clock, "ru"), "/")
    assert "Old: доступность по дням за последние 30 дней" in ru
    assert "за последние 30 дней, по одной на день. Коснитесь дня" in ru
    zh = text(await build(svc, clock, "zh-Hans"), "/")
    assert "Old：过去 30 天的每日可用率" in zh
    assert "过去 30 天的可用率，每天一条。轻触某一天可查看详情。" in zh
