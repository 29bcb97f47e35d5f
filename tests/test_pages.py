"""The human-readable pages, read back as HTML with the standard library's parser."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from statuspage.model import MaintenanceStatus
from statuspage.service import Service
from statuspage.site.documents import history as history_pages
from tests.conftest import FakeClock
from tests.site_helpers import client, seed

CONTACTS = {
    "contact_email": "help@acme.test",
    "contact_url": "https://acme.test/support",
    "security_contact": "security@acme.test",
    "social_url": "https://social.example/@acmestatus",
    "social_handle": "@acmestatus",
}


class Outline(HTMLParser):
    """Collects tags with attributes and the text inside chosen elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.times: list[tuple[str | None, str]] = []
        self._time: str | bool | None = False
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "time":
            self._time, self._text = dict(attrs).get("datetime"), ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "time" and self._time is not False:
            self.times.append((self._time if isinstance(self._time, str) else None, self._text))
            self._time = False

    def handle_data(self, data: str) -> None:
        if self._time is not False:
            self._text += data

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


async def _page(svc: Service, clock: FakeClock) -> dict[str, str]:
    await svc.add_group("Core")
    await svc.add_group("Data")
    await svc.add_component("API", group="Core", description="REST API")
    await svc.add_component("Web", group="Core")
    await svc.add_component("Database", group="Data")
    await svc.add_component("CDN")
    clock.advance(days=3)
    past = await svc.declare_incident(
        "Slow <database>", message="Looking.", impact="major", components=[("Database", None)]
    )
    clock.advance(hours=2)
    await svc.resolve_incident(past.id, message="Fixed.")
    await svc.set_postmortem(past.id, "## Root cause\n\nA full disk.", publish=False)
    clock.advance(hours=1)
    now = svc.now()
    upcoming = await svc.schedule_maintenance(
        "Network work", start=now + timedelta(days=1), end=now + timedelta(days=1, hours=2),
        components=["CDN"], message="Short **blips** possible.",
    )  # fmt: skip
    current = await svc.declare_incident(
        "API errors",
        message="Hostile: <script>alert(1)</script> [x](javascript:alert(1))"
        ' <img src=x onerror="alert(2)">',
        impact="major",
        components=[("API", "partial_outage")],
    )
    return {"past": past.id, "current": current.id, "upcoming": upcoming.id}


@pytest.fixture
def site(db_path: Path, clock: FakeClock) -> Any:
    ids = seed(db_path, clock, lambda svc: _page(svc, clock))
    with client(db_path, clock, **CONTACTS) as c:
        yield c, ids


def test_home_shows_the_banner_incident_maintenance_and_components(site: Any) -> None:
    c, _ = site
    html = c.get("/").text
    assert "Partial System Outage" in html
    assert "API errors" in html and "Network work" in html
    assert "<strong>blips</strong>" in html
    for name in ("API", "Web", "Database", "CDN", "Core", "Data"):
        assert f">{name}<" in html


def test_a_group_is_expanded_only_when_a_member_is_not_operational(site: Any) -> None:
    c, _ = site
    details = re.findall(
        r"<details( open)?>\s*<summary>.*?<span class=\"name\">(\w+)</span>", c.get("/").text, re.S
    )
    assert {name: bool(is_open) for is_open, name in details} == {"Core": True, "Data": False}


def test_status_is_never_shown_by_colour_alone(site: Any) -> None:
    c, _ = site
    html = c.get("/").text
    statuses = re.findall(r'<p class="status st-(\w+)">(.*?)</p>', html, re.S)
    assert statuses
    for status, inner in statuses:
        assert "<svg" in inner, status
        assert re.sub(r"<[^>]+>", "", inner).strip(), f"{status} has no text"


def test_every_uptime_day_has_text_and_can_take_keyboard_focus(site: Any) -> None:
    c, _ = site
    doc = outline(c.get("/").text)
    bars = doc.find("ol", **{"class": "bar"})
    html = c.get("/").text
    # Each bar is named by its own label (its 90- and 30-day parts shown per width).
    labels = [b.get("aria-labelledby") for b in bars]
    assert len(bars) == 4 and len(set(labels)) == 4
    assert all(f'<span class="visually-hidden" id="{label}">' in html for label in labels)
    days = [a for t, a in doc.tags if t == "li" and (a.get("class") or "").startswith("s-")]
    assert len(days) == 4 * 90
    assert all(d.get("tabindex") == "0" for d in days)
    assert len(re.findall(r"<li class=s-\w+ tabindex=0><span><b>\w+ \d+</b> ", html)) == 4 * 90
    assert "No data" in html  # the days before the components existed


def test_every_time_is_in_a_time_element_in_the_page_zone_with_its_name(site: Any) -> None:
    c, ids = site
    for path in ("/", f"/incidents/{ids['past']}", "/history"):
        times = outline(c.get(path).text).times
        assert times, path
        for stamp, text in times:
            assert stamp is not None and stamp.endswith("Z")
            assert re.search(r"\b(CET|CEST)$", text), text
    assert "All times are shown in Europe/Berlin." in c.get("/").text


def test_update_bodies_are_sanitised_and_titles_escaped(site: Any) -> None:
    c, ids = site
    for path in ("/", f"/incidents/{ids['current']}"):
        html = c.get(path).text
        doc = outline(html)
        assert not doc.find("img")
        assert all(not k.startswith("on") for _, attrs in doc.tags for k in attrs)
        assert not any((a.get("href") or "").startswith("javascript:") for a in doc.find("a"))
        assert [a for a in doc.find("script") if not a.get("src")] == []
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Slow &lt;database&gt;" in c.get(f"/incidents/{ids['past']}").text


def test_the_incident_page_shows_the_timeline_newest_first_and_its_facts(site: Any) -> None:
    c, ids = site
    html = c.get(f"/incidents/{ids['past']}").text
    assert html.index("<h3>Resolved</h3>") < html.index("<h3>Investigating</h3>")
    assert "Duration" in html and "2 h 0 min" in html
    assert "Affected components" in html and "Database" in html
    assert "Major impact" in html
    assert "Root cause" not in html  # the postmortem is not published yet


def test_a_published_postmortem_shows_on_the_incident_page(db_path: Path, clock: FakeClock) -> None:
    async def go(svc: Service) -> str:
        await svc.add_component("API")
        incident = await svc.declare_incident(
            "Outage", message="x", impact="critical", components=[("API", None)]
        )
        await svc.resolve_incident(incident.id)
        await svc.set_postmortem(incident.id, "# Root cause\n\nA full **disk**.", publish=True)
        return incident.id

    incident_id = seed(db_path, clock, go)
    with client(db_path, clock) as c:
        html = c.get(f"/incidents/{incident_id}").text
    assert '<h2 id="postmortem-heading">Postmortem</h2>' in html
    assert "<h3>Root cause</h3>" in html and "<strong>disk</strong>" in html


def test_a_maintenance_page_shows_its_window(site: Any) -> None:
    c, ids = site
    html = c.get(f"/incidents/{ids['upcoming']}").text
    assert "Scheduled window" in html
    assert "Mar 14, 2026, 16:00 CET" in html and "Mar 14, 2026, 18:00 CET" in html


def test_history_lists_incidents_by_month_with_pages_for_older_months(
    db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history_pages, "PER_PAGE", 2)

    async def go(svc: Service) -> None:
        await svc.add_component("API")
        for months_ago, count in ((5, 1), (1, 1), (0, 3)):
            for n in range(count):
                start = svc.now() - timedelta(days=31 * months_ago + 1, hours=n + 1)
                await svc.backfill_incident(
                    f"Incident {months_ago}.{n}", impact="minor", components=[("API", None)],
                    started=start, resolved=start + timedelta(minutes=30), message="Done.",
                )  # fmt: skip

    seed(db_path, clock, go)
    with client(db_path, clock) as c:
        recent = c.get("/history").text
        assert all(f"Incident {m}" in recent for m in ("0.0", "0.2", "1.0", "5.0"))
        assert 'href="/en/history/2025-10"' in recent  # the archive lists every month
        # Pages of a month: the newest at the month's URL, older parts numbered from the oldest.
        newest, oldest = c.get("/history/2026-03").text, c.get("/history/2026-03/1").text
        assert "Incident 0.0" in newest and "Incident 0.1" not in newest
        assert "Incident 0.1" in oldest and "Incident 0.2" in oldest
        assert 'href="/en/history/2026-03/1"' in newest and 'href="/en/history/2026-02"' in oldest
        older = c.get("/history/2025-10").text
        assert "Incident 5.0" in older and "Incident 0.0" not in older
        empty = c.get("/history/2025-11")  # a month without incidents still has a page
        assert "No incidents or maintenance reported this month." in empty.text


def test_the_uptime_pages_show_monthly_figures_and_a_calendar(site: Any) -> None:
    c, _ = site
    overview = c.get("/uptime").text
    assert "March 2026" in overview and "January 2026" in overview
    ids = re.findall(r'href="/en/uptime/(\w+)">API<', overview)
    assert ids
    calendar = c.get(f"/uptime/{ids[0]}").text
    assert "API uptime" in calendar and 'id="d-2026-03-10"' in calendar
    assert "Part of Core" in calendar


def test_components_shown_only_when_degraded_are_hidden_while_operational(
    db_path: Path, clock: FakeClock
) -> None:
    async def go(svc: Service) -> None:
        await svc.add_component("Visible")
        await svc.add_component("Hidden")
        async with svc.store.write() as q:
            await q.execute("UPDATE components SET only_show_if_degraded = 1 WHERE name = 'Hidden'")

    seed(db_path, clock, go)
    with client(db_path, clock) as c:
        html = c.get("/").text
        assert ">Visible<" in html and ">Hidden<" not in html
        assert any(
            x["name"] == "Hidden" for x in c.get("/api/v2/components.json").json()["components"]
        )


def test_contacts_social_handle_and_feeds_are_linked(site: Any) -> None:
    c, _ = site
    links = {a.get("href") for a in outline(c.get("/").text).find("a")}
    expected = {
        "mailto:help@acme.test", "https://acme.test/support", "https://social.example/@acmestatus",
        "/en/history.atom", "/en/history.rss", "/en/feed.json", "/en/maintenance.ics",
        "/en/history", "/en/uptime", "/.well-known/security.txt",
    }  # fmt: skip
    assert expected <= links
    assert "/subscribe" not in links  # this server offers no subscriptions (no secret key)
    assert "Follow @acmestatus" in c.get("/").text


def test_pages_have_landmarks_one_h1_and_no_third_party_assets(site: Any) -> None:
    c, ids = site
    for path in ("/", f"/incidents/{ids['past']}", "/history", "/uptime", "/nope"):
        doc = outline(c.get(path).text)
        names = [t for t, _ in doc.tags]
        assert {"header", "main", "footer", "nav"} <= set(names), path
        assert names.count("h1") == 1, path
        assert doc.find("html", lang="en"), path
        for tag, attrs in doc.tags:
            for key in ("src", "href"):
                value = attrs.get(key) or ""
                if tag in ("script", "link", "img") and value and attrs.get("hreflang") is None:
                    assert value.startswith("/"), f"{path}: {tag} {value}"


def test_an_unknown_page_gets_the_404_page_in_the_same_look(site: Any) -> None:
    c, _ = site
    response = c.get("/incidents/doesnotexist")
    assert response.status_code == 404
    assert "Page not found" in response.text and "/static/style.css" in response.text


def test_a_server_error_gets_the_500_page(db_path: Path, clock: FakeClock) -> None:
    seed(db_path, clock, lambda svc: svc.add_component("API"))
    app: Any = client(db_path, clock).app

    async def boom(request: Any) -> Any:
        raise RuntimeError("boom")

    app.router.add_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/boom")
    assert response.status_code == 500 and "Something went wrong" in response.text


def test_security_txt_follows_rfc_9116(site: Any, clock: FakeClock) -> None:
    c, _ = site
    response = c.get("/.well-known/security.txt")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    fields = dict(line.split(": ", 1) for line in response.text.strip().splitlines())
    assert fields["Contact"] == "mailto:security@acme.test"
    expires = datetime.fromisoformat(fields["Expires"].replace("Z", "+00:00"))
    assert clock.current < expires < clock.current + timedelta(days=366)
    assert fields["Canonical"] == "https://status.acme.test/.well-known/security.txt"


def test_without_any_contact_there_is_no_security_txt(db_path: Path, clock: FakeClock) -> None:
    seed(db_path, clock, lambda svc: svc.add_component("API"))
    with client(db_path, clock) as c:
        assert c.get("/.well-known/security.txt").status_code == 404


def test_robots_sitemap_favicon_and_assets_are_served(site: Any) -> None:
    c, ids = site
    assert "Sitemap: https://status.acme.test/sitemap.xml" in c.get("/robots.txt").text
    assert f"https://status.acme.test/incidents/{ids['past']}" in c.get("/sitemap.xml").text
    assert c.get("/favicon.ico").headers["content-type"] == "image/x-icon"
    css = c.get("/static/style.css")
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    assert "prefers-color-scheme: dark" in css.text
    assert re.search(r'href="/static/style\.css\?v=\w+"', c.get("/").text)


def test_the_page_follows_the_cancelled_maintenance_state(db_path: Path, clock: FakeClock) -> None:
    async def go(svc: Service) -> str:
        await svc.add_component("DB")
        now = svc.now()
        m = await svc.schedule_maintenance(
            "Dropped",
            start=now + timedelta(hours=1),
            end=now + timedelta(hours=2),
            components=["DB"],
        )
        await svc.transition_maintenance(m.id, MaintenanceStatus.CANCELLED)
        return m.id

    maintenance_id = seed(db_path, clock, go)
    with client(db_path, clock) as c:
        assert "Dropped" not in c.get("/").text.split("Past incidents")[0]
        assert "Cancelled" in c.get(f"/incidents/{maintenance_id}").text


def test_a_page_in_another_time_zone_names_that_zone(db_path: Path) -> None:
    clock = FakeClock(datetime(2026, 7, 1, 12, tzinfo=UTC))
    seed(db_path, clock, lambda svc: svc.add_component("API"), tz="America/New_York")
    with client(db_path, clock) as c:
        html = c.get("/").text
    assert "All times are shown in America/New_York." in html
    assert "EDT</time>" in html


class Marked:
    """A pseudo-translation that marks every translated string, to find unwrapped ones."""

    def gettext(self, message: str) -> str:
        return f"‹{message}›"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"‹{singular if n == 1 else plural}›"

    def pgettext(self, context: str, message: str) -> str:
        return f"‹{message}›"

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return self.ngettext(singular, plural, n)


def test_page_text_goes_through_gettext(
    db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("statuspage.site.render.Translations.load", lambda *a, **k: Marked())
    seed(db_path, clock, lambda svc: _page(svc, clock))
    with client(db_path, clock) as c:
        html = c.get("/").text
    for text in ("Components", "Skip to content", "Get updates", "Partial System Outage",
                 "Operational", "Active incidents", "Past incidents", "Today"):  # fmt: skip
        assert f"‹{text}" in html, text
    visible = re.sub(r"<[^>]+>", "\n", html.split("<body>")[1])
    words = [w.strip() for w in visible.split("\n") if w.strip()]
    data = {"Network work", "API errors", "REST API", "Looking.", "Fixed."}  # titles and bodies
    sentences = [w for w in words if re.fullmatch(r"[A-Z][a-z]+( [a-z]+)+\.?", w)]
    assert [w for w in sentences if w not in data] == []
