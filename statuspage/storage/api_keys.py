"""SQL for API keys (only their hashes are stored)."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from statuspage.keys import ApiKey, Scope
from statuspage.storage.base import QueryBase
from statuspage.storage.convert import parse_ts, parse_ts_or_none, ts, ts_or_none


def _key(row: aiosqlite.Row) -> ApiKey:
    return ApiKey(
        id=row["id"],
        name=row["name"],
        scope=Scope(row["scope"]),
        key_hash=row["key_hash"],
        created_at=parse_ts(row["created_at"]),
        created_by=row["created_by"],
        last_used_at=parse_ts_or_none(row["last_used_at"]),
        last_used_from=row["last_used_from"],
        revoked_at=parse_ts_or_none(row["revoked_at"]),
    )


class ApiKeyQueries(QueryBase):
    async def save_api_key(self, key: ApiKey) -> None:
        await self.execute(
            "INSERT INTO api_keys (id, name, scope, key_hash, created_at, created_by,"
            " last_used_at, last_used_from, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET name = excluded.name, scope = excluded.scope,"
            " revoked_at = excluded.revoked_at",
            (
                key.id,
                key.name,
                key.scope.value,
                key.key_hash,
                ts(key.created_at),
                key.created_by,
                ts_or_none(key.last_used_at),
                key.last_used_from,
                ts_or_none(key.revoked_at),
            ),
        )

    async def get_api_key(self, key_id: str) -> ApiKey | None:
        row = await self.fetchone("SELECT * FROM api_keys WHERE id = ?", (key_id,))
        return _key(row) if row else None

    async def find_api_key(self, ref: str) -> ApiKey | None:
        """A key by id, or the active key of that name (ignoring case)."""
        row = await self.fetchone(
            "SELECT * FROM api_keys WHERE id = ?"
            " OR (name = ? COLLATE NOCASE AND revoked_at IS NULL)"
            " ORDER BY id = ? DESC LIMIT 1",
            (ref, ref, ref),
        )
        return _key(row) if row else None

    async def list_api_keys(self) -> list[ApiKey]:
        rows = await self.fetchall("SELECT * FROM api_keys ORDER BY created_at, id")
        return [_key(r) for r in rows]

    async def touch_api_key(
        self, key_id: str, at: datetime, source: str, older_than: datetime
    ) -> None:
        """Stamp a key's last use, at most once per interval (a write per request is waste)."""
        await self.execute(
            "UPDATE api_keys SET last_used_at = ?, last_used_from = ?"
            " WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?"
            " OR last_used_from IS NOT ?)",
            (ts(at), source, key_id, ts(older_than), source),
        )
