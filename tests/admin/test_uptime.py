"""Manage API: a component's uptime over a range of days, from its real recorded history.

The page (Europe/Berlin) and its components are created on 2026-03-10 at 13:00 local time;
no day from 2026-03-11 to 2026-03-28 has a DST change, so each lasts 86,400 seconds.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from statuspage.admin.uptime import PARTIAL_DATE
from statuspage.site.snapshot import SnapshotReader
from statuspage.site.uptime_view import UptimeView
from statuspage.storage import Store
from statuspage.uptime import percent
from tests.admin.conftest import Api
from tests.admin.test_openapi import document, validator
from tests.conftest import FakeClock

LATER = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def uptime(api: Api, component: str = "API", scope: str = "read", **params: str) -> Any:
    return api.ok("GET", f"/components/{api.id_of(component)}/uptime", scope=scope, params=params)


def refusal(api: Api, status: int = 422, **params: str) -> str:
    response = api.request("GET", f"/components/{api.id_of('API')}/uptime", params=params)
    assert response.status_code == status, response.text
    return str(response.json()["error"])


def declare(api: Api, name: str, **components: str) -> str:
    body = {"incident": {"name": name, "components": components}}
    return str(api.ok("POST", "/incidents", 201, json=body)["id"])


def change(api: Api, incident_id: str, **incident: Any) -> None:
    api.ok("PATCH", f"/incidents/{incident_id}", json={"incident": incident})


def outage(api: Api, clock: FakeClock, name: str, start: str, minutes: float, **status: str) -> str:
    """An incident holding components in `status` for `minutes` from `start` (UTC), resolved."""
    clock.current = utc(start)
    incident_id = declare(api, name, **{api.id_of(c): s for c, s in status.items()})
    clock.advance(minutes=minutes)
    change(api, incident_id, status="resolved")
    return incident_id


def test_a_major_hour_and_two_partial_hours_in_ten_days_count_exactly(
    api: Api, clock: FakeClock
) -> None:
    api_id = api.id_of("API")
    clock.current = utc("2026-03-13T09:00:00")
    incident_id = declare(api, "API errors", **{api_id: "major_outage"})
    clock.advance(hours=1)
    change(api, incident_id, components={api_id: "partial_outage"})
    clock.advance(hours=2)
    change(api, incident_id, components={api_id: "degraded_performance"})  # not downtime
    clock.advance(hours=1)
    change(api, incident_id, status="resolved")
    clock.current = LATER
    assert uptime(api, start="2026-03-11", end="2026-03-20") == {
        "id": api_id,
        "name": "API",
        "range_start": "2026-03-11",
        "range_end": "2026-03-20",
        "uptime_percentage": 99.33,  # 1 - (3600 + 0.3 * 7200) / 864000 = 0.993333...
        "major_outage": 3600,
        "partial_outage": 7200,
        "warnings": [],
        "related_events": [{"id": incident_id, "name": "API errors"}],
    }
    web = uptime(api, component="Web", start="2026-03-11", end="2026-03-20")
    assert (web["uptime_percentage"], web["related_events"]) == (100.0, [])


def test_an_outage_spanning_the_range_start_counts_only_inside_the_range(
    api: Api, clock: FakeClock
) -> None:
    # 23:00 to 01:00 in Berlin: one hour on each side of midnight.
    incident_id = outage(api, clock, "Night", "2026-03-14T22:00:00", 120, API="major_outage")
    clock.current = LATER
    after = uptime(api, start="2026-03-15", end="2026-03-15")
    assert (after["major_outage"], after["uptime_percentage"]) == (3600, 95.83)
    assert after["related_events"] == [{"id": incident_id, "name": "Night"}]
    before = uptime(api, start="2026-03-14", end="2026-03-14")
    assert before["major_outage"] == 3600
    assert uptime(api, start="2026-03-14", end="2026-03-15")["major_outage"] == 7200
    assert uptime(api, start="2026-03-16", end="2026-03-20")["related_events"] == []


def test_a_backfilled_incident_counts_and_is_listed(api: Api, clock: FakeClock) -> None:
    clock.current = LATER
    created = api.ok(
        "POST",
        "/incidents",
        201,
        json={
            "incident": {
                "name": "Lost logs",
                "backfilled": True,
                "backfill_date": "2026-03-12T01:00:00Z",
                "backfill_resolved_at": "2026-03-12T01:30:00Z",
                "components": {api.id_of("API"): "major_outage"},
                "body": "Logins failed for half an hour.",
            }
        },
    )
    day = uptime(api, start="2026-03-12", end="2026-03-12")
    assert (day["major_outage"], day["partial_outage"]) == (1800, 0)
    assert day["uptime_percentage"] == 97.91  # 1 - 1800 / 86400 = 0.979166..., rounded down
    assert day["related_events"] == [{"id": created["id"], "name": "Lost logs"}]
    assert uptime(api, component="Web", start="2026-03-12", end="2026-03-12")["major_outage"] == 0


def test_related_events_are_the_incidents_that_changed_this_component_in_the_range(
    api: Api, clock: FakeClock
) -> None:
    first = outage(api, clock, "API down", "2026-03-12T10:00:00", 10, API="major_outage")
    outage(api, clock, "Web down", "2026-03-13T10:00:00", 10, Web="major_outage")  # not API's
    clock.current = utc("2026-03-14T09:00:00")
    window = api.ok(
        "POST",
        "/incidents",
        201,
        json={
            "incident": {
                "name": "Upgrade",
                "scheduled_for": "2026-03-14T10:00:00Z",
                "scheduled_until": "2026-03-14T12:00:00Z",
                "component_ids": ["API"],
            }
        },
    )
    clock.current = utc("2026-03-14T10:00:00")
    change(api, window["id"], status="in_progress")
    clock.advance(hours=2)
    change(api, window["id"], status="completed")
    clock.current = utc("2026-03-15T10:00:00")
    spreading = declare(api, "Spreading", Web="major_outage")
    clock.current = utc("2026-03-17T10:00:00")  # reaches the API two days later
    change(api, spreading, components={api.id_of("API"): "major_outage"})
    clock.advance(minutes=10)
    change(api, spreading, status="resolved")
    later = outage(api, clock, "API slow", "2026-03-18T10:00:00", 10, API="partial_outage")
    clock.current = LATER
    early = uptime(api, start="2026-03-11", end="2026-03-15")
    assert early["related_events"] == [{"id": first, "name": "API down"}]
    assert (early["major_outage"], early["partial_outage"]) == (600, 0)  # maintenance: none
    both = uptime(api, start="2026-03-11", end="2026-03-20")["related_events"]
    assert [e["id"] for e in both] == [first, spreading, later]


def test_the_default_range_is_the_last_90_days_from_when_history_begins(
    api: Api, clock: FakeClock
) -> None:
    clock.current = LATER
    young = uptime(api)
    assert (young["range_start"], young["range_end"], young["warnings"]) == (
        "2026-03-10",
        "2026-03-25",
        [],
    )
    api.ok("PATCH", "/components/API", json={"component": {"start_date": "2025-01-01"}})
    old = uptime(api)
    assert (old["range_start"], old["range_end"]) == ("2025-12-26", "2026-03-25")


def test_a_range_reaching_before_the_component_existed_is_clipped_with_a_warning(
    api: Api, clock: FakeClock
) -> None:
    clock.current = LATER
    clipped = uptime(api, start="2026-01-01", end="2026-03-20")
    assert clipped["range_start"] == "2026-03-10" and clipped["uptime_percentage"] == 100.0
    assert clipped["warnings"] == [
        "start 2026-01-01 is before the component's history begins (its creation or "
        "start_date): range_start is 2026-03-10"
    ]


def test_a_range_reaching_into_the_future_ends_today_with_a_warning(
    api: Api, clock: FakeClock
) -> None:
    clock.current = LATER
    outage(api, clock, "Now", "2026-03-25T11:00:00", 30, API="major_outage")
    clock.current = LATER  # 13:00 in Berlin: 13 hours of today observed
    today = uptime(api, start="2026-03-25", end="2026-12-31")
    assert (today["range_start"], today["range_end"]) == ("2026-03-25", "2026-03-25")
    assert today["warnings"] == [
        "end 2026-12-31 is after today: range_end is today, 2026-03-25, up to now"
    ]
    assert today["major_outage"] == 1800
    assert today["uptime_percentage"] == 96.15  # 1 - 1800 / (13 * 3600) = 0.961538...


def test_partial_dates_stand_for_the_first_or_last_day_of_a_month_or_year(
    api: Api, clock: FakeClock
) -> None:
    clock.current = LATER
    month = uptime(api, start="2026-03", end="2026-03")
    assert (month["range_start"], month["range_end"]) == ("2026-03-10", "2026-03-25")
    assert len(month["warnings"]) == 2  # 2026-03-01 and 2026-03-31 both moved
    api.ok("PATCH", "/components/API", json={"component": {"start_date": "2020-01-01"}})
    year = uptime(api, start="2025", end="2025")
    assert (year["range_start"], year["range_end"], year["warnings"]) == (
        "2025-01-01",
        "2025-12-31",
        [],
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"start": "2026-03-20", "end": "2026-03-11"}, "end (2026-03-11) is before start"),
        (
            {"start": "last week"},
            "start must be a day from 1970-01-01",
        ),
        (
            {"end": "2026-02-30"},
            "end must be a day from 1970-01-01 to 2999-12-31 such as 2026-03-10",
        ),
        (
            {"start": "2026-13"},
            "start must be a day from 1970-01-01 to 2999-12-31 such as 2026-03-10",
        ),
        ({"start": "2026-04-01"}, "start (2026-04-01) is after today (2026-03-25"),
        ({"start": "2026-01-01", "end": "2026-02-01"}, "history begins on 2026-03-10"),
    ],
)
def test_a_range_that_cannot_be_answered_is_refused_with_a_clear_error(
    api: Api, clock: FakeClock, params: dict[str, str], expected: str
) -> None:
    clock.current = LATER
    assert expected in refusal(api, **params)


def test_an_end_before_the_default_start_asks_for_a_start(api: Api, clock: FakeClock) -> None:
    clock.current = LATER
    api.ok("PATCH", "/components/API", json={"component": {"start_date": "2025-01-01"}})
    assert "end (2025-06-01) is before the default start (2025-12-26" in refusal(
        api, end="2025-06-01"
    )
    assert uptime(api, start="2025-05-01", end="2025-06-01")["range_end"] == "2025-06-01"


def test_six_years_are_answered_and_a_day_more_is_refused(api: Api, clock: FakeClock) -> None:
    clock.current = LATER
    api.ok("PATCH", "/components/API", json={"component": {"start_date": "2019-01-01"}})
    six = uptime(api, start="2020-01-01", end="2025-12-31")  # 2,192 days: two leap days
    assert (six["range_start"], six["range_end"]) == ("2020-01-01", "2025-12-31")
    error = refusal(api, start="2019-12-31", end="2025-12-31")
    assert "longer than six years" in error


def test_a_read_key_is_enough_and_no_key_is_refused(api: Api) -> None:
    assert uptime(api, scope="read")["id"] == api.id_of("API")
    path = f"/v1/pages/{api.page_id}/components/{api.id_of('API')}/uptime"
    anonymous = api.client.get(path)
    assert anonymous.status_code == 401 and "WWW-Authenticate" in anonymous.headers
    assert "error" in anonymous.json()


def test_a_component_group_or_unknown_id_is_not_found(api: Api) -> None:
    group = api.request("GET", "/components/Core/uptime", scope="read")
    assert group.status_code == 404
    assert group.json()["error"] == (
        "'Core' is a component group; uptime is given per component (its components: API)"
    )
    unknown = api.request("GET", "/components/nope/uptime", scope="read")
    assert unknown.status_code == 404 and "unknown component 'nope'" in unknown.json()["error"]


def test_the_answer_matches_its_documented_schema_and_parameters(
    api: Api, clock: FakeClock
) -> None:
    outage(api, clock, "API errors", "2026-03-12T10:00:00", 90, API="partial_outage")
    clock.current = LATER
    doc = document(api)
    answer = uptime(api, start="2026-03-01", end="2026-12-31")
    assert [e.message for e in validator(doc, "ComponentUptime").iter_errors(answer)] == []
    operation = doc["paths"]["/v1/pages/{page_id}/components/{component_id}/uptime"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["start"]["schema"]["pattern"] == PARTIAL_DATE
    assert params["end"]["in"] == "query" and not params["end"]["required"]


def test_the_default_range_gives_the_page_s_own_90_day_figure(
    api: Api, clock: FakeClock, db_path: Path
) -> None:
    outage(api, clock, "API errors", "2026-03-12T10:00:00", 95, API="major_outage")
    api.ok(
        "POST",
        "/incidents",
        201,
        json={
            "incident": {
                "name": "Earlier",
                "backfilled": True,
                "backfill_date": "2026-03-11T08:00:00Z",
                "backfill_resolved_at": "2026-03-11T09:10:00Z",
                "components": {api.id_of("API"): "partial_outage"},
                "body": "Slow for 70 minutes.",
            }
        },
    )
    clock.current = LATER

    async def page_figure() -> float | None:
        store = await Store.open(db_path)
        try:
            snap = await SnapshotReader(store, clock).read()
        finally:
            await store.close()
        return UptimeView().compute(snap)[api.id_of("API")].figure

    figure = asyncio.run(page_figure())
    assert figure is not None and figure < 1
    assert f"{uptime(api)['uptime_percentage']:.2f}" == percent(figure)
