"""Uptime from check results: the share of a day's probes that were not down, counted per
check and day in SQL, and which components' uptime the checks give."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from statuspage.checks.outcome import CheckResult, Outcome, Probe, Tally
from statuspage.checks.spec import CheckSpec, TcpProbe
from statuspage.checks.uptime import (
    combined,
    feeding,
    prefer_probes,
    probe_days,
    spans,
    uptime_feeds,
)
from statuspage.model import Component, ComponentStatus
from statuspage.service import Service
from statuspage.uptime import Day, overall

BERLIN = ZoneInfo("Europe/Berlin")


def result(at: datetime, outcome: Outcome, name: str = "api") -> CheckResult:
    return CheckResult(name, at, Probe(outcome, 12.0))


async def test_probes_are_counted_per_check_and_local_day_in_sql(svc: Service) -> None:
    # 23:30 UTC on 9 March is 00:30 on 10 March in Berlin
    late = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)
    stored = [
        result(datetime(2026, 3, 9, 12, tzinfo=UTC), Outcome.UP),
        result(datetime(2026, 3, 9, 12, 1, tzinfo=UTC), Outcome.DEGRADED),
        result(late, Outcome.DOWN),
        result(late + timedelta(minutes=1), Outcome.UP),
        result(late, Outcome.UP, "web"),
    ]
    async with svc.ctx.write(public=False) as q:
        for r in stored:
            await q.add_check_result(r)
    days = [date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 10)]
    async with svc.ctx.read() as q:
        tallies = await q.probe_tallies(spans(days, BERLIN), ["api", "web", "nothing"])
        named = await q.probe_tallies(spans(days, BERLIN), ["web"])
        mark = await q.probe_mark()
        after = await q.probe_tallies_after(mark.last_id - 2, spans(days, BERLIN))
    assert tallies == {
        ("api", date(2026, 3, 9)): Tally(2, 0, Outcome.DEGRADED),
        ("api", date(2026, 3, 10)): Tally(2, 1, Outcome.DOWN),
        ("web", date(2026, 3, 10)): Tally(1, 0, Outcome.UP),
    }
    assert named == {("web", date(2026, 3, 10)): Tally(1, 0, Outcome.UP)}
    assert after == {  # the last two rows only
        ("api", date(2026, 3, 10)): Tally(1, 0, Outcome.UP),
        ("web", date(2026, 3, 10)): Tally(1, 0, Outcome.UP),
    }
    assert (mark.first_at, mark.last_id - mark.first_id) == (stored[0].at, 4)


def test_degraded_probes_count_as_up_and_a_day_without_probes_has_no_data() -> None:
    tallies = {
        ("api", date(2026, 3, 9)): Tally(2, 0, Outcome.DEGRADED),
        ("api", date(2026, 3, 10)): Tally(1, 1, Outcome.DOWN),
        ("db", date(2026, 3, 10)): Tally(1, 0, Outcome.UP),
        ("other", date(2026, 3, 10)): Tally(5, 5, Outcome.DOWN),
    }
    now = datetime(2026, 3, 10, 11, tzinfo=UTC)  # noon in Berlin
    span = [date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 10)]
    days = probe_days(combined(tallies, ["api", "db"]), span, BERLIN, now)
    assert [d.uptime for d in days] == [None, 1.0, 0.5]
    assert days[2].worst is ComponentStatus.MAJOR_OUTAGE
    assert days[1].worst is ComponentStatus.DEGRADED_PERFORMANCE
    assert days[2].observed_seconds == 12 * 3600  # today counts up to now
    # days weigh by how long they were observed: 24 h at 100 %, 12 h at 50 %
    assert overall(days) == (24 * 1.0 + 12 * 0.5) / 36


def test_a_check_with_uptime_incidents_gives_no_components_uptime() -> None:
    def check(name: str, components: tuple[str, ...], probes: bool = True) -> CheckSpec:
        return CheckSpec(name, TcpProbe("db", 5432), components, uptime_from_probes=probes)

    specs = [
        check("api", ("API", "c2")),
        check("db", ("api",)),
        check("web", ("Website",), probes=False),
        check("gone", ("Nowhere",)),
    ]
    assert uptime_feeds(specs) == {"API": ("api",), "c2": ("api",), "api": ("db",),
                                   "Nowhere": ("gone",)}  # fmt: skip
    at = datetime(2026, 3, 1, tzinfo=UTC)
    api = Component("c1", "API", ComponentStatus.OPERATIONAL, 1, at, at)
    docs = Component("c2", "Docs", ComponentStatus.OPERATIONAL, 2, at, at)
    web = Component("c3", "Website", ComponentStatus.OPERATIONAL, 3, at, at)
    # by name ignoring case, or by id; a name that is no component is left out
    assert feeding(uptime_feeds(specs), [api, docs, web]) == {"c1": ("api", "db"), "c2": ("api",)}


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
