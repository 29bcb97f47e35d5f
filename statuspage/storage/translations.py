"""SQL for texts in other languages (the translations table)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from statuspage.model import Translation
from statuspage.storage.base import QueryBase
from statuspage.storage.convert import ts

Found = dict[str, tuple[Translation, ...]]
TABLES = {
    "page": "page",
    "group": "component_groups",
    "component": "components",
    "incident": "incidents",
    "update": "incident_updates",
}


class TranslationQueries(QueryBase):
    async def translations_of(self, subject: str, ids: Iterable[str] | None = None) -> Found:
        """The translations of `subject` rows (all of them, or those of `ids`), by row id,
        in (field, language) order."""
        sql = "SELECT subject_id, field, language, text FROM translations WHERE subject = ?"
        params: list[object] = [subject]
        if ids is not None:
            sql += " AND subject_id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(list(ids)))
        found: dict[str, list[Translation]] = defaultdict(list)
        for row in await self.fetchall(sql + " ORDER BY field, language", params):
            found[row[0]].append(Translation(row[1], row[2], row[3]))
        return {key: tuple(value) for key, value in found.items()}

    async def save_translation(
        self, subject: str, subject_id: str, field: str, language: str, text: str, at: datetime
    ) -> bool:
        """Add or replace one translation; True when something changed."""
        return bool(
            await self.execute(
                "INSERT INTO translations (subject, subject_id, field, language, text, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (subject, subject_id, field, language)"
                " DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at"
                " WHERE translations.text IS NOT excluded.text",
                (subject, subject_id, field, language, text, ts(at)),
            )
        )

    async def delete_translation(
        self, subject: str, subject_id: str, field: str | None, language: str
    ) -> int:
        """Remove a translation (of one field, or of every field of the row); the count."""
        sql = "DELETE FROM translations WHERE subject = ? AND subject_id = ? AND language = ?"
        params: list[object] = [subject, subject_id, language]
        if field is not None:
            sql += " AND field = ?"
            params.append(field)
        return await self.execute(sql, params)

    async def translated_row_exists(self, subject: str, subject_id: str) -> bool:
        table = TABLES[subject]
        sql = f"SELECT 1 FROM {table} WHERE id = ?"  # noqa: S608 - a name from TABLES
        return await self.fetchone(sql, (subject_id,)) is not None

    async def touch_translated(self, subject: str, subject_id: str, at: datetime) -> None:
        """Mark a translated row as changed (its updated_at), so readers reread it."""
        table = TABLES[subject]
        sql = f"UPDATE {table} SET updated_at = ? WHERE id = ?"  # noqa: S608 - from TABLES
        await self.execute(sql, (ts(at), subject_id))
