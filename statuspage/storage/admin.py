"""SQL the admin API needs beyond the core use cases: incident search, component sets."""

from __future__ import annotations

import json
from collections.abc import Iterable

from statuspage.storage.base import QueryBase
from statuspage.storage.incidents import OPEN_CONDITION


class AdminQueries(QueryBase):
    async def incident_ids(
        self,
        *,
        kind: str | None = None,
        open_only: bool = False,
        statuses: Iterable[str] | None = None,
        text: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[str]:
        """Ids of matching incidents in list order (newest first, as `list_incidents`).

        `text` matches, ignoring case, the name, an update's body or the postmortem.
        """
        sql = (
            "SELECT id FROM incidents i WHERE (:kind IS NULL OR kind = :kind)"  # noqa: S608
            f" AND (:open = 0 OR {OPEN_CONDITION})"
            " AND (:statuses IS NULL OR status IN (SELECT value FROM json_each(:statuses)))"
            " AND (:text IS NULL OR instr(lower(name), lower(:text)) > 0"
            "      OR instr(lower(COALESCE(postmortem_body, '')), lower(:text)) > 0"
            "      OR EXISTS (SELECT 1 FROM incident_updates u WHERE u.incident_id = i.id"
            "                 AND instr(lower(u.body), lower(:text)) > 0))"
            " ORDER BY COALESCE(scheduled_for, started_at) DESC, created_at DESC"
            " LIMIT :limit OFFSET :offset"
        )
        rows = await self.fetchall(
            sql,
            {
                "kind": kind,
                "open": int(open_only),
                "statuses": None if statuses is None else json.dumps(list(statuses)),
                "text": text or None,
                "limit": limit,
                "offset": offset,
            },
        )
        return [r[0] for r in rows]

    async def remove_incident_component(self, incident_id: str, component_id: str) -> None:
        await self.execute(
            "DELETE FROM incident_components WHERE incident_id = ? AND component_id = ?",
            (incident_id, component_id),
        )
