"""SQL for comms events and the outbox that the dispatcher drains.

Life of an outbox row (the dispatcher of step 4 owns the right half):

    held ──approve──▶ queued ──claim──▶ sending ──▶ sent ──▶ delivered
      │                 │                 │  ▲         (provider callback)
      │                 │                 │  └─ lease expired: back to queued
      └──── newer update for the same recipient+channel ───▶ superseded
                        │                 ├─▶ queued again (transient error, next_attempt_at)
                        └─▶ cancelled     └─▶ failed (permanent error, last_error)

Rows are inserted with set-based SQL (INSERT ... SELECT over subscribers), so one update to
100,000 subscribers is a handful of statements; nothing is rendered until it is sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import aiosqlite

from statuspage.storage.base import QueryBase
from statuspage.storage.convert import parse_ts, parse_ts_or_none, ts, ts_or_none


class OutboxState(StrEnum):
    HELD = "held"  # waiting for an approval
    QUEUED = "queued"  # due at next_attempt_at
    SENDING = "sending"  # claimed under a lease
    SENT = "sent"  # accepted by the provider
    DELIVERED = "delivered"  # the provider confirmed delivery
    FAILED = "failed"  # permanently; last_error says why
    SUPERSEDED = "superseded"  # a newer update of the incident replaced it before it went out
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class CommsEvent:
    id: str
    incident_id: str
    update_id: str | None
    phase: str
    severity: str | None
    created_at: datetime
    next_update_at: datetime | None = None
    approval_role: str | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def awaiting_approval(self) -> bool:
        return self.approval_role is not None and self.approved_at is None


@dataclass(frozen=True)
class OutboxRow:
    event_id: str
    incident_id: str
    recipient_kind: str  # subscriber, owner or public
    recipient_id: str
    channel: str
    segment: str
    template: str
    language: str
    state: OutboxState
    next_attempt_at: datetime
    created_at: datetime
    priority: int = 0
    id: int = 0
    attempts: int = 0
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    provider_message_id: str | None = None
    last_error: str | None = None
    superseded_by: str | None = None
    sent_at: datetime | None = None
    delivered_at: datetime | None = None


@dataclass(frozen=True)
class Batch:
    """What every row of one (event, segment, channel) shares."""

    event_id: str
    incident_id: str
    segment: str
    channel: str
    template: str
    state: OutboxState
    priority: int
    now: datetime
    due: datetime | None = None  # when the rows may go (a coalescing window); None: now


@dataclass(frozen=True)
class Audience:
    """Which subscribers a batch reaches: active, on the batch's channel, following an
    affected component (or all), and matching the segment's tags and components if any."""

    affected_component_ids: tuple[str, ...]
    tags: tuple[str, ...] = ()
    component_ids: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)  # the template's languages; others get en


@dataclass(frozen=True)
class OutboxGroup:
    segment: str
    channel: str
    language: str
    state: OutboxState
    count: int
    sample_recipient: str
    recipient_kind: str
    template: str


def _event(row: aiosqlite.Row) -> CommsEvent:
    return CommsEvent(
        id=row["id"],
        incident_id=row["incident_id"] or "",  # "": a subscriber's own message
        update_id=row["update_id"],
        phase=row["phase"],
        severity=row["severity"],
        created_at=parse_ts(row["created_at"]),
        next_update_at=parse_ts_or_none(row["next_update_at"]),
        approval_role=row["approval_role"],
        approved_by=row["approved_by"],
        approved_at=parse_ts_or_none(row["approved_at"]),
        detail=json.loads(row["detail"]),
    )


def row_from_sql(r: aiosqlite.Row) -> OutboxRow:
    return OutboxRow(
        id=r["id"],
        event_id=r["event_id"],
        incident_id=r["incident_id"],
        recipient_kind=r["recipient_kind"],
        recipient_id=r["recipient_id"],
        channel=r["channel"],
        segment=r["segment"],
        template=r["template"],
        language=r["language"],
        state=OutboxState(r["state"]),
        priority=r["priority"],
        next_attempt_at=parse_ts(r["next_attempt_at"]),
        created_at=parse_ts(r["created_at"]),
        attempts=r["attempts"],
        lease_owner=r["lease_owner"],
        lease_expires_at=parse_ts_or_none(r["lease_expires_at"]),
        provider_message_id=r["provider_message_id"],
        last_error=r["last_error"],
        superseded_by=r["superseded_by"],
        sent_at=parse_ts_or_none(r["sent_at"]),
        delivered_at=parse_ts_or_none(r["delivered_at"]),
    )


_INSERT = (
    "INSERT OR IGNORE INTO outbox (event_id, incident_id, recipient_kind, recipient_id, channel,"
    " segment, template, language, priority, state, next_attempt_at, created_at, updated_at)"
)
_SUBSCRIBERS = (
    "INSERT OR IGNORE INTO outbox (event_id, incident_id, recipient_kind, recipient_id, channel,"
    " segment, template, language, priority, state, next_attempt_at, created_at, updated_at)"
    " SELECT :event, :incident, 'subscriber', s.id, s.channel, :segment, :template,"
    " CASE WHEN s.language IN (SELECT value FROM json_each(:languages)) THEN s.language"
    " ELSE 'en' END, :priority, :state, :due, :now, :now"
    " FROM subscribers s WHERE s.state = 'active' AND s.channel = :channel"
    " AND (s.all_components = 1 OR EXISTS (SELECT 1 FROM subscriber_components c"
    "      WHERE c.subscriber_id = s.id"
    "      AND c.component_id IN (SELECT value FROM json_each(:affected))))"
    " AND (:tag_count = 0 OR EXISTS (SELECT 1 FROM subscriber_tags t"
    "      WHERE t.subscriber_id = s.id AND t.tag IN (SELECT value FROM json_each(:tags))))"
    " AND (:component_count = 0 OR s.all_components = 1 OR EXISTS (SELECT 1"
    "      FROM subscriber_components c WHERE c.subscriber_id = s.id"
    "      AND c.component_id IN (SELECT value FROM json_each(:components))))"
)


class OutboxQueries(QueryBase):
    async def add_comms_event(self, e: CommsEvent) -> bool:
        """Record an event; False when it was already recorded (it is never sent twice)."""
        return (
            await self.execute(
                "INSERT OR IGNORE INTO comms_events (id, incident_id, update_id, phase, severity,"
                " next_update_at, approval_role, approved_by, approved_at, detail, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    e.id,
                    e.incident_id,
                    e.update_id,
                    e.phase,
                    e.severity,
                    ts_or_none(e.next_update_at),
                    e.approval_role,
                    e.approved_by,
                    ts_or_none(e.approved_at),
                    json.dumps(e.detail),
                    ts(e.created_at),
                ),
            )
            == 1
        )

    async def get_comms_event(self, event_id: str) -> CommsEvent | None:
        row = await self.fetchone("SELECT * FROM comms_events WHERE id = ?", (event_id,))
        return _event(row) if row else None

    async def list_comms_events(self, incident_id: str) -> list[CommsEvent]:
        """An incident's events, oldest first."""
        rows = await self.fetchall(
            "SELECT * FROM comms_events WHERE incident_id = ? ORDER BY created_at, rowid",
            (incident_id,),
        )
        return [_event(r) for r in rows]

    async def approve_comms_event(self, event_id: str, by: str, at: datetime) -> int:
        """Record the approval and release the held rows; returns how many were released."""
        await self.execute(
            "UPDATE comms_events SET approved_by = ?, approved_at = ? WHERE id = ?",
            (by, ts(at), event_id),
        )
        return await self.execute(
            "UPDATE outbox SET state = 'queued', next_attempt_at = MAX(next_attempt_at, :at),"
            " updated_at = :at WHERE event_id = :event AND state = 'held'",
            {"at": ts(at), "event": event_id},
        )

    async def enqueue_subscribers(self, batch: Batch, audience: Audience) -> int:
        """One row per matching subscriber, in one statement; returns rows inserted."""
        return await self.execute(
            _SUBSCRIBERS,
            {
                **_batch_params(batch),
                "channel": batch.channel,
                "languages": json.dumps(list(audience.languages)),
                "affected": json.dumps(list(audience.affected_component_ids)),
                "tags": json.dumps(list(audience.tags)),
                "tag_count": len(audience.tags),
                "components": json.dumps(list(audience.component_ids)),
                "component_count": len(audience.component_ids),
            },
        )

    async def enqueue_recipients(
        self, batch: Batch, recipient_kind: str, recipients: Iterable[tuple[str, str]]
    ) -> int:
        """Rows for named recipients (owners, the social account): (recipient id, language)."""
        params = _batch_params(batch)
        rows = [
            (
                params["event"],
                params["incident"],
                recipient_kind,
                rid,
                batch.channel,
                batch.segment,
                batch.template,
                language,
                batch.priority,
                params["state"],
                params["due"],
                params["now"],
                params["now"],
            )
            for rid, language in recipients
        ]
        before = self.conn.total_changes
        await self.executemany(_INSERT + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return self.conn.total_changes - before

    async def supersede_pending(
        self, event_id: str, incident_id: str, now: datetime, kept: Sequence[str] = ()
    ) -> int:
        """Older unsent rows of the incident for a recipient+channel this event also reaches
        (coalesced into it: superseded_by names it), except rows of the `kept` phases (a
        resolve always goes out)."""
        return await self.execute(
            "UPDATE outbox SET state = 'superseded', superseded_by = :event, updated_at = :now"
            " WHERE incident_id = :incident AND state IN ('held', 'queued')"
            " AND event_id != :event AND EXISTS (SELECT 1 FROM outbox n WHERE n.event_id = :event"
            "   AND n.recipient_kind = outbox.recipient_kind"
            "   AND n.recipient_id = outbox.recipient_id AND n.channel = outbox.channel)"
            " AND event_id NOT IN (SELECT id FROM comms_events WHERE incident_id = :incident"
            "   AND phase IN (SELECT value FROM json_each(:kept)))",
            {
                "event": event_id,
                "incident": incident_id,
                "now": ts(now),
                "kept": json.dumps(list(kept)),
            },
        )

    async def supersede_phases(
        self, incident_id: str, phases: Sequence[str], by_event: str, now: datetime
    ) -> int:
        """Unsent rows of some phases of an incident (reminders, once an update is posted)."""
        return await self.execute(
            "UPDATE outbox SET state = 'superseded', superseded_by = :event, updated_at = :now"
            " WHERE incident_id = :incident AND state IN ('held', 'queued')"
            " AND event_id IN (SELECT id FROM comms_events WHERE incident_id = :incident"
            "   AND phase IN (SELECT value FROM json_each(:phases)))",
            {"event": by_event, "incident": incident_id, "phases": json.dumps(list(phases)),
             "now": ts(now)},
        )  # fmt: skip

    async def outbox_groups(self, event_id: str) -> list[OutboxGroup]:
        """Rows of one event counted by segment, channel, language and state."""
        rows = await self.fetchall(
            "SELECT segment, channel, language, state, recipient_kind, template,"
            " COUNT(*) AS n, MIN(recipient_id) AS sample FROM outbox WHERE event_id = ?"
            " GROUP BY segment, channel, language, state, recipient_kind, template"
            " ORDER BY MIN(id)",
            (event_id,),
        )
        return [
            OutboxGroup(
                r["segment"],
                r["channel"],
                r["language"],
                OutboxState(r["state"]),
                r["n"],
                r["sample"],
                r["recipient_kind"],
                r["template"],
            )
            for r in rows
        ]

    async def outbox_rows(self, event_id: str | None = None) -> list[OutboxRow]:
        """Rows of one event (or all), in insertion order."""
        if event_id is None:
            rows = await self.fetchall("SELECT * FROM outbox ORDER BY id")
        else:
            rows = await self.fetchall(
                "SELECT * FROM outbox WHERE event_id = ? ORDER BY id", (event_id,)
            )
        return [row_from_sql(r) for r in rows]

    async def outbox_state_counts(self, incident_id: str) -> dict[str, int]:
        rows = await self.fetchall(
            "SELECT o.state, COUNT(*) AS n FROM comms_events e JOIN outbox o ON o.event_id = e.id"
            " WHERE e.incident_id = ? GROUP BY o.state",
            (incident_id,),
        )
        return {r["state"]: r["n"] for r in rows}


def _batch_params(batch: Batch) -> dict[str, Any]:
    return {
        "event": batch.event_id,
        "incident": batch.incident_id,
        "segment": batch.segment,
        "template": batch.template,
        "priority": batch.priority,
        "state": batch.state.value,
        "now": ts(batch.now),
        "due": ts(batch.due or batch.now),
    }
