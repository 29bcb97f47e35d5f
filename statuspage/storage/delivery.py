"""SQL for delivering the outbox: claim one channel's due rows, settle outcomes,
and the facts sending needs: subscribers' addresses, social threads, blocked templates.

Claims and settles follow storage/outbox_claims.py (a lease per row, settled only by the
lease holder), per channel, with many outcomes settled in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from statuspage.storage.base import QueryBase
from statuspage.storage.convert import parse_ts_or_none, ts, ts_or_none
from statuspage.storage.outbox import OutboxRow, OutboxState, row_from_sql


@dataclass(frozen=True)
class Claimed:
    """A claimed outbox row with the delivery columns of migration 0401."""

    row: OutboxRow
    ambiguous_since: datetime | None = None
    provider_code: str | None = None


@dataclass(frozen=True)
class Contact:
    """A subscriber as sending needs them: where, whether still active, which language."""

    id: str
    channel: str
    address: str
    state: str
    language: str


@dataclass(frozen=True)
class Settlement:
    """The outcome of one claimed row. `refund` gives back the attempt it was claimed with
    (the provider was busy: not the message's fault)."""

    row_id: int
    state: OutboxState
    provider_message_id: str | None = None
    provider_code: str | None = None
    error: str | None = None
    next_attempt_at: datetime | None = None
    ambiguous_since: datetime | None = None
    refund: bool = False


@dataclass(frozen=True)
class Thread:
    root_id: str
    last_id: str
    root_ref: str | None = None
    last_ref: str | None = None


def claimed_from_sql(r: aiosqlite.Row) -> Claimed:
    return Claimed(row_from_sql(r), parse_ts_or_none(r["ambiguous_since"]), r["provider_code"])


_SETTLE = (
    "UPDATE outbox SET state = :state, updated_at = :now, lease_owner = NULL,"
    " lease_expires_at = NULL,"
    " provider_message_id = COALESCE(:provider_id, provider_message_id),"
    " provider_code = CASE WHEN :state IN ('sent', 'delivered') THEN NULL ELSE :code END,"
    " last_error = CASE WHEN :state = 'sent' THEN NULL ELSE COALESCE(:error, last_error) END,"
    " next_attempt_at = COALESCE(:next, next_attempt_at), ambiguous_since = :ambiguous,"
    " attempts = attempts - :refund,"
    " sent_at = CASE WHEN :state = 'sent' THEN :now ELSE sent_at END"
    " WHERE id = :id AND lease_owner = :owner AND state = 'sending'"
)


class DeliveryQueries(QueryBase):
    async def claim_channel(
        self, owner: str, channel: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[Claimed]:
        """Claim one channel's due rows, most urgent first. Rows whose lease expired (a
        dispatcher died) are due again, marked ambiguous: they may have been sent."""
        await self.execute(
            "UPDATE outbox SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL,"
            " ambiguous_since = COALESCE(ambiguous_since, updated_at), updated_at = :now"
            " WHERE state = 'sending' AND lease_expires_at <= :now AND channel = :channel",
            {"now": ts(now), "channel": channel},
        )
        rows = await self.fetchall(
            "UPDATE outbox SET state = 'sending', lease_owner = :owner, lease_expires_at = :until,"
            " attempts = attempts + 1, updated_at = :now WHERE id IN (SELECT id FROM outbox"
            " WHERE state = 'queued' AND channel = :channel AND next_attempt_at <= :now"
            " ORDER BY priority, next_attempt_at, id LIMIT :limit /* skip locked */) RETURNING *",
            {"owner": owner, "until": ts(lease_until), "now": ts(now), "limit": limit,
             "channel": channel},
        )  # fmt: skip
        found = [claimed_from_sql(r) for r in rows]
        return sorted(found, key=lambda c: (c.row.priority, c.row.id))

    async def channel_due(self, channel: str, now: datetime) -> bool:
        """Whether a claim of this channel would find a row: one due, or one whose lease
        ran out. (Cheaper than the claim, for a channel with nothing to send.)"""
        row = await self.fetchone(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE state = 'queued' AND channel = :channel"
            " AND next_attempt_at <= :now) OR EXISTS (SELECT 1 FROM outbox"
            " WHERE state = 'sending' AND lease_expires_at <= :now AND channel = :channel)",
            {"channel": channel, "now": ts(now)},
        )
        return bool(row and row[0])

    async def next_due(self, channel: str) -> datetime | None:
        """When the channel's next queued row is due (None: nothing queued)."""
        row = await self.fetchone(
            "SELECT MIN(next_attempt_at) AS at FROM outbox WHERE state = 'queued' AND channel = ?",
            (channel,),
        )
        return parse_ts_or_none(row["at"]) if row else None

    async def settle_many(
        self, owner: str, settlements: Sequence[Settlement], now: datetime
    ) -> list[int]:
        """Record outcomes of rows this owner still holds; returns the ids settled."""
        before, at = self.conn.total_changes, ts(now)
        await self.executemany(_SETTLE, [_settle_params(owner, s, at) for s in settlements])
        if self.conn.total_changes - before == len(settlements):
            return [s.row_id for s in settlements]
        # Some leases were lost (another dispatcher took rows over): which ones?
        rows = await self.fetchall(
            "SELECT id FROM outbox WHERE lease_owner IS NULL"
            " AND id IN (SELECT value FROM json_each(?)) AND updated_at = ?",
            (json.dumps([s.row_id for s in settlements]), ts(now)),
        )
        return [r["id"] for r in rows]

    async def renew_claims(
        self, owner: str, until: datetime, except_ids: Iterable[int] = ()
    ) -> int:
        """Extend the leases of the rows this owner holds (it is alive and sending)."""
        return await self.execute(
            "UPDATE outbox SET lease_expires_at = :until WHERE state = 'sending'"
            " AND lease_owner = :owner AND id NOT IN (SELECT value FROM json_each(:skip))",
            {"owner": owner, "until": ts(until), "skip": json.dumps(list(except_ids))},
        )

    async def release_claims(self, owner: str, row_ids: Sequence[int], now: datetime) -> int:
        """Give back claimed rows never attempted (a dispatcher stopping cleanly)."""
        return await self.execute(
            "UPDATE outbox SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL,"
            " attempts = MAX(attempts - 1, 0), updated_at = :now WHERE state = 'sending'"
            " AND lease_owner = :owner AND id IN (SELECT value FROM json_each(:ids))",
            {"owner": owner, "now": ts(now), "ids": json.dumps(list(row_ids))},
        )

    async def contacts(self, subscriber_ids: Iterable[str]) -> dict[str, Contact]:
        rows = await self.fetchall(
            "SELECT id, channel, address, state, language FROM subscribers"
            " WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(subscriber_ids)),),
        )
        return {
            r["id"]: Contact(r["id"], r["channel"], r["address"], r["state"], r["language"])
            for r in rows
        }

    async def unsubscribe(self, subscriber_id: str, now: datetime) -> bool:
        """Mark a subscriber unsubscribed (an opt-out the provider reported)."""
        changed = await self.execute(
            "UPDATE subscribers SET state = 'unsubscribed', unsubscribed_at = :now,"
            " updated_at = :now WHERE id = :id AND state != 'unsubscribed'",
            {"id": subscriber_id, "now": ts(now)},
        )
        return changed == 1

    async def set_subscription_by_address(
        self, channel: str, address: str, active: bool, now: datetime
    ) -> int:
        """STOP (active=False) or START (active=True) from an address; returns rows changed."""
        if active:
            sql = (
                "UPDATE subscribers SET state = 'active', unsubscribed_at = NULL,"
                " updated_at = :now WHERE channel = :channel AND address = :address"
                " AND state = 'unsubscribed'"
            )
        else:
            sql = (
                "UPDATE subscribers SET state = 'unsubscribed', unsubscribed_at = :now,"
                " updated_at = :now WHERE channel = :channel AND address = :address"
                " AND state != 'unsubscribed'"
            )
        return await self.execute(sql, {"channel": channel, "address": address, "now": ts(now)})

    async def get_thread(self, incident_id: str, channel: str) -> Thread | None:
        row = await self.fetchone(
            "SELECT * FROM comms_threads WHERE incident_id = ? AND channel = ?",
            (incident_id, channel),
        )
        if row is None:
            return None
        return Thread(row["root_id"], row["last_id"], row["root_ref"], row["last_ref"])

    async def add_thread_post(
        self, incident_id: str, channel: str, post_id: str, ref: str | None, now: datetime
    ) -> None:
        """The incident's first post becomes the thread's root; every post becomes its last."""
        await self.execute(
            "INSERT INTO comms_threads (incident_id, channel, root_id, root_ref, last_id,"
            " last_ref, updated_at) VALUES (:incident, :channel, :id, :ref, :id, :ref, :now)"
            " ON CONFLICT (incident_id, channel) DO UPDATE SET last_id = excluded.last_id,"
            " last_ref = excluded.last_ref, updated_at = excluded.updated_at",
            {"incident": incident_id, "channel": channel, "id": post_id, "ref": ref,
             "now": ts(now)},
        )  # fmt: skip

    async def blocked_templates(self, channel: str) -> set[tuple[str, str]]:
        rows = await self.fetchall(
            "SELECT template, language FROM comms_blocks WHERE channel = ?", (channel,)
        )
        return {(r["template"], r["language"]) for r in rows}

    async def block_template(
        self,
        channel: str,
        template: str,
        language: str,
        code: str | None,
        reason: str,
        incident_id: str,
        now: datetime,
    ) -> bool:
        """Stop sending a template on a channel; False when it was already blocked."""
        changed = await self.execute(
            "INSERT OR IGNORE INTO comms_blocks (channel, template, language, provider_code,"
            " reason, incident_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (channel, template, language, code, reason, incident_id, ts(now)),
        )
        return changed == 1

    async def throttle(self, channel: str, factor: float, until: datetime, reason: str) -> None:
        await self.execute(
            "INSERT INTO comms_throttles (channel, factor, until, reason) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (channel) DO UPDATE SET"
            " factor = MIN(comms_throttles.factor, excluded.factor),"
            " until = excluded.until, reason = excluded.reason",
            (channel, factor, ts(until), reason),
        )

    async def throttles(self, now: datetime) -> dict[str, tuple[float, datetime]]:
        rows = await self.fetchall(
            "SELECT channel, factor, until FROM comms_throttles WHERE until > ?", (ts(now),)
        )
        found = {}
        for r in rows:
            until = parse_ts_or_none(r["until"])
            if until is not None:
                found[r["channel"]] = (float(r["factor"]), until)
        return found

    async def outbox_row(self, row_id: int) -> Claimed | None:
        row = await self.fetchone("SELECT * FROM outbox WHERE id = ?", (row_id,))
        return claimed_from_sql(row) if row else None

    async def outbox_by_provider_id(self, channel: str, provider_id: str) -> Claimed | None:
        row = await self.fetchone(
            "SELECT * FROM outbox WHERE provider_message_id = ? AND channel = ?",
            (provider_id, channel),
        )
        return claimed_from_sql(row) if row else None

    async def set_outcome(
        self,
        row_id: int,
        state: OutboxState,
        now: datetime,
        *,
        code: str | None = None,
        error: str | None = None,
        next_attempt_at: datetime | None = None,
    ) -> bool:
        """A provider's later report on a row no dispatcher holds (delivered, undelivered)."""
        changed = await self.execute(
            "UPDATE outbox SET state = :state, updated_at = :now,"
            " provider_code = COALESCE(:code, provider_code),"
            " last_error = COALESCE(:error, last_error),"
            " next_attempt_at = COALESCE(:next, next_attempt_at),"
            " delivered_at = CASE WHEN :state = 'delivered' THEN :now ELSE delivered_at END"
            " WHERE id = :id AND state IN ('sent', 'delivered')",
            {"state": state.value, "now": ts(now), "code": code, "error": error,
             "next": ts_or_none(next_attempt_at), "id": row_id},
        )  # fmt: skip
        return changed == 1

    async def keep_receipt(
        self, provider_id: str, row_id: int | None, status: str, code: str | None, now: datetime
    ) -> None:
        """A report that came before its send was recorded; applied when it is."""
        await self.execute(
            "INSERT INTO delivery_receipts (provider_message_id, outbox_id, status,"
            " provider_code, received_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (provider_message_id) DO UPDATE SET status = excluded.status,"
            " provider_code = excluded.provider_code, received_at = excluded.received_at",
            (provider_id, row_id, status, code, ts(now)),
        )

    async def take_receipts(self, provider_ids: Iterable[str]) -> list[tuple[str, str, str | None]]:
        """Reports kept for these provider ids, removed as they are taken."""
        ids = json.dumps(list(provider_ids))
        rows = list(
            await self.fetchall(
                "DELETE FROM delivery_receipts WHERE provider_message_id IN"
                " (SELECT value FROM json_each(?)) RETURNING *",
                (ids,),
            )
        )
        return [(r["provider_message_id"], r["status"], r["provider_code"]) for r in rows]


def _settle_params(owner: str, s: Settlement, now: str) -> dict[str, object]:
    return {
        "state": s.state.value,
        "now": now,
        "provider_id": s.provider_message_id,
        "code": s.provider_code,
        "error": s.error,
        "next": ts_or_none(s.next_attempt_at),
        "ambiguous": ts_or_none(s.ambiguous_since),
        "refund": 1 if s.refund else 0,
        "id": s.row_id,
        "owner": owner,
    }
