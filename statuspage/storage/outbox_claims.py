"""SQL for the dispatcher's side of the outbox: claim under a lease, then settle.

A claim takes due `queued` rows (most urgent first: priority, then due time) and marks them
`sending` under a lease; rows whose lease expired (a crashed dispatcher) become due again
first. Settling checks the lease is still held, so a row is never settled by two dispatchers.
"""

from __future__ import annotations

from datetime import datetime

from statuspage.storage.base import QueryBase
from statuspage.storage.convert import ts, ts_or_none
from statuspage.storage.outbox import OutboxRow, OutboxState, row_from_sql


class OutboxClaimQueries(QueryBase):
    async def claim_outbox(
        self, owner: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[OutboxRow]:
        """Claim due rows, most urgent first; rows of an expired lease are due again."""
        await self.execute(
            "UPDATE outbox SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL,"
            " updated_at = :now WHERE state = 'sending' AND lease_expires_at <= :now",
            {"now": ts(now)},
        )
        rows = await self.fetchall(
            "UPDATE outbox SET state = 'sending', lease_owner = :owner, lease_expires_at = :until,"
            " attempts = attempts + 1, updated_at = :now WHERE id IN (SELECT id FROM outbox"
            " WHERE state = 'queued' AND next_attempt_at <= :now"
            " ORDER BY priority, next_attempt_at, id LIMIT :limit /* skip locked */) RETURNING *",
            {"owner": owner, "until": ts(lease_until), "now": ts(now), "limit": limit},
        )
        return sorted((row_from_sql(r) for r in rows), key=lambda r: (r.priority, r.id))

    async def settle_outbox(
        self,
        row_id: int,
        owner: str,
        state: OutboxState,
        now: datetime,
        *,
        provider_message_id: str | None = None,
        error: str | None = None,
        next_attempt_at: datetime | None = None,
    ) -> bool:
        """Record the outcome of a claimed row; False when the lease was lost meanwhile."""
        changed = await self.execute(
            "UPDATE outbox SET state = :state, updated_at = :now, lease_owner = NULL,"
            " lease_expires_at = NULL,"
            " provider_message_id = COALESCE(:provider_id, provider_message_id),"
            " last_error = COALESCE(:error, last_error),"
            " next_attempt_at = COALESCE(:next, next_attempt_at),"
            " sent_at = CASE WHEN :state = 'sent' THEN :now ELSE sent_at END"
            " WHERE id = :id AND lease_owner = :owner AND state = 'sending'",
            {
                "state": state.value, "now": ts(now), "provider_id": provider_message_id,
                "error": error, "next": ts_or_none(next_attempt_at), "id": row_id, "owner": owner,
            },
        )  # fmt: skip
        return changed == 1
