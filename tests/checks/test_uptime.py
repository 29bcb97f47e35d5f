"""Uptime from check results: the share of a day's probes that were not down."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from statuspage.checks.outcome import CheckResult, Outcome, Probe
from statuspage.checks.uptime import probe_days, probe_share
from statuspage.model import ComponentStatus
from statuspage.uptime import overall

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
