"""A finished maintenance is filed and shown by when it really ran, its plan beside it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from statuspage.model import MaintenanceStatus
from statuspage.service import Service
from tests.conftest import FakeClock
from tests.site_helpers import client, seed

# Planned for 1 Dec 03:00-04:00 Berlin; started and completed on 30 Nov (the day before).
PLAN = datetime(2026, 12, 1, 2, tzinfo=UTC)
RAN = datetime(2026, 11, 30, 10, tzinfo=UTC)


def early(db_path: Path, clock: FakeClock) -> str:
    async def go(svc: Service) -> str:
        await svc.add_component("DB")
        m = await svc.schedule_maintenance(
            "Disk swap", start=PLAN, end=PLAN + timedelta(hours=1), components=["DB"]
        )
        clock.current = RAN
        await svc.transition_maintenance(m.id, MaintenanceStatus.IN_PROGRESS)
        clock.advance(minutes=30)
        await svc.transition_maintenance(m.id, MaintenanceStatus.COMPLETED)
        return m.id

    clock.current = RAN - timedelta(days=2)
    found = seed(db_path, clock, go)
    clock.current = datetime(2026, 12, 2, 12, tzinfo=UTC)
    return found


def times(html: str) -> list[str]:
    return re.findall(r'<time datetime="([^"]+)"', html)


def item(html: str, name: str) -> str:
    """The list item that names `name`."""
    found = re.search(
        r'<li class="item">(?:(?!</li>).)*' + name + r"(?:(?!</li>).)*</li>", html, re.S
    )
    assert found, html
    return found.group(0)


def test_history_files_an_early_maintenance_in_the_month_it_ran(
    db_path: Path, clock: FakeClock
) -> None:
    early(db_path, clock)
    with client(db_path, clock) as c:
        assert "Disk swap" in c.get("/history/2026-11").text
        assert "Disk swap" not in c.get("/history/2026-12").text
        recent = c.get("/history").text
        sections = re.findall(r'<section class="month".*?</section>', recent, re.S)
        (holding,) = [s for s in sections if "Disk swap" in s]
        assert ">November 2026</h2>" in holding
        shown = item(recent, "Disk swap")
        # The actual window first, then the plan it differed from.
        assert times(shown) == [
            "2026-11-30T10:00:00Z",
            "2026-11-30T10:30:00Z",
            "2026-12-01T02:00:00Z",
            "2026-12-01T03:00:00Z",
        ]
        assert "Planned: " in shown
        assert "По плану: " in item(c.get("/ru/history").text, "Disk swap")
        assert "计划：" in item(c.get("/zh-Hans/history").text, "Disk swap")


def test_the_home_page_lists_it_on_the_day_it_ran(db_path: Path, clock: FakeClock) -> None:
    early(db_path, clock)
    with client(db_path, clock) as c:
        past = c.get("/").text.split("Past incidents")[1]
        days = dict(
            re.findall(
                r'<h3 class="day">([^<]+)</h3>\s*(.*?)(?=<h3 class="day">|</section>)', past, re.S
            )
        )
        assert "Disk swap" in days["Nov 30, 2026"]
        assert "Disk swap" not in days["Dec 1, 2026"]


def test_a_maintenance_that_ran_as_planned_shows_one_window(
    db_path: Path, clock: FakeClock
) -> None:
    async def go(svc: Service) -> None:
        await svc.add_component("DB")
        m = await svc.schedule_maintenance(
            "On time", start=PLAN, end=PLAN + timedelta(hours=1), components=["DB"]
        )
        clock.current = PLAN + timedelta(seconds=20)  # the ticker is a few seconds late
        await svc.transition_maintenance(m.id, MaintenanceStatus.IN_PROGRESS)
        clock.current = PLAN + timedelta(hours=1, seconds=20)
        await svc.transition_maintenance(m.id, MaintenanceStatus.COMPLETED)

    clock.current = PLAN - timedelta(days=1)
    seed(db_path, clock, go)
    clock.current = PLAN + timedelta(days=1)
    with client(db_path, clock) as c:
        shown = item(c.get("/history").text, "On time")
        assert len(times(shown)) == 2 and "Planned" not in shown


def test_an_early_start_shows_on_the_notice_while_it_runs(db_path: Path, clock: FakeClock) -> None:
    async def go(svc: Service) -> None:
        await svc.add_component("DB")
        m = await svc.schedule_maintenance(
            "Disk swap", start=PLAN, end=PLAN + timedelta(hours=1), components=["DB"]
        )
        clock.current = RAN
        await svc.transition_maintenance(m.id, MaintenanceStatus.IN_PROGRESS)

    clock.current = RAN - timedelta(days=1)
    seed(db_path, clock, go)
    with client(db_path, clock) as c:
        notice = re.search(r'<article class="notice.*?</article>', c.get("/").text, re.S)
        assert notice and "Disk swap" in notice.group(0)
        assert "Started" in notice.group(0) and "Planned: " in notice.group(0)
        assert times(notice.group(0))[:3] == [
            "2026-11-30T10:00:00Z",
            "2026-12-01T02:00:00Z",
            "2026-12-01T03:00:00Z",
        ]


def test_its_page_and_the_api_keep_the_plan_and_the_actual_times_apart(
    db_path: Path, clock: FakeClock
) -> None:
    maintenance_id = early(db_path, clock)
    with client(db_path, clock) as c:
        page = c.get(f"/incidents/{maintenance_id}").text
        facts = page.split('<dl class="facts">')[1].split("</dl>")[0]
        assert "Scheduled window" in facts and "Started" in facts and "Ended" in facts
        assert times(facts) == [
            "2026-12-01T02:00:00Z",
            "2026-12-01T03:00:00Z",
            "2026-11-30T10:00:00Z",
            "2026-11-30T10:30:00Z",
        ]
        (m,) = c.get("/api/v2/scheduled-maintenances.json").json()["scheduled_maintenances"]
        # As Statuspage: scheduled_* stay the plan, started_at/resolved_at are when it ran.
        assert (m["scheduled_for"], m["scheduled_until"]) == (
            "2026-12-01T02:00:00.000Z",
            "2026-12-01T03:00:00.000Z",
        )
        assert (m["started_at"], m["resolved_at"]) == (
            "2026-11-30T10:00:00.000Z",
            "2026-11-30T10:30:00.000Z",
        )
