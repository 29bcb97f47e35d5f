"""SQL for the audit log: the per-transaction actor the triggers read, and reading entries."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from datetime import datetime

import aiosqlite

from statuspage.audit import AuditEntry, RowChange, current_actor
from statuspage.storage.base import QueryBase
from statuspage.storage.convert import parse_ts, ts, ts_or_none


async def begin_audit(conn: aiosqlite.Connection, at: datetime) -> None:
    """Record who acts in this write transaction, and when, for the audit triggers to copy."""
    actor = current_actor()
    await conn.execute(
        "INSERT OR REPLACE INTO audit_context (id, tx_id, at, actor, via, source, action)"
        " VALUES (1, ?, ?, ?, ?, ?, ?)",
        (
            secrets.token_hex(8),
            ts(at),
            actor.name,
            actor.via,
            actor.source,
            actor.action,
        ),
    )


async def end_audit(conn: aiosqlite.Connection) -> None:
    """Empty the actor row before COMMIT, so writes by other programs are not misattributed."""
    await conn.execute("DELETE FROM audit_context")


_ENTRY = "COALESCE(tx_id, 'row-' || id)"


class AuditQueries(QueryBase):
    async def list_audit(
        self, *, since: datetime | None = None, incident_id: str | None = None, limit: int = 50
    ) -> list[AuditEntry]:
        """The newest `limit` entries (one per transaction), newest first.

        With `incident_id`, the entries that touched that incident, each shown whole.
        """
        entries = [
            r[0]
            for r in await self.fetchall(
                f"SELECT {_ENTRY} AS entry, MAX(id) AS last FROM audit_log"  # noqa: S608
                " WHERE (:since IS NULL OR at >= :since)"
                " AND (:incident IS NULL OR incident_id = :incident)"
                " GROUP BY entry ORDER BY last DESC LIMIT :limit",
                {"since": ts_or_none(since), "incident": incident_id, "limit": limit},
            )
        ]
        rows = await self.fetchall(
            f"SELECT *, {_ENTRY} AS entry FROM audit_log"  # noqa: S608
            f" WHERE {_ENTRY} IN (SELECT value FROM json_each(?)) ORDER BY id",
            (json.dumps(entries),),
        )
        grouped: dict[str, list[aiosqlite.Row]] = {e: [] for e in entries}
        for row in rows:
            grouped[row["entry"]].append(row)
        return [_entry(key, grouped[key]) for key in entries if grouped[key]]


def _entry(key: str, rows: Iterable[aiosqlite.Row]) -> AuditEntry:
    rows = list(rows)
    first = rows[0]
    return AuditEntry(
        tx_id=key,
        at=parse_ts(first["at"]),
        actor=first["actor"],
        via=first["via"],
        source=first["source"],
        action=first["action"],
        changes=tuple(
            RowChange(
                table=r["table_name"],
                row_id=r["row_id"],
                op=r["op"],
                before=json.loads(r["before"]) if r["before"] else None,
                after=json.loads(r["after"]) if r["after"] else None,
                incident_id=r["incident_id"],
            )
            for r in rows
        ),
    )
