"""Uptime: time-weighted per day in the page's time zone, with no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from statuspage.model import ChangeCause, ComponentStatus, StatusChange
from statuspage.uptime import (
    Day,
    Event,
    Interval,
    component_days,
    day_bounds,
    day_range,
    existence_start,
    group_days,
    overall,
    percent,
)

BERLIN = ZoneInfo("Europe/Berlin")
OP, DEG, PART, MAJOR, MAINT = (
    ComponentStatus.OPERATIONAL,
    ComponentStatus.DEGRADED_PERFORMANCE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.MAJOR_OUTAGE,
    ComponentStatus.UNDER_MAINTENANCE,
)
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)  # type: ignore[misc]


def history(*steps: tuple[datetime, ComponentStatus]) -> list[StatusChange]:
    """A component created operational on Jan 1, then the given changes."""
    changes = [StatusChange("c1", CREATED, None, OP, ChangeCause.MANUAL)]
    previous = OP
    for at, status in steps:
        changes.append(StatusChange("c1", at, previous, status, ChangeCause.INCIDENT, "i1"))
        previous = status
    return changes


def days_of(
    days: list[date],
    changes: list[StatusChange],
    now: datetime,
    overlays: tuple[Interval, ...] = (),
    events: tuple[Event, ...] = (),
    begins: datetime = CREATED,
) -> list[Day]:
    return component_days(
        days, BERLIN, changes=changes, overlays=overlays, events=events, begins=begins, now=now
    )


def test_a_one_hour_major_outage_costs_one_twenty_fourth_of_the_day() -> None:
    changes = history((berlin(2026, 2, 3, 10), MAJOR), (berlin(2026, 2, 3, 11), OP))
    (day,) = days_of([date(2026, 2, 3)], changes, now=berlin(2026, 2, 10))
    assert day.uptime == pytest.approx(1 - 1 / 24)
    assert day.major_seconds == 3600 and day.worst is MAJOR


def test_a_partial_outage_counts_at_thirty_percent() -> None:
    changes = history((berlin(2026, 2, 3, 0), PART), (berlin(2026, 2, 3, 10), OP))
    (day,) = days_of([date(2026, 2, 3)], changes, now=berlin(2026, 2, 10))
    assert day.uptime == pytest.approx(1 - 0.3 * 10 / 24)
    assert day.partial_seconds == 36000


def test_degraded_performance_and_maintenance_do_not_count_as_downtime() -> None:
    changes = history(
        (berlin(2026, 2, 3, 1), DEG), (berlin(2026, 2, 3, 5), MAINT), (berlin(2026, 2, 3, 9), OP)
    )
    (day,) = days_of([date(2026, 2, 3)], changes, now=berlin(2026, 2, 10))
    assert day.uptime == 1.0
    assert day.worst is DEG  # still coloured: degraded ranks above maintenance


def test_an_outage_spanning_midnight_is_split_between_the_two_local_days() -> None:
    changes = history((berlin(2026, 2, 3, 22), MAJOR), (berlin(2026, 2, 4, 3), OP))
    first, second = days_of([date(2026, 2, 3), date(2026, 2, 4)], changes, now=berlin(2026, 2, 9))
    assert first.major_seconds == 2 * 3600 and second.major_seconds == 3 * 3600
    assert first.uptime == pytest.approx(1 - 2 / 24)
    assert second.uptime == pytest.approx(1 - 3 / 24)


def test_days_follow_the_page_time_zone_not_utc() -> None:
    # 23:30 UTC on Feb 3 is 00:30 on Feb 4 in Berlin.
    at = datetime(2026, 2, 3, 23, 30, tzinfo=UTC)
    changes = history((at, MAJOR), (at + timedelta(minutes=30), OP))
    feb3, feb4 = days_of([date(2026, 2, 3), date(2026, 2, 4)], changes, now=berlin(2026, 2, 9))
    assert feb3.uptime == 1.0 and feb4.major_seconds == 1800


def test_the_spring_dst_day_has_23_hours() -> None:
    day = date(2026, 3, 29)  # clocks go forward in Berlin
    start, end = day_bounds(day, BERLIN)
    assert end - start == timedelta(hours=23)
    changes = history((berlin(2026, 3, 29, 12), MAJOR), (berlin(2026, 3, 29, 13), OP))
    (result,) = days_of([day], changes, now=berlin(2026, 4, 2))
    assert result.uptime == pytest.approx(1 - 1 / 23)
    assert result.observed_seconds == 23 * 3600


def test_the_autumn_dst_day_has_25_hours() -> None:
    day = date(2026, 10, 25)  # clocks go back in Berlin
    changes = history((berlin(2026, 10, 25, 12), MAJOR), (berlin(2026, 10, 25, 13), OP))
    (result,) = days_of([day], changes, now=berlin(2026, 11, 2))
    assert result.uptime == pytest.approx(1 - 1 / 25)


def test_an_outage_across_the_dst_change_night_counts_real_hours() -> None:
    # 00:00 -> 04:00 local on the spring-forward night is 3 real hours.
    changes = history((berlin(2026, 3, 29, 0), MAJOR), (berlin(2026, 3, 29, 4), OP))
    (result,) = days_of([date(2026, 3, 29)], changes, now=berlin(2026, 4, 2))
    assert result.major_seconds == 3 * 3600


def test_today_counts_only_up_to_now() -> None:
    changes = history((berlin(2026, 2, 3, 10), MAJOR), (berlin(2026, 2, 3, 11), OP))
    (today,) = days_of([date(2026, 2, 3)], changes, now=berlin(2026, 2, 3, 12))
    assert today.uptime == pytest.approx(1 - 1 / 12)


def test_an_outage_still_going_on_counts_up_to_now() -> None:
    changes = history((berlin(2026, 2, 3, 6), MAJOR))
    (today,) = days_of([date(2026, 2, 3)], changes, now=berlin(2026, 2, 3, 12))
    assert today.uptime == pytest.approx(0.5)


def test_days_before_a_component_existed_have_no_data() -> None:
    created = berlin(2026, 2, 3, 12)
    changes = [StatusChange("c1", created, None, OP, ChangeCause.MANUAL)]
    before, first, after = days_of(
        [date(2026, 2, 2), date(2026, 2, 3), date(2026, 2, 4)],
        changes,
        now=berlin(2026, 2, 9),
        begins=created,
    )
    assert before.uptime is None and not before.has_data
    assert first.uptime == 1.0 and first.observed_seconds == 12 * 3600
    assert after.uptime == 1.0


def test_a_start_date_moves_the_beginning_of_history_to_that_local_midnight() -> None:
    begins = existence_start(berlin(2026, 2, 10, 15), date(2026, 2, 1), BERLIN)
    assert begins == berlin(2026, 2, 1, 0)
    assert existence_start(berlin(2026, 2, 10, 15), None, BERLIN) == berlin(2026, 2, 10, 15)


def test_a_backfilled_incident_is_overlaid_on_the_recorded_history() -> None:
    overlay = Interval(berlin(2026, 2, 3, 10), berlin(2026, 2, 3, 12), MAJOR)
    (day,) = days_of([date(2026, 2, 3)], history(), now=berlin(2026, 2, 9), overlays=(overlay,))
    assert day.major_seconds == 7200
    assert day.uptime == pytest.approx(1 - 2 / 24)


def test_the_worse_of_the_timeline_and_the_overlay_counts() -> None:
    changes = history((berlin(2026, 2, 3, 10), MAJOR), (berlin(2026, 2, 3, 11), OP))
    overlay = Interval(berlin(2026, 2, 3, 9), berlin(2026, 2, 3, 12), PART)
    (day,) = days_of([date(2026, 2, 3)], changes, now=berlin(2026, 2, 9), overlays=(overlay,))
    assert day.major_seconds == 3600 and day.partial_seconds == 7200


def test_events_touching_a_day_are_listed_for_its_tooltip() -> None:
    events = (
        Event("a", "Overnight outage", berlin(2026, 2, 3, 22), berlin(2026, 2, 4, 2)),
        Event("b", "Still open", berlin(2026, 2, 4, 9), None),
        Event("c", "Earlier", berlin(2026, 2, 1, 9), berlin(2026, 2, 1, 10)),
    )
    feb3, feb4 = days_of(
        [date(2026, 2, 3), date(2026, 2, 4)], history(), now=berlin(2026, 2, 4, 12), events=events
    )
    assert feb3.events == (("a", "Overnight outage"),)
    assert feb4.events == (("a", "Overnight outage"), ("b", "Still open"))


def test_a_group_day_is_the_worst_of_its_children() -> None:
    d = date(2026, 2, 3)
    good = [Day(d, 1.0, OP, observed_seconds=86400)]
    bad = [Day(d, 0.9, MAJOR, major_seconds=8640, events=(("x", "X"),), observed_seconds=86400)]
    partial = [Day(d, 0.95, PART, partial_seconds=100, observed_seconds=86400)]
    (day,) = group_days([good, bad, partial])
    assert day.uptime == 0.9 and day.worst is MAJOR and day.events == (("x", "X"),)


def test_a_group_day_has_no_data_only_when_no_child_has() -> None:
    d = date(2026, 2, 3)
    assert group_days([[Day(d, None)], [Day(d, None)]])[0].uptime is None
    assert group_days([[Day(d, None)], [Day(d, 1.0, OP, observed_seconds=1)]])[0].uptime == 1.0


def test_the_overall_figure_weights_days_by_observed_time_and_skips_no_data() -> None:
    d = date(2026, 2, 3)
    days = [Day(d, None), Day(d, 0.5, observed_seconds=3600), Day(d, 1.0, observed_seconds=3600)]
    assert overall(days) == pytest.approx(0.75)
    assert overall([Day(d, None)]) is None


def test_percent_rounds_down_so_any_downtime_shows_below_100() -> None:
    assert percent(1.0) == "100.00"
    assert percent(0.99999) == "99.99"
    assert percent(0.9999) == "99.99"
    assert percent(None) == ""


def test_day_range_ends_with_the_given_day() -> None:
    days = day_range(date(2026, 3, 1), 3)
    assert days == [date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 1)]
