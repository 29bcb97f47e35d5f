"""/uptime: the month columns and the "Past 90 days" figure cover days a reader can match."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from statuspage.service import Service
from tests.conftest import FakeClock
from tests.site_helpers import client, seed

TODAY = datetime(2026, 12, 3, 12, tzinfo=UTC)  # the 90 days run from 5 Sep


def cells(html: str, name: str) -> list[str]:
    """A row's cells as read aloud: an icon by its label, then the figure."""
    row = re.search(
        r'<tr[^>]*>\s*<th scope="row">(?:(?!</tr>).)*>' + name + r"<.*?</tr>", html, re.S
    )
    assert row, html
    found = re.findall(r"<td>(.*?)</td>", row.group(0))
    spoken = [re.sub(r'<svg[^>]*aria-label="([^"]*)"[^>]*>', r"\1 ", td) for td in found]
    return [re.sub(r"<[^>]+>", "", td).strip() for td in spoken]


def headers(html: str) -> list[str]:
    head = html.split("<thead>")[1].split("</thead>")[0]
    return [
        re.sub(r"<[^>]+>", " ", th).split()
        for th in re.findall(r"<th scope=\"col\">(.*?)</th>", head)
    ]


def outage_on(db_path: Path, clock: FakeClock, day: date) -> None:
    async def go(svc: Service) -> None:
        await svc.add_component("API", start_date=date(2026, 1, 1))
        start = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
        await svc.backfill_incident(
            "Old outage", impact="major", components=[("API", "major_outage")],
            started=start, resolved=start + timedelta(hours=1), message="Done.",
        )  # fmt: skip

    clock.current = TODAY  # the component counts from 1 Jan (its start date)
    seed(db_path, clock, go)


def test_an_outage_in_the_90_days_shows_in_a_month_column(db_path: Path, clock: FakeClock) -> None:
    """Before, September had no column: 100% every month but 99.95% over 90 days."""
    outage_on(db_path, clock, date(2026, 9, 10))
    with client(db_path, clock) as c:
        html = c.get("/uptime").text
        russian, chinese = c.get("/ru/uptime").text, c.get("/zh-Hans/uptime").text
    assert " ".join(headers(russian)[1]) == "Сентябрь 2026 г., с 5 сентября"
    assert " ".join(headers(chinese)[1]) == "2026年9月，自9月5日起"
    assert [" ".join(h) for h in headers(html)] == [
        "Component",
        "September 2026, from Sep 5",
        "October 2026",
        "November 2026",
        "December 2026",
        "Past 90 days Sep 5 – Dec 3",
    ]
    september, october, november, december, ninety = cells(html, "API")
    assert (october, november, december) == ("100.00%", "100.00%", "100.00%")
    assert september != "100.00%" and september.startswith("Major outage")
    assert ninety != "100.00%" and ninety.startswith("Major outage")
    assert "The past 90 days run from Sep 5 to today (Dec 3)." in html


def test_an_outage_before_the_90_days_is_in_no_column(db_path: Path, clock: FakeClock) -> None:
    outage_on(db_path, clock, date(2026, 9, 2))  # September, but before 5 Sep
    with client(db_path, clock) as c:
        html = c.get("/uptime").text
    assert cells(html, "API") == ["100.00%"] * 5


def test_when_the_90_days_start_on_a_first_there_is_no_partial_column(
    db_path: Path, clock: FakeClock
) -> None:
    outage_on(db_path, clock, date(2026, 9, 10))
    clock.current = datetime(2026, 12, 29, 12, tzinfo=UTC)  # 90 days from 1 Oct
    with client(db_path, clock) as c:
        html = c.get("/uptime").text
    labels = [" ".join(h) for h in headers(html)]
    assert labels[1:] == [
        "October 2026",
        "November 2026",
        "December 2026",
        "Past 90 days Oct 1 – Dec 29",
    ]
    assert cells(html, "API") == ["100.00%"] * 4
