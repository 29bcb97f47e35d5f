"""SQL of the comms report and the metrics: read-only, set-based, from the tables as they are.

The incidents of a report are picked once (declared since a time, or open now) and every
other query joins on that pick, reaching the outbox through the incidents' comms events (its
unique index starts with event_id), so the cost follows the incidents reported, not history.
The unsent messages are counted through the outbox's partial indexes (the backlog, not
history); only `outbox_outcomes` reads every row, which is why the metrics read on a
connection of their own.
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

# The outbox rows of the picked incidents, through their comms events.
_ROWS = f"comms_events e JOIN outbox o ON o.event_id = e.id WHERE e.incident_id IN ({_PICK})"
# Each unsent state as its partial index's condition (so the index is used).
_UNSENT = {
    "held": "state IN ('held', 'queued') AND state = 'held'",  # outbox_pending
    "queued": "state = 'queued'",  # outbox_due_by_channel
    "sending": "state = 'sending'",  # outbox_leases
}


@dataclass(frozen=True, order=True)
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
        self, since: datetime | None, *, open_only: bool = False, with_messages: bool = True
    ) -> list[IncidentFacts]:
        """The facts of the incidents declared since `since` (or all), or only the open ones;
        their message counts and subscribers reached only `with_messages`."""
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
        firsts = await self._by_incident(
            f"SELECT e.incident_id, MIN(o.sent_at) AS v FROM {_ROWS}"
            " AND o.recipient_kind IN ('subscriber', 'public') AND o.sent_at IS NOT NULL"
            " GROUP BY e.incident_id",
            pick,
        )
        messages: dict[str, dict[str, Counts]] = {}
        reached: dict[str, Any] = {}
        if with_messages:
            messages = await self._messages(pick)
            reached = await self._by_incident(
                f"SELECT e.incident_id, COUNT(DISTINCT o.recipient_id) AS v FROM {_ROWS}"
                " AND o.recipient_kind = 'subscriber' AND o.state IN ('sent', 'delivered')"
                " GROUP BY e.incident_id",
                pick,
            )
        return [
            _facts(r, updates.get(r["id"], []), events.get(r["id"], []), messages, firsts, reached)
            for r in rows
        ]

    async def reached_by_severity(self, since: datetime | None) -> dict[str | None, int]:
        """Distinct subscribers reached about the incidents declared since `since`, by severity."""
        rows = await self.fetchall(
            "SELECT i.severity, COUNT(DISTINCT o.recipient_id) AS n FROM incidents i"
            " JOIN comms_events e ON e.incident_id = i.id JOIN outbox o ON o.event_id = e.id"
            " WHERE i.kind = 'incident' AND (:since IS NULL OR i.created_at >= :since)"
            " AND o.recipient_kind = 'subscriber' AND o.state IN ('sent', 'delivered')"
            " GROUP BY i.severity",
            {"since": ts(since) if since else None},
        )
        return {r["severity"]: r["n"] for r in rows}

    async def outbox_depth(self) -> list[Depth]:
        """Unsent messages by channel and state (held, queued, sending), with the oldest.

        Each state is read through its partial index; ids grow with time, so the oldest
        row is the one with the smallest id."""
        found: list[tuple[str, str, int, int]] = []
        for state, where in _UNSENT.items():
            rows = await self.fetchall(
                f"SELECT channel, COUNT(*) AS n, MIN(id) AS first FROM outbox WHERE {where}"
                " GROUP BY channel",
            )
            found += [(r["channel"], state, r["n"], r["first"]) for r in rows]
        written = {
            r["id"]: parse_ts(r["created_at"])
            for r in await self.fetchall(
                "SELECT id, created_at FROM outbox WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps([f[3] for f in found]),),
            )
        }
        return sorted(
            Depth(channel, state, n, written[first]) for channel, state, n, first in found
        )

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
            "SELECT e.incident_id, o.channel, SUM(o.sent_at IS NOT NULL) AS sent,"
            " SUM(o.state = 'delivered') AS delivered, SUM(o.state = 'failed') AS failed,"
            " SUM(o.state IN ('held', 'queued', 'sending')) AS pending"
            f" FROM {_ROWS} GROUP BY e.incident_id, o.channel ORDER BY o.channel",
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
