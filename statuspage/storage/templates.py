"""SQL for incident templates."""

from __future__ import annotations

import json

import aiosqlite

from statuspage.incident_templates import IncidentTemplate
from statuspage.storage.base import QueryBase
from statuspage.storage.convert import parse_ts, ts


def _template(row: aiosqlite.Row) -> IncidentTemplate:
    return IncidentTemplate(
        id=row["id"],
        name=row["name"],
        title=row["title"],
        body=row["body"],
        created_at=parse_ts(row["created_at"]),
        updated_at=parse_ts(row["updated_at"]),
        group_id=row["group_id"],
        update_status=row["update_status"],
        should_tweet=bool(row["should_tweet"]),
        should_send_notifications=bool(row["should_send_notifications"]),
        component_ids=tuple(json.loads(row["component_ids"])),
    )


class TemplateQueries(QueryBase):
    async def save_template(self, t: IncidentTemplate) -> None:
        await self.execute(
            "INSERT INTO incident_templates (id, name, title, body, group_id, update_status,"
            " should_tweet, should_send_notifications, component_ids, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET name = excluded.name, title = excluded.title,"
            " body = excluded.body, group_id = excluded.group_id,"
            " update_status = excluded.update_status, should_tweet = excluded.should_tweet,"
            " should_send_notifications = excluded.should_send_notifications,"
            " component_ids = excluded.component_ids, updated_at = excluded.updated_at",
            (
                t.id,
                t.name,
                t.title,
                t.body,
                t.group_id,
                t.update_status,
                int(t.should_tweet),
                int(t.should_send_notifications),
                json.dumps(list(t.component_ids)),
                ts(t.created_at),
                ts(t.updated_at),
            ),
        )

    async def find_template(self, ref: str) -> IncidentTemplate | None:
        """A template by id, or by name ignoring case."""
        row = await self.fetchone(
            "SELECT * FROM incident_templates WHERE id = ? OR name = ? COLLATE NOCASE"
            " ORDER BY id = ? DESC LIMIT 1",
            (ref, ref, ref),
        )
        return _template(row) if row else None

    async def list_templates(self) -> list[IncidentTemplate]:
        rows = await self.fetchall("SELECT * FROM incident_templates ORDER BY name, id")
        return [_template(r) for r in rows]

    async def delete_template(self, template_id: str) -> None:
        await self.execute("DELETE FROM incident_templates WHERE id = ?", (template_id,))
