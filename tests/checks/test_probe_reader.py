"""The snapshot reader keeps the probes' tallies between snapshots and reads only what
changed: after new probes, a day rolling over, old probes pruned or all of them deleted,
what it has equals what a fresh reader counts from scratch."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from statuspage.checks.outcome import Outcome, Probe, Tally
from statuspage.checks.spec import CheckSpec, TcpProbe
from statuspage.service import Service
from statuspage.service.checks import ChecksService
from statuspage.site.probes import Probes
from statuspage.site.snapshot import Snapshot, SnapshotReader
from tests.conftest import FakeClock

FEEDS = {"api": ("a", "b")}  # by name, ignoring case


async def record(svc: Service, name: str, outcomes: str) -> None:
    spec = CheckSpec(name, TcpProbe("127.0.0.1", 9), ("API",), retries=5)
    kinds = {"u": Outcome.UP, "d": Outcome.DOWN, "g": Outcome.DEGRADED}
    for code in outcomes:
        await ChecksService(svc.ctx).record(spec, Probe(kinds[code], 1.0))
        svc.clock.advance(seconds=1)  # type: ignore[attr-defined]


async def same_as_fresh(svc: Service, reader: SnapshotReader) -> Snapshot:
    kept = await reader.read()
    fresh = await SnapshotReader(svc.store, svc.clock, FEEDS).read()
    assert kept.probes == fresh.probes
    assert kept.probe_mark == fresh.probe_mark
    return kept


async def test_kept_tallies_match_a_fresh_count_through_days_prunes_and_deletes(
    svc: Service, clock: FakeClock
) -> None:
    api = (await svc.add_component("API")).id
    other = (await svc.add_component("Other")).id
    reader = SnapshotReader(svc.store, clock, FEEDS)
    empty = await same_as_fresh(svc, reader)
    assert other not in empty.probes and empty.probes[api].today is None

    clock.current = datetime(2026, 3, 9, 12, tzinfo=UTC)  # 9 March in Berlin
    await record(svc, "a", "ud")
    await record(svc, "unrelated", "dd")
    clock.current = datetime(2026, 3, 10, 12, tzinfo=UTC)
    first = await same_as_fresh(svc, reader)
    assert first.probes[api].closed == ((date(2026, 3, 9), Tally(2, 1, Outcome.DOWN)),)

    await record(svc, "b", "ug")  # today only: the closed days are the same tuple
    second = await same_as_fresh(svc, reader)
    assert second.probes[api].closed is first.probes[api].closed
    assert second.probes[api].today == Tally(2, 0, Outcome.DEGRADED)

    # 22:59 UTC is 23:59 in Berlin: a probe for 10 March stored as the day rolls over
    clock.current = datetime(2026, 3, 10, 22, 59, tzinfo=UTC)
    await record(svc, "a", "d")
    clock.current = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # 11 March, 00:30
    await record(svc, "a", "u")
    rolled = await same_as_fresh(svc, reader)
    assert rolled.probes[api].closed[-1] == (date(2026, 3, 10), Tally(3, 1, Outcome.DOWN))
    assert rolled.probes[api].today == Tally(1, 0, Outcome.UP)

    pruned = await ChecksService(svc.ctx).prune(datetime(2026, 3, 9, 12, 0, 1, tzinfo=UTC))
    assert pruned == 1  # a's first probe
    after_prune = await same_as_fresh(svc, reader)
    assert after_prune.probes[api].closed[0] == (date(2026, 3, 9), Tally(1, 1, Outcome.DOWN))

    await svc.update_page(time_zone="America/New_York")  # other days: counted afresh
    moved = await same_as_fresh(svc, reader)
    assert moved.probes[api].today == Tally(4, 1, Outcome.DOWN)  # 10 March, 19:30 there

    await ChecksService(svc.ctx).prune(clock.current + timedelta(days=1))  # every row
    await record(svc, "b", "d")  # row ids start again from 1
    again = await same_as_fresh(svc, reader)
    assert again.probes[api] == Probes((), Tally(1, 1, Outcome.DOWN))
    await ChecksService(svc.ctx).prune(clock.current + timedelta(days=1))
    assert (await same_as_fresh(svc, reader)).probes[api] == Probes((), None)
