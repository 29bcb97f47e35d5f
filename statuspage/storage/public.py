"""SQL for the published read model: cheap fingerprints, so a snapshot rereads only what changed."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from statuspage.model import ComponentStatus, Incident, StatusChange
from statuspage.storage.components import ComponentQueries, _change
from statuspage.storage.convert import ts
from statuspage.storage.incidents import IncidentQueries


@dataclass(frozen=True)
class IncidentFingerprint:
    """What identifies one version of an incident, with the statuses it holds on components."""

    id: str
    version: str
    backfilled: bool
    holds: tuple[tuple[str, ComponentStatus], ...]


def _holds(version: str) -> tuple[tuple[str, ComponentStatus], ...]:
    """The (component id, status) pairs at the end of a fingerprint."""
    pairs = version.rsplit("|", 1)[-1]
    return tuple(
        (cid, ComponentStatus(status))
        for cid, _, status in (p.partition("=") for p in pairs.split(",") if p)
    )


@dataclass(frozen=True)
class ChangeLog:
    """Status changes with an id above `after_id`, and the table's row count and last id."""

    rows: tuple[tuple[int, StatusChange], ...]
    total: int
    last_id: int
    after_id: int


_FINGERPRINTS = """
    SELECT i.id, i.backfilled,
        i.updated_at || '|' || i.status || '|' || COALESCE(i.postmortem_updated_at, '')
        || '|' || (SELECT COUNT(*) || '|' || COALESCE(MAX(u.updated_at), '')
                   FROM incident_updates u WHERE u.incident_id = i.id)
        || '|' || (SELECT COALESCE(group_concat(h, ','), '') FROM (
                   SELECT ic.component_id || '=' || ic.status AS h FROM incident_components ic
                   WHERE ic.incident_id = i.id ORDER BY ic.component_id) AS parts) AS version
    FROM incidents i
"""
_WATERMARK = """
    SELECT (SELECT COUNT(*) FROM incidents), (SELECT MAX(updated_at) FROM incidents),
        (SELECT COUNT(*) FROM incident_updates), (SELECT MAX(updated_at) FROM incident_updates),
        (SELECT COUNT(*) FROM incident_components)
"""


class PublicQueries(ComponentQueries, IncidentQueries):
    async def incident_watermark(self) -> tuple[object, ...]:
        """Counts and latest change times of incidents, updates and affected components."""
        row = await self.fetchone(_WATERMARK)
        return tuple(row) if row else ()

    async def incident_fingerprints(
        self, changed_since: datetime | None = None
    ) -> list[IncidentFingerprint]:
        """Incidents' fingerprints (each changes whenever anything shown about it does).

        With `changed_since`, only incidents changed (or with an update changed) since then.
        """
        sql, params = _FINGERPRINTS, {}
        if changed_since is not None:
            sql += (
                " WHERE i.updated_at >= :since OR EXISTS (SELECT 1 FROM incident_updates u"
                " WHERE u.incident_id = i.id AND u.updated_at >= :since)"
            )
            params = {"since": ts(changed_since)}
        out = []
        for incident_id, backfilled, version in await self.fetchall(sql, params):
            holds = _holds(version) if backfilled else ()
            out.append(IncidentFingerprint(incident_id, version, bool(backfilled), holds))
        return out

    async def incidents_by_id(self, ids: Iterable[str]) -> list[Incident]:
        rows = list(
            await self.fetchall(
                "SELECT * FROM incidents WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(ids)),),
            )
        )
        return await self._hydrate(rows)

    async def status_change_log(self, after_id: int = 0, known: int = 0) -> ChangeLog:
        """Status changes with an id above `after_id`, given `known` rows were read before.

        When rows were deleted meanwhile (a component removed), the whole log is read again:
        `ChangeLog.after_id` is then 0 and the caller starts afresh.
        """
        head = await self.fetchone("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM status_changes")
        total, last_id = (int(head[0]), int(head[1])) if head else (0, 0)
        if last_id == after_id and total == known:
            return ChangeLog((), total, last_id, after_id)
        rows = list(
            await self.fetchall(
                "SELECT * FROM status_changes WHERE id > ? ORDER BY id", (after_id,)
            )
        )
        if known + len(rows) != total:
            after_id = 0
            rows = list(await self.fetchall("SELECT * FROM status_changes ORDER BY id"))
        return ChangeLog(tuple((int(r["id"]), _change(r)) for r in rows), total, last_id, after_id)

    async def current_revision(self) -> int:
        """The revision inside the current transaction (Store.revision() takes its own lock)."""
        row = await self.fetchone("SELECT value FROM meta WHERE key = 'revision'")
        return int(row[0]) if row else 0
