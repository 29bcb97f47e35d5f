"""Feeds, read back with real parsers: feedparser (RSS, Atom), json, icalendar."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import feedparser
import icalendar
import pytest

from statuspage.model import MaintenanceStatus
from statuspage.service import Service
from tests.conftest import FakeClock
from tests.site_helpers import client, seed


async def _history(svc: Service, clock: FakeClock) -> dict[str, str]:
    await svc.add_component("API")
    await svc.add_component("DB")
    first = await svc.declare_incident(
        "API errors & timeouts", message="Investigating <errors>.", impact="major",
        components=[("API", None)],
    )  # fmt: skip
    clock.advance(minutes=20)
    await svc.update_incident(first.id, message="Still looking.")  # same status: "Update"
    clock.advance(minutes=20)
    await svc.resolve_incident(first.id, message="Resolved, all good.")
    clock.advance(hours=1)
    now = svc.now()
    planned = await svc.schedule_maintenance(
        "DB upgrade; phase 1, with commas", start=now + timedelta(days=1),
        end=now + timedelta(days=1, hours=2), components=["DB"],
        message="A very long maintenance description " * 5,
    )  # fmt: skip
    dropped = await svc.schedule_maintenance(
        "Dropped", start=now + timedelta(days=2), end=now + timedelta(days=2, hours=1),
        components=["DB"],
    )  # fmt: skip
    await svc.transition_maintenance(dropped.id, MaintenanceStatus.CANCELLED)
    return {"incident": first.id, "planned": planned.id, "dropped": dropped.id}


@pytest.fixture
def feeds(db_path: Path, clock: FakeClock) -> Any:
    ids = seed(db_path, clock, lambda svc: _history(svc, clock))
    with client(db_path, clock) as c:
        yield c, ids


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/history.rss", "application/rss+xml"), ("/history.atom", "application/atom+xml")],
)
def test_rss_and_atom_parse_cleanly_with_one_entry_per_incident_newest_first(
    feeds: Any, path: str, content_type: str
) -> None:
    c, ids = feeds
    response = c.get(path)
    assert response.headers["content-type"].startswith(content_type)
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    titles = [e.title for e in parsed.entries]
    assert titles == ["Dropped", "DB upgrade; phase 1, with commas", "API errors & timeouts"]
    incident = parsed.entries[2]
    # The link leads to the page in the feed's language tree; the id stays the unprefixed URL
    # it was before there were trees, so subscribed readers see no entry twice.
    url = f"https://status.acme.test/incidents/{ids['incident']}"
    assert incident.link == url.replace(".test/", ".test/en/") and incident.id == url


@pytest.mark.parametrize("path", ["/history.rss", "/history.atom"])
def test_each_feed_links_to_the_page_and_to_itself(feeds: Any, path: str) -> None:
    c, _ = feeds
    parsed = feedparser.parse(c.get(path).content)
    links = {link.rel: link.href for link in parsed.feed.links}
    assert parsed.feed.link == "https://status.acme.test/en/"
    assert links["self"] == "https://status.acme.test/en" + path


def test_entries_come_in_the_order_of_their_publication(db_path: Path, clock: FakeClock) -> None:
    async def history(svc: Service) -> None:
        await svc.add_component("API")
        now = svc.now()
        await svc.schedule_maintenance(  # created first, for a window far ahead
            "Later window", start=now + timedelta(days=9), end=now + timedelta(days=9, hours=1),
            components=["API"],
        )  # fmt: skip
        clock.advance(hours=1)
        await svc.declare_incident(
            "Newest", message="m", impact="minor", components=[("API", None)]
        )

    seed(db_path, clock, history)
    with client(db_path, clock) as c:
        for path in ("/history.rss", "/history.atom"):
            parsed = feedparser.parse(c.get(path).content)
            assert [e.title for e in parsed.entries] == ["Newest", "Later window"]
        items = json.loads(c.get("/feed.json").content)["items"]
        assert [i["title"] for i in items] == ["Newest", "Later window"]
        assert items[1]["tags"] == ["maintenance"]  # not twice
        assert items[0]["tags"] == ["incident", "minor"]


def test_an_entry_lists_updates_newest_first_with_time_and_bold_label(feeds: Any) -> None:
    c, _ = feeds
    entry = feedparser.parse(c.get("/history.atom").content).entries[2]
    html = entry.content[0].value
    labels = [
        "<strong>Resolved</strong>",
        "<strong>Update</strong>",
        "<strong>Investigating</strong>",
    ]
    positions = [html.index(label) for label in labels]
    assert positions == sorted(positions)
    assert "Mar 10, 2026, 13:00 CET" in html  # the page's zone, with its name
    assert "Investigating &lt;errors&gt;." in html


def test_rss_items_carry_the_html_description(feeds: Any) -> None:
    c, _ = feeds
    item = feedparser.parse(c.get("/history.rss").content).entries[2]
    assert "<strong>Resolved</strong>" in item.summary
    assert item.guidislink is False or item.id.startswith("https://status.acme.test/incidents/")


def test_the_json_feed_follows_version_1_1(feeds: Any) -> None:
    c, ids = feeds
    response = c.get("/feed.json")
    assert response.headers["content-type"].startswith("application/feed+json")
    body = json.loads(response.content)
    assert body["version"] == "https://jsonfeed.org/version/1.1"
    assert body["home_page_url"] == "https://status.acme.test/en/"
    assert body["feed_url"] == "https://status.acme.test/en/feed.json"
    item = body["items"][2]
    assert item["id"] == f"https://status.acme.test/incidents/{ids['incident']}"
    assert item["title"] == "API errors & timeouts"
    assert "<strong>Resolved</strong>" in item["content_html"]
    assert item["date_published"].endswith("Z") and item["date_modified"].endswith("Z")


def test_the_maintenance_calendar_has_one_event_per_window_with_stable_uids(feeds: Any) -> None:
    c, ids = feeds
    first = c.get("/maintenance.ics")
    assert first.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(first.content)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        f"{ids['planned']}@status.acme.test",
        f"{ids['dropped']}@status.acme.test",
    }
    planned = events[f"{ids['planned']}@status.acme.test"]
    assert str(planned["SUMMARY"]) == "DB upgrade; phase 1, with commas"
    assert str(planned["STATUS"]) == "CONFIRMED"
    assert planned.decoded("DTEND") - planned.decoded("DTSTART") == timedelta(hours=2)
    assert "A very long maintenance description" in str(planned["DESCRIPTION"])
    assert str(events[f"{ids['dropped']}@status.acme.test"]["STATUS"]) == "CANCELLED"
    assert all(len(line) <= 75 for line in first.content.split(b"\r\n"))


def test_an_ongoing_maintenance_stays_in_the_calendar_and_completed_ones_leave(
    db_path: Path, clock: FakeClock
) -> None:
    async def go(svc: Service) -> dict[str, str]:
        await svc.add_component("DB")
        now = svc.now()
        running = await svc.schedule_maintenance(
            "Running", start=now + timedelta(minutes=1), end=now + timedelta(hours=1),
            components=["DB"],
        )  # fmt: skip
        done = await svc.schedule_maintenance(
            "Done", start=now + timedelta(minutes=1), end=now + timedelta(minutes=2),
            components=["DB"], auto_complete=True,
        )  # fmt: skip
        clock.advance(minutes=1, seconds=30)
        await svc.tick()
        clock.advance(minutes=1)
        await svc.tick()
        return {"running": running.id, "done": done.id}

    ids = seed(db_path, clock, go)
    with client(db_path, clock) as c:
        calendar = icalendar.Calendar.from_ical(c.get("/maintenance.ics").content)
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert uids == [f"{ids['running']}@status.acme.test"]
