"""SQL for watching and steering delivery: the active dispatcher, per-incident status
(`comms status`) and re-queueing failed messages (`comms retry`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from statuspage.storage.base import QueryBase
from statuspage.storage.convert import parse_ts, parse_ts_or_none, ts

LEADER = "main"
# `comms retry`: failed rows of one incident (or of every open one) on a channel (or all).
# A customer's failed message that a newer one of the incident follows is not sent again
# (it would arrive stale, after the news that replaced it): it is superseded instead.
_SUPERSEDE_STALE = (
    "UPDATE outbox SET state = 'superseded', updated_at = :now, superseded_by = (SELECT"
    " n.event_id FROM outbox n WHERE n.incident_id = outbox.incident_id"
    " AND n.recipient_kind = outbox.recipient_kind AND n.recipient_id = outbox.recipient_id"
    " AND n.channel = outbox.channel AND n.id > outbox.id ORDER BY n.id DESC LIMIT 1)"
    " WHERE state = 'failed' AND recipient_kind != 'owner'"
    " AND (incident_id = :incident OR (:incident IS NULL AND incident_id IN (SELECT id FROM"
    "   incidents WHERE status NOT IN ('resolved', 'postmortem', 'completed', 'cancelled'))))"
    " AND (:channel IS NULL OR channel = :channel)"
    " AND EXISTS (SELECT 1 FROM outbox n WHERE n.incident_id = outbox.incident_id"
    "   AND n.recipient_kind = outbox.recipient_kind AND n.recipient_id = outbox.recipient_id"
    "   AND n.channel = outbox.channel AND n.id > outbox.id"
    "   AND n.state NOT IN ('superseded', 'cancelled'))"
)
_UNBLOCK = (
    "DELETE FROM comms_blocks WHERE EXISTS (SELECT 1 FROM outbox WHERE state = 'failed'"
    " AND (incident_id = :incident OR (:incident IS NULL AND incident_id IN (SELECT id FROM"
    "   incidents WHERE status NOT IN ('resolved', 'postmortem', 'completed', 'cancelled'))))"
    " AND (:channel IS NULL OR outbox.channel = :channel)"
    " AND outbox.channel = comms_blocks.channel AND outbox.template = comms_blocks.template"
    " AND outbox.language = comms_blocks.language)"
)
_REQUEUE = (
    "UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = :now,"
    " ambiguous_since = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = :now"
    " WHERE state = 'failed'"
    " AND (incident_id = :incident OR (:incident IS NULL AND incident_id IN (SELECT id FROM"
    "   incidents WHERE status NOT IN ('resolved', 'postmortem', 'completed', 'cancelled'))))"
    " AND (:channel IS NULL OR channel = :channel) RETURNING channel"
)


@dataclass(frozen=True)
class DispatcherLease:
    owner: str
    expires_at: datetime
    heartbeat_at: datetime
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StateCount:
    phase: str
    channel: str
    state: str
    count: int
    retrying: int  # queued again after a failed attempt
    ambiguous: int  # an attempt's outcome unknown (being reconciled)
    next_attempt_at: datetime | None


@dataclass(frozen=True)
class FailureCount:
    phase: str
    channel: str
    code: str | None
    reason: str
    count: int


class DeliveryAdminQueries(QueryBase):
    async def lead_dispatch(
        self, owner: str, now: datetime, until: datetime, notes: dict[str, Any]
    ) -> bool:
        """Become (or stay) the one sending dispatcher; False while another one is."""
        changed = await self.execute(
            "INSERT INTO comms_dispatcher (name, owner, expires_at, heartbeat_at, notes)"
            " VALUES (:name, :owner, :until, :now, :notes) ON CONFLICT (name) DO UPDATE SET"
            " owner = excluded.owner, expires_at = excluded.expires_at,"
            " heartbeat_at = excluded.heartbeat_at, notes = excluded.notes"
            " WHERE comms_dispatcher.owner = excluded.owner"
            " OR comms_dispatcher.expires_at <= excluded.heartbeat_at",
            {"name": LEADER, "owner": owner, "until": ts(until), "now": ts(now),
             "notes": json.dumps(notes)},
        )  # fmt: skip
        return changed == 1

    async def resign_dispatch(self, owner: str, now: datetime) -> None:
        await self.execute(
            "UPDATE comms_dispatcher SET expires_at = ? WHERE name = ? AND owner = ?",
            (ts(now), LEADER, owner),
        )

    async def dispatcher_lease(self) -> DispatcherLease | None:
        row = await self.fetchone("SELECT * FROM comms_dispatcher WHERE name = ?", (LEADER,))
        if row is None:
            return None
        return DispatcherLease(
            row["owner"],
            parse_ts(row["expires_at"]),
            parse_ts(row["heartbeat_at"]),
            json.loads(row["notes"]),
        )

    async def delivery_counts(self, incident_id: str) -> list[StateCount]:
        rows = await self.fetchall(
            "SELECT e.phase, o.channel, o.state, COUNT(*) AS n,"
            " SUM(o.state = 'queued' AND o.last_error IS NOT NULL) AS retrying,"
            " SUM(o.ambiguous_since IS NOT NULL) AS ambiguous,"
            " MIN(CASE WHEN o.state = 'queued' THEN o.next_attempt_at END) AS next_at"
            " FROM outbox o JOIN comms_events e ON e.id = o.event_id"
            " WHERE o.incident_id = ? GROUP BY e.phase, o.channel, o.state"
            " ORDER BY MIN(e.created_at), e.phase, o.channel, o.state",
            (incident_id,),
        )
        return [
            StateCount(
                r["phase"], r["channel"], r["state"], r["n"], r["retrying"] or 0,
                r["ambiguous"] or 0, parse_ts_or_none(r["next_at"]),
            )
            for r in rows
        ]  # fmt: skip

    async def delivery_failures(self, incident_id: str) -> list[FailureCount]:
        rows = await self.fetchall(
            "SELECT e.phase, o.channel, o.provider_code, COALESCE(o.last_error, '') AS reason,"
            " COUNT(*) AS n FROM outbox o JOIN comms_events e ON e.id = o.event_id"
            " WHERE o.incident_id = ? AND o.state = 'failed'"
            " GROUP BY e.phase, o.channel, o.provider_code, reason ORDER BY n DESC",
            (incident_id,),
        )
        return [
            FailureCount(r["phase"], r["channel"], r["provider_code"], r["reason"], r["n"])
            for r in rows
        ]

    async def delivery_skips(self, incident_id: str) -> list[FailureCount]:
        """Rows settled without sending, by reason: cancelled (a contact not set, a
        subscriber who left...) or coalesced into a newer update (superseded)."""
        rows = await self.fetchall(
            "SELECT e.phase, o.channel, CASE o.state WHEN 'superseded' THEN"
            " 'coalesced into a newer update (sent instead)' ELSE COALESCE(o.last_error, '')"
            " END AS reason, COUNT(*) AS n FROM outbox o JOIN comms_events e ON e.id = o.event_id"
            " WHERE o.incident_id = ? AND o.state IN ('cancelled', 'superseded')"
            " GROUP BY e.phase, o.channel, reason ORDER BY MIN(o.id)",
            (incident_id,),
        )
        return [FailureCount(r["phase"], r["channel"], None, r["reason"], r["n"]) for r in rows]

    async def delivery_waits(self, incident_id: str) -> list[tuple[FailureCount, datetime]]:
        """Queued rows that failed before, by reason, with the next attempt's time."""
        rows = await self.fetchall(
            "SELECT e.phase, o.channel, o.provider_code, o.last_error AS reason,"
            " COUNT(*) AS n, MIN(o.next_attempt_at) AS next_at,"
            " SUM(o.ambiguous_since IS NOT NULL) AS ambiguous"
            " FROM outbox o JOIN comms_events e ON e.id = o.event_id"
            " WHERE o.incident_id = ? AND o.state = 'queued' AND o.last_error IS NOT NULL"
            " GROUP BY e.phase, o.channel, o.provider_code, o.last_error ORDER BY n DESC",
            (incident_id,),
        )
        return [
            (FailureCount(r["phase"], r["channel"], r["provider_code"], r["reason"], r["n"]),
             parse_ts(r["next_at"]))
            for r in rows
        ]  # fmt: skip

    async def blocks(self) -> list[tuple[str, str, str, str]]:
        rows = await self.fetchall(
            "SELECT channel, template, language, reason FROM comms_blocks ORDER BY created_at"
        )
        return [(r["channel"], r["template"], r["language"], r["reason"]) for r in rows]

    async def queued_by_channel(self) -> dict[str, int]:
        rows = await self.fetchall(
            "SELECT channel, COUNT(*) AS n FROM outbox WHERE state = 'queued' GROUP BY channel"
        )
        return {r["channel"]: r["n"] for r in rows}

    async def retry_failed(
        self, now: datetime, incident_id: str | None, channel: str | None
    ) -> tuple[dict[str, int], int]:
        """Queue failed rows again (and lift the template blocks they ran into); returns
        the rows queued per channel, and how many were superseded as stale instead."""
        scope = {"incident": incident_id, "channel": channel, "now": ts(now)}
        stale = await self.execute(_SUPERSEDE_STALE, scope)
        await self.execute(_UNBLOCK, scope)
        rows = await self.fetchall(_REQUEUE, scope)
        counts: dict[str, int] = {}
        for r in rows:
            counts[r["channel"]] = counts.get(r["channel"], 0) + 1
        return counts, stale
