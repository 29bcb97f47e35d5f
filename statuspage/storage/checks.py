"""SQL for built-in checks: probe results (with retention), their tallies per day, and check
states. What checks do to components is the alerts automation's (storage.automation)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta

import aiosqlite

from statuspage.checks.outcome import CheckResult, CheckState, Outcome, Probe, ProbeMark, Tally
from statuspage.storage.base import QueryBase
from statuspage.storage.convert import parse_ts, parse_ts_or_none, ts, ts_or_none


class CheckQueries(QueryBase):
    async def add_check_result(self, result: CheckResult) -> None:
        """Store a probe, and count it in its quarter hour's tally (check_tallies)."""
        p = result.probe
        await self.execute(
            "INSERT INTO check_results (name, at, outcome, latency_ms, detail, cert_expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                result.name,
                ts(result.at),
                p.outcome.value,
                p.latency_ms,
                p.detail,
                ts_or_none(p.cert_expires_at),
            ),
        )
        await self.execute(
            "INSERT INTO check_tallies (name, bucket, probes, down, worst) VALUES (?, ?, 1, ?, ?)"
            " ON CONFLICT (name, bucket) DO UPDATE SET probes = check_tallies.probes + 1,"
            " down = check_tallies.down + excluded.down,"
            " worst = MAX(check_tallies.worst, excluded.worst)",
            (
                result.name,
                ts(quarter_hour(result.at)),
                int(p.outcome is Outcome.DOWN),
                p.outcome.rank,
            ),
        )

    async def last_check_results(self) -> dict[str, CheckResult]:
        """The latest stored probe of each check, by name."""
        rows = await self.fetchall(
            "SELECT r.* FROM check_results r JOIN (SELECT name, MAX(id) AS id"
            " FROM check_results GROUP BY name) last ON last.id = r.id"
        )
        return {r["name"]: _result(r) for r in rows}

    async def latest_check_results(self, names: Iterable[str]) -> dict[str, CheckResult]:
        """The latest stored probe of each named check: one index lookup each (what a
        /metrics scrape reads; not a scan of every stored probe)."""
        found = {}
        for name in names:
            row = await self.fetchone(
                "SELECT * FROM check_results WHERE name = ? ORDER BY at DESC, id DESC LIMIT 1",
                (name,),
            )
            if row is not None:
                found[name] = _result(row)
        return found

    async def check_results(
        self, names: Iterable[str], start: datetime, end: datetime
    ) -> list[CheckResult]:
        """The probes of some checks in [start, end), in time order."""
        rows = await self.fetchall(
            "SELECT * FROM check_results WHERE name IN (SELECT value FROM json_each(?))"
            " AND at >= ? AND at < ? ORDER BY at, id",
            (json.dumps(list(names)), ts(start), ts(end)),
        )
        return [_result(r) for r in rows]

    async def probe_tallies(
        self, days: Mapping[date, tuple[datetime, datetime]], names: Iterable[str]
    ) -> dict[tuple[str, date], Tally]:
        """The named checks' probes per day, added up in SQL from their quarter hours'
        tallies (at most 100 rows a check and day, read in key order): `days` are the (UTC
        start, end) of each local day."""
        if not days:
            return {}
        given = json.dumps(list(names))
        cte, bounds = _days(days)
        return _tallies(await self.fetchall(cte + _TALLIES, (*bounds, given)))

    async def probe_tallies_after(
        self, after_id: int, days: Mapping[date, tuple[datetime, datetime]]
    ) -> dict[tuple[str, date], Tally]:
        """Like `probe_tallies`, of the probes stored after row `after_id` only (the rows
        are found by id, then placed in their day): what a reader adds to what it has."""
        if not days:
            return {}
        cte, bounds = _days(days)
        return _tallies(await self.fetchall(cte + _TALLIES_AFTER, (*bounds, after_id)))

    async def probe_mark(self) -> ProbeMark:
        """Where the probes stand (a few index lookups and the states, one row each)."""
        row = await self.fetchone(_MARK)
        assert row is not None  # an aggregate: always one row
        return ProbeMark(
            row["first_id"] or 0,
            row["last_id"] or 0,
            parse_ts_or_none(row["first_at"]),
            (row["count"], row["since"], row["ranks"]),
        )

    async def prune_check_results(self, before: datetime) -> int:
        """Delete the probes before `before` and their tallies; the quarter hour `before`
        falls in is counted again from the probes left in it."""
        pruned = await self.execute("DELETE FROM check_results WHERE at < ?", (ts(before),))
        start = quarter_hour(before)
        await self.execute("DELETE FROM check_tallies WHERE bucket <= ?", (ts(start),))
        await self.execute(
            "INSERT INTO check_tallies (name, bucket, probes, down, worst)"
            " SELECT name, ?, COUNT(*), SUM(CASE WHEN outcome = 'down' THEN 1 ELSE 0 END),"
            " MAX(CASE outcome WHEN 'down' THEN 2 WHEN 'degraded' THEN 1 ELSE 0 END)"
            " FROM check_results WHERE at >= ? AND at < ? GROUP BY name",
            (ts(start), ts(start), ts(start + QUARTER_HOUR)),
        )
        return pruned

    async def get_check_state(self, name: str) -> CheckState | None:
        row = await self.fetchone("SELECT * FROM check_states WHERE name = ?", (name,))
        return _state(row) if row is not None else None

    async def list_check_states(self) -> dict[str, CheckState]:
        rows = await self.fetchall("SELECT * FROM check_states")
        return {r["name"]: _state(r) for r in rows}

    async def save_check_state(self, state: CheckState) -> None:
        await self.execute(
            "INSERT INTO check_states (name, state, failures, since, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET state = excluded.state,"
            " failures = excluded.failures, since = excluded.since,"
            " updated_at = excluded.updated_at",
            (state.name, state.state.value, state.failures, ts(state.since), ts(state.updated_at)),
        )


# A day's tally of each check, from its quarter hours: d is one of the days (the `_days`
# table: the day, its UTC start and end, each bound on a quarter hour).
_TALLIES = (
    " SELECT d.day AS day, t.name AS name, SUM(t.probes) AS probes, SUM(t.down) AS down,"
    " MAX(t.worst) AS worst FROM d CROSS JOIN check_tallies AS t"
    " WHERE t.name IN (SELECT value FROM json_each(?))"
    " AND t.bucket >= d.lo AND t.bucket < d.hi"
    " GROUP BY d.day, t.name"
)
# The rows first (by id), each then placed in its day.
_TALLIES_AFTER = (
    " SELECT d.day AS day, r.name AS name, COUNT(*) AS probes,"
    " SUM(CASE WHEN r.outcome = 'down' THEN 1 ELSE 0 END) AS down,"
    " MAX(CASE r.outcome WHEN 'down' THEN 2 WHEN 'degraded' THEN 1 ELSE 0 END) AS worst"
    " FROM check_results AS r CROSS JOIN d"
    " WHERE r.id > ? AND r.at >= d.lo AND r.at < d.hi"
    " GROUP BY d.day, r.name"
)
_MARK = (
    "SELECT (SELECT MIN(id) FROM check_results) AS first_id,"
    " (SELECT MAX(id) FROM check_results) AS last_id,"
    " (SELECT MIN(at) FROM check_results) AS first_at,"
    " (SELECT COUNT(*) FROM check_states) AS count,"
    " (SELECT MAX(since) FROM check_states) AS since,"
    " (SELECT COALESCE(SUM(CASE state WHEN 'down' THEN 2 WHEN 'degraded' THEN 1 ELSE 0 END), 0)"
    " FROM check_states) AS ranks"
)
_OUTCOMES = {o.rank: o for o in Outcome}
QUARTER_HOUR = timedelta(minutes=15)


def quarter_hour(at: datetime) -> datetime:
    """The start of the quarter hour (UTC) `at` falls in: a probe's tally bucket."""
    at = at.astimezone(UTC)
    return at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)


def _days(days: Mapping[date, tuple[datetime, datetime]]) -> tuple[str, list[str]]:
    """The days as a table `d(day, lo, hi)` of parameters (plain SQL, both dialects)."""
    rows = ", ".join("(?, ?, ?)" for _ in days)
    bounds = [v for d, (lo, hi) in days.items() for v in (d.isoformat(), ts(lo), ts(hi))]
    return f"WITH d (day, lo, hi) AS (VALUES {rows})", bounds


def _tallies(rows: Iterable[aiosqlite.Row]) -> dict[tuple[str, date], Tally]:
    return {
        (r["name"], date.fromisoformat(r["day"])): Tally(
            r["probes"], r["down"], _OUTCOMES[r["worst"]]
        )
        for r in rows
    }


def _result(row: aiosqlite.Row) -> CheckResult:
    probe = Probe(
        Outcome(row["outcome"]),
        row["latency_ms"],
        row["detail"],
        parse_ts_or_none(row["cert_expires_at"]),
    )
    return CheckResult(row["name"], parse_ts(row["at"]), probe)


def _state(row: aiosqlite.Row) -> CheckState:
    return CheckState(
        row["name"],
        Outcome(row["state"]),
        row["failures"],
        parse_ts(row["since"]),
        parse_ts(row["updated_at"]),
    )
