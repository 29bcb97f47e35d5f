"""SQL of the comms report and the metrics: read-only, set-based, from the tables as they are.

The incidents of a report are picked once (declared since a time, or open now) and every
other query joins on that pick, so the cost follows the incidents reported, not history.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from statuspage.kpis import Counts, IncidentFacts
from statuspage.model import OPEN_INCIDENT
from statuspage.storage.base import QueryBase
from statuspage.storage.convert import parse_ts, parse_ts_or_none, ts

OPEN = sorted(s.value for s in OPEN_INCIDENT)

_PICK = (
    "SELECT id FROM incidents WHERE kind = 'incident'"
    " AND (:since IS NULL OR created_at >= :since)"
    " AND (:open = 0 OR status IN (SELECT value FROM json_each(:open_statuses)))"
)


@dataclass(frozen=True)
class Depth:
    """Unsent messages of one channel in one state, and when the oldest was written."""

    channel: str
    state: str
    count: int
    oldest: datetime


@dataclass(frozen=True)
class Outcomes:
    """Every message of one channel ever written, by what became of it."""

    channel: str
    sent: int
    delivered: int
    failed: int
    superseded: int
    cancelled: int


class ReportQueries(QueryBase):
    async def kpi_facts(
        self, since: datetime | None, *, open_only: bool = False
    ) -> list[IncidentFacts]:
        """The facts of the incidents declared since `since` (or all), or only the open ones."""
        pick = {
            "since": ts(since) if since else None,
            "open": int(open_only),
            "open_statuses": json.dumps(OPEN),
        }
        rows = await self.fetchall(
            "SELECT id, name, severity, status, created_at, started_at, resolved_at"
            f" FROM incidents WHERE id IN ({_PICK}) ORDER BY created_at, id",
            pick,
        )
        updates = await self._grouped(
            f"SELECT incident_id, created_at FROM incident_updates WHERE incident_id IN ({_PICK})"
            " ORDER BY created_at",
            pick,
        )
        events = await self._grouped(
            "SELECT incident_id, created_at, next_update_at, approval_role, approved_at"
            f" FROM comms_events WHERE incident_id IN ({_PICK}) ORDER BY created_at",
            pick,
        )
        messages = await self._messages(pick)
        firsts = await self._by_incident(
            "SELECT incident_id, MIN(sent_at) AS v FROM outbox"
            f" WHERE incident_id IN ({_PICK}) AND recipient_kind IN ('subscriber', 'public')"
            " AND sent_at IS NOT NULL GROUP BY incident_id",
            pick,
        )
        reached = await self._by_incident(
            "SELECT incident_id, COUNT(DISTINCT recipient_id) AS v FROM outbox"
            f" WHERE incident_id IN ({_PICK}) AND recipient_kind = 'subscriber'"
            " AND state IN ('sent', 'delivered') GROUP BY incident_id",
            pick,
        )
        return [
            _facts(r, updates.get(r["id"], []), events.get(r["id"], []), messages, firsts, reached)
            for r in rows
        ]

    async def reached_by_severity(self, since: datetime | None) -> dict[str | None, int]:
        """Distinct subscribers reached about the incidents declared since `since`, by severity."""
        rows = await self.fetchall(
            "SELECT i.severity, COUNT(DISTINCT o.recipient_id) AS n FROM outbox o"
            " JOIN incidents i ON i.id = o.incident_id"
            " WHERE i.kind = 'incident' AND (:since IS NULL OR i.created_at >= :since)"
            " AND o.recipient_kind = 'subscriber' AND o.state IN ('sent', 'delivered')"
            " GROUP BY i.severity",
            {"since": ts(since) if since else None},
        )
        return {r["severity"]: r["n"] for r in rows}

    async def outbox_depth(self) -> list[Depth]:
        """Unsent messages by channel and state (held, queued, sending), with the oldest."""
        rows = await self.fetchall(
            "SELECT channel, state, COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox"
            " WHERE state IN ('held', 'queued', 'sending') GROUP BY channel, state"
            " ORDER BY channel, state"
        )
        return [Depth(r["channel"], r["state"], r["n"], parse_ts(r["oldest"])) for r in rows]

    async def outbox_outcomes(self) -> list[Outcomes]:
        """Every message ever written, by channel and outcome (sent: accepted at some point)."""
        rows = await self.fetchall(
            "SELECT channel, SUM(sent_at IS NOT NULL) AS sent,"
            " SUM(state = 'delivered') AS delivered, SUM(state = 'failed') AS failed,"
            " SUM(state = 'superseded') AS superseded, SUM(state = 'cancelled') AS cancelled"
            " FROM outbox GROUP BY channel ORDER BY channel"
        )
        return [
            Outcomes(r["channel"], r["sent"], r["delivered"], r["failed"], r["superseded"],
                     r["cancelled"])
            for r in rows
        ]  # fmt: skip

    async def _grouped(self, sql: str, params: dict[str, Any]) -> dict[str, list[aiosqlite.Row]]:
        grouped: dict[str, list[aiosqlite.Row]] = {}
        for r in await self.fetchall(sql, params):
            grouped.setdefault(r["incident_id"], []).append(r)
        return grouped

    async def _by_incident(self, sql: str, params: dict[str, Any]) -> dict[str, Any]:
        return {r["incident_id"]: r["v"] for r in await self.fetchall(sql, params)}

    async def _messages(self, pick: dict[str, Any]) -> dict[str, dict[str, Counts]]:
        rows = await self.fetchall(
            "SELECT incident_id, channel, SUM(sent_at IS NOT NULL) AS sent,"
            " SUM(state = 'delivered') AS delivered, SUM(state = 'failed') AS failed,"
            " SUM(state IN ('held', 'queued', 'sending')) AS pending"
            f" FROM outbox WHERE incident_id IN ({_PICK}) GROUP BY incident_id, channel"
            " ORDER BY channel",
            pick,
        )
        found: dict[str, dict[str, Counts]] = {}
        for r in rows:
            counts = Counts(r["sent"], r["delivered"], r["failed"], r["pending"])
            found.setdefault(r["incident_id"], {})[r["channel"]] = counts
        return found


def _facts(
    r: aiosqlite.Row,
    updates: Iterable[aiosqlite.Row],
    events: Iterable[aiosqlite.Row],
    messages: dict[str, dict[str, Counts]],
    firsts: dict[str, Any],
    reached: dict[str, Any],
) -> IncidentFacts:
    listed = list(events)
    return IncidentFacts(
        id=r["id"],
        name=r["name"],
        severity=r["severity"],
        status=r["status"],
        created_at=parse_ts(r["created_at"]),
        started_at=parse_ts(r["started_at"]),
        resolved_at=parse_ts_or_none(r["resolved_at"]),
        update_times=tuple(parse_ts(u["created_at"]) for u in updates),
        promises=tuple(
            (parse_ts(e["created_at"]), parse_ts(e["next_update_at"]))
            for e in listed
            if e["next_update_at"] is not None
        ),
        approvals=tuple(
            (parse_ts(e["created_at"]), parse_ts_or_none(e["approved_at"]))
            for e in listed
            if e["approval_role"] is not None
        ),
        first_public_at=parse_ts_or_none(firsts.get(r["id"])),
        messages=messages.get(r["id"], {}),
        reached=reached.get(r["id"], 0),
    )
