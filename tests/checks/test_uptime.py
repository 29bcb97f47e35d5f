"""Uptime from check results: the share of a day's probes that were not down."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from statuspage.checks.outcome import CheckResult, Outcome, Probe
from statuspage.checks.uptime import prefer_probes, probe_days, probe_share
from statuspage.model import ComponentStatus
from statuspage.uptime import Day, overall

BERLIN = ZoneInfo("Europe/Berlin")


def result(at: datetime, outcome: Outcome) -> CheckResult:
    return CheckResult("api", at, Probe(outcome, 12.0))


def test_degraded_probes_count_as_up_and_down_ones_as_down() -> None:
    at = datetime(2026, 3, 10, 12, tzinfo=UTC)
    probes = [result(at, o) for o in (Outcome.UP, Outcome.DEGRADED, Outcome.DOWN, Outcome.UP)]
    assert probe_share(probes) == 0.75
    assert probe_share([]) is None


def test_days_follow_the_page_time_zone_and_a_day_without_probes_has_no_data() -> None:
    # 23:30 UTC on 9 March is 00:30 on 10 March in Berlin
    late = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)
    probes = [
        result(datetime(2026, 3, 9, 12, tzinfo=UTC), Outcome.UP),
        result(late, Outcome.DOWN),
        result(late + timedelta(minutes=1), Outcome.UP),
    ]
    now = datetime(2026, 3, 10, 11, tzinfo=UTC)  # noon in Berlin
    days = probe_days(probes, [date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 10)], BERLIN, now)
    assert [d.uptime for d in days] == [None, 1.0, 0.5]
    assert days[2].worst is ComponentStatus.MAJOR_OUTAGE
    assert days[1].worst is ComponentStatus.OPERATIONAL
    assert days[2].observed_seconds == 12 * 3600  # today counts up to now
    # days weigh by how long they were observed: 24 h at 100 %, 12 h at 50 %
    assert overall(days) == (24 * 1.0 + 12 * 0.5) / 36


def test_the_bars_take_a_days_uptime_from_probes_where_there_are_some() -> None:
    recorded = [
        Day(date(2026, 3, 8), 1.0, ComponentStatus.OPERATIONAL, observed_seconds=86400),
        Day(date(2026, 3, 9), 0.9, ComponentStatus.MAJOR_OUTAGE, 8640.0, 0.0,
            (("inc1", "API errors"),), observed_seconds=86400),
        Day(date(2026, 3, 10), None),
    ]  # fmt: skip
    probes = [
        Day(date(2026, 3, 8), None),
        Day(date(2026, 3, 9), 0.75, ComponentStatus.DEGRADED_PERFORMANCE, observed_seconds=86400),
        Day(date(2026, 3, 10), 0.5, ComponentStatus.MAJOR_OUTAGE, observed_seconds=3600),
    ]
    merged = prefer_probes(recorded, probes)
    assert merged[0] == recorded[0]
    assert (merged[1].uptime, merged[1].worst, merged[1].events) == (
        0.75,
        ComponentStatus.MAJOR_OUTAGE,
        (("inc1", "API errors"),),
    )
    assert (merged[2].uptime, merged[2].observed_seconds) == (0.5, 3600)
