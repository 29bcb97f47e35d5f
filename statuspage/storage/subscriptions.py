"""SQL for self-service subscriptions: confirmations, a subscriber's own messages
in the outbox, erasure and purging, and what a data request returns.

A subscriber's own message is a comms event with `subscriber_id` set (no incident) and one
outbox row whose segment is SUBSCRIPTION_SEGMENT; the dispatcher sends it like any other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from statuspage.model import Subscriber
from statuspage.storage.base import QueryBase
from statuspage.storage.convert import parse_ts, parse_ts_or_none, ts
from statuspage.subscriptions import (
    SUBSCRIPTION_PRIORITY,
    SUBSCRIPTION_SEGMENT,
    Confirmation,
    Kind,
    ProbeStatus,
)


@dataclass(frozen=True)
class OwnMessage:
    """One message about a subscription, to be queued."""

    event_id: str
    subscriber: Subscriber
    kind: Kind
    nonce: str | None
    now: datetime


def _confirmation(row: aiosqlite.Row) -> Confirmation:
    return Confirmation(
        subscriber_id=row["subscriber_id"],
        nonce=row["nonce"],
        sent_at=parse_ts(row["sent_at"]),
        expires_at=parse_ts(row["expires_at"]),
        code_expires_at=parse_ts(row["code_expires_at"]),
        attempts=row["attempts"],
        new_address=row["new_address"],
        new_phone_country=row["new_phone_country"],
    )


class SubscriptionQueries(QueryBase):
    async def get_confirmation(self, subscriber_id: str) -> Confirmation | None:
        row = await self.fetchone(
            "SELECT * FROM subscriber_confirmations WHERE subscriber_id = ?", (subscriber_id,)
        )
        return _confirmation(row) if row else None

    async def save_confirmation(self, c: Confirmation, *, write: bool = True) -> None:
        """Insert or replace a subscriber's confirmation. `write=False` runs the same
        statement and writes nothing (see `queue_own_message`)."""
        await self.execute(
            "INSERT INTO subscriber_confirmations (subscriber_id, nonce, new_address,"
            " new_phone_country, sent_at, expires_at, code_expires_at, attempts)"
            " SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE ? ON CONFLICT (subscriber_id) DO UPDATE SET"
            " nonce = excluded.nonce, new_address = excluded.new_address,"
            " new_phone_country = excluded.new_phone_country, sent_at = excluded.sent_at,"
            " expires_at = excluded.expires_at, code_expires_at = excluded.code_expires_at,"
            " attempts = excluded.attempts",
            (c.subscriber_id, c.nonce, c.new_address, c.new_phone_country, ts(c.sent_at),
             ts(c.expires_at), ts(c.code_expires_at), c.attempts, int(write)),
        )  # fmt: skip

    async def delete_confirmation(self, subscriber_id: str) -> None:
        await self.execute(
            "DELETE FROM subscriber_confirmations WHERE subscriber_id = ?", (subscriber_id,)
        )

    async def count_code_attempt(self, subscriber_id: str) -> None:
        await self.execute(
            "UPDATE subscriber_confirmations SET attempts = attempts + 1 WHERE subscriber_id = ?",
            (subscriber_id,),
        )

    async def awaiting_at(self, channel: str, address: str) -> str | None:
        """The subscriber whose confirmation this address answers: a pending subscription
        of it, or a change of address to it."""
        row = await self.fetchone(
            "SELECT c.subscriber_id FROM subscriber_confirmations c"
            " JOIN subscribers s ON s.id = c.subscriber_id WHERE s.channel = :channel"
            " AND ((c.new_address IS NULL AND s.address = :address AND s.state = 'pending')"
            "   OR c.new_address = :address) ORDER BY c.sent_at DESC LIMIT 1",
            {"channel": channel, "address": address},
        )
        return str(row["subscriber_id"]) if row else None

    async def queue_own_message(self, m: OwnMessage, *, write: bool = True) -> None:
        """The event and the outbox row of one message about a subscription.

        `write=False` runs the same statements and writes nothing: the subscribe request
        for an address subscribed already does the work of one for a new address, so the
        time it takes does not tell who is subscribed.
        """
        s, now = m.subscriber, ts(m.now)
        detail = json.dumps({"kind": m.kind.value, "nonce": m.nonce})
        await self.execute(
            "INSERT INTO comms_events (id, subscriber_id, phase, detail, created_at)"
            " SELECT ?, ?, ?, ?, ? WHERE ?",
            (m.event_id, s.id, m.kind.value, detail, now, int(write)),
        )
        await self.execute(
            "INSERT INTO outbox (event_id, incident_id, recipient_kind, recipient_id, channel,"
            " segment, template, language, priority, state, next_attempt_at, created_at,"
            " updated_at) SELECT ?, '', 'subscriber', ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?"
            " WHERE ?",
            (m.event_id, s.id, s.channel.value, SUBSCRIPTION_SEGMENT, m.kind.value,
             s.language, SUBSCRIPTION_PRIORITY, now, now, now, int(write)),
        )  # fmt: skip

    async def own_message_detail(self, event_id: str) -> dict[str, Any] | None:
        row = await self.fetchone(
            "SELECT subscriber_id, detail FROM comms_events WHERE id = ? AND"
            " subscriber_id IS NOT NULL",
            (event_id,),
        )
        if row is None:
            return None
        return {**json.loads(row["detail"]), "subscriber_id": row["subscriber_id"]}

    async def cancel_messages_to(
        self,
        subscriber_id: str,
        reason: str,
        now: datetime,
        *,
        kinds: tuple[Kind, ...] = (),
        write: bool = True,
    ) -> int:
        """Unsent messages to a subscriber: all of them, or only their own of `kinds`.
        `write=False` runs the same statement and changes nothing."""
        own = json.dumps([k.value for k in kinds])
        return await self.execute(
            "UPDATE outbox SET state = 'cancelled', last_error = :reason, updated_at = :now"
            " WHERE recipient_kind = 'subscriber' AND recipient_id = :id"
            " AND state IN ('held', 'queued') AND (:all = 1 OR (segment = :segment"
            "   AND template IN (SELECT value FROM json_each(:kinds)))) AND :write = 1",
            {"reason": reason, "now": ts(now), "id": subscriber_id, "segment":
             SUBSCRIPTION_SEGMENT, "kinds": own, "all": int(not kinds), "write": int(write)},
        )  # fmt: skip

    async def probe_status(self, subscriber_id: str) -> ProbeStatus | None:
        """The latest test event of a webhook or Slack subscriber."""
        row = await self.fetchone(
            "SELECT state, attempts, last_error, next_attempt_at, sent_at FROM outbox"
            " WHERE recipient_kind = 'subscriber' AND recipient_id = ? AND segment = ?"
            " AND template = ? ORDER BY id DESC LIMIT 1",
            (subscriber_id, SUBSCRIPTION_SEGMENT, Kind.TEST.value),
        )
        if row is None:
            return None
        waiting = row["state"] == "queued"
        return ProbeStatus(
            row["state"], row["attempts"], row["last_error"],
            parse_ts(row["next_attempt_at"]) if waiting else None,
            parse_ts_or_none(row["sent_at"]),
        )  # fmt: skip

    async def messages_to(self, subscriber_id: str) -> list[dict[str, Any]]:
        """Every outbox row addressed to a subscriber (a data request shows them)."""
        rows = await self.fetchall(
            "SELECT o.id, o.incident_id, e.phase, o.channel, o.template, o.language, o.state,"
            " o.attempts, o.created_at, o.sent_at, o.delivered_at, o.provider_code,"
            " o.last_error FROM outbox o JOIN comms_events e ON e.id = o.event_id"
            " WHERE o.recipient_kind = 'subscriber' AND o.recipient_id = ? ORDER BY o.id",
            (subscriber_id,),
        )
        return [{k: r[k] for k in r.keys()} for r in rows]  # noqa: SIM118 - a Row

    async def erase_subscriber(self, subscriber_id: str) -> int:
        """Delete a subscriber and everything addressed to them; returns outbox rows deleted.
        (Their components, tags, confirmation and own messages go with the row.)"""
        await self.execute(
            "DELETE FROM delivery_receipts WHERE outbox_id IN (SELECT id FROM outbox"
            " WHERE recipient_kind = 'subscriber' AND recipient_id = ?)",
            (subscriber_id,),
        )
        deleted = await self.execute(
            "DELETE FROM outbox WHERE recipient_kind = 'subscriber' AND recipient_id = ?",
            (subscriber_id,),
        )
        await self.execute("DELETE FROM subscribers WHERE id = ?", (subscriber_id,))
        return deleted

    async def unconfirmed_expired(self, now: datetime) -> list[str]:
        """Pending subscribers whose confirmation ran out (or who never had one in time)."""
        rows = await self.fetchall(
            "SELECT s.id FROM subscribers s LEFT JOIN subscriber_confirmations c"
            " ON c.subscriber_id = s.id WHERE s.state = 'pending'"
            " AND COALESCE(c.expires_at, s.updated_at) <= :now",
            {"now": ts(now)},
        )
        return [r["id"] for r in rows]

    async def drop_expired_confirmations(self, now: datetime) -> int:
        """Expired changes of address of active subscribers: the change is forgotten."""
        return await self.execute(
            "DELETE FROM subscriber_confirmations WHERE expires_at <= ?", (ts(now),)
        )

    async def count_by_channel(
        self, *, state: str | None, tag: str | None, component_id: str | None
    ) -> dict[str, int]:
        rows = await self.fetchall(
            "SELECT channel, COUNT(*) AS n FROM subscribers s"
            " WHERE (:state IS NULL OR state = :state)"
            " AND (:tag IS NULL OR EXISTS (SELECT 1 FROM subscriber_tags t"
            "      WHERE t.subscriber_id = s.id AND t.tag = :tag))"
            " AND (:component IS NULL OR all_components = 1 OR EXISTS (SELECT 1 FROM"
            "      subscriber_components c WHERE c.subscriber_id = s.id"
            "      AND c.component_id = :component)) GROUP BY channel",
            {"state": state, "tag": tag, "component": component_id},
        )
        return {r["channel"]: r["n"] for r in rows}
