"""SQL for built-in checks: probe results (with retention) and check states. What checks
do to components is the alerts automation's (storage.automation)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

import aiosqlite

from statuspage.checks.outcome import CheckResult, CheckState, Outcome, Probe
from statuspage.storage.base import QueryBase
from statuspage.storage.convert import parse_ts, parse_ts_or_none, ts, ts_or_none


class CheckQueries(QueryBase):
    async def add_check_result(self, result: CheckResult) -> None:
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

    async def last_check_results(self) -> dict[str, CheckResult]:
        """The latest stored probe of each check, by name."""
        rows = await self.fetchall(
            "SELECT r.* FROM check_results r JOIN (SELECT name, MAX(id) AS id"
            " FROM check_results GROUP BY name) last ON last.id = r.id"
        )
        return {r["name"]: _result(r) for r in rows}

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

    async def prune_check_results(self, before: datetime) -> int:
        return await self.execute("DELETE FROM check_results WHERE at < ?", (ts(before),))

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
