"""SQL for incidents and maintenance, their updates and the components they affect."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import aiosqlite

from statuspage.model import (
    AffectedComponent,
    ComponentStatus,
    Impact,
    Incident,
    IncidentUpdate,
    Kind,
    Translation,
)
from statuspage.storage.convert import parse_ts, parse_ts_or_none, ts, ts_or_none
from statuspage.storage.translations import TranslationQueries

OPEN_CONDITION = (
    "((kind = 'incident' AND status IN ('investigating', 'identified', 'monitoring'))"
    " OR (kind = 'maintenance' AND status IN ('scheduled', 'in_progress', 'verifying')))"
)


def _update(row: aiosqlite.Row, translations: tuple[Translation, ...] = ()) -> IncidentUpdate:
    affected = tuple(
        AffectedComponent(
            code=a["code"],
            name=a["name"],
            old_status=ComponentStatus(a["old_status"]),
            new_status=ComponentStatus(a["new_status"]),
        )
        for a in json.loads(row["affected_components"])
    )
    return IncidentUpdate(
        id=row["id"],
        incident_id=row["incident_id"],
        status=row["status"],
        previous_status=row["previous_status"],
        body=row["body"],
        created_at=parse_ts(row["created_at"]),
        display_at=parse_ts(row["display_at"]),
        updated_at=parse_ts(row["updated_at"]),
        affected_components=affected,
        deliver_notifications=bool(row["deliver_notifications"]),
        translations=translations,
    )


def _incident(
    row: aiosqlite.Row,
    updates: Iterable[IncidentUpdate],
    component_ids: Iterable[str],
    translations: tuple[Translation, ...] = (),
) -> Incident:
    return Incident(
        id=row["id"],
        kind=Kind(row["kind"]),
        name=row["name"],
        status=row["status"],
        impact=Impact(row["impact"]),
        severity=row["severity"],
        impact_override=bool(row["impact_override"]),
        created_at=parse_ts(row["created_at"]),
        updated_at=parse_ts(row["updated_at"]),
        started_at=parse_ts(row["started_at"]),
        monitoring_at=parse_ts_or_none(row["monitoring_at"]),
        resolved_at=parse_ts_or_none(row["resolved_at"]),
        scheduled_for=parse_ts_or_none(row["scheduled_for"]),
        scheduled_until=parse_ts_or_none(row["scheduled_until"]),
        auto_start=bool(row["auto_start"]),
        auto_complete=bool(row["auto_complete"]),
        backfilled=bool(row["backfilled"]),
        postmortem_body=row["postmortem_body"],
        postmortem_updated_at=parse_ts_or_none(row["postmortem_updated_at"]),
        postmortem_published_at=parse_ts_or_none(row["postmortem_published_at"]),
        metadata=json.loads(row["metadata"]),
        component_ids=tuple(component_ids),
        updates=tuple(updates),
        translations=translations,
    )


def _incident_params(i: Incident) -> dict[str, Any]:
    return {
        "id": i.id,
        "kind": i.kind.value,
        "name": i.name,
        "status": i.status,
        "impact": i.impact.value,
        "severity": i.severity,
        "impact_override": int(i.impact_override),
        "created_at": ts(i.created_at),
        "updated_at": ts(i.updated_at),
        "started_at": ts(i.started_at),
        "monitoring_at": ts_or_none(i.monitoring_at),
        "resolved_at": ts_or_none(i.resolved_at),
        "scheduled_for": ts_or_none(i.scheduled_for),
        "scheduled_until": ts_or_none(i.scheduled_until),
        "auto_start": int(i.auto_start),
        "auto_complete": int(i.auto_complete),
        "backfilled": int(i.backfilled),
        "postmortem_body": i.postmortem_body,
        "postmortem_updated_at": ts_or_none(i.postmortem_updated_at),
        "postmortem_published_at": ts_or_none(i.postmortem_published_at),
        "metadata": json.dumps(i.metadata),
    }


_SAVE_INCIDENT = """
    INSERT INTO incidents (id, kind, name, status, impact, severity, impact_override, created_at,
        updated_at, started_at, monitoring_at, resolved_at, scheduled_for, scheduled_until,
        auto_start, auto_complete, backfilled, postmortem_body, postmortem_updated_at,
        postmortem_published_at, metadata)
    VALUES (:id, :kind, :name, :status, :impact, :severity, :impact_override, :created_at,
        :updated_at, :started_at, :monitoring_at, :resolved_at, :scheduled_for, :scheduled_until,
        :auto_start, :auto_complete, :backfilled, :postmortem_body, :postmortem_updated_at,
        :postmortem_published_at, :metadata)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, status = excluded.status,
        impact = excluded.impact, severity = excluded.severity,
        impact_override = excluded.impact_override, updated_at = excluded.updated_at,
        started_at = excluded.started_at, monitoring_at = excluded.monitoring_at,
        resolved_at = excluded.resolved_at, scheduled_for = excluded.scheduled_for,
        scheduled_until = excluded.scheduled_until, auto_start = excluded.auto_start,
        auto_complete = excluded.auto_complete, backfilled = excluded.backfilled,
        postmortem_body = excluded.postmortem_body,
        postmortem_updated_at = excluded.postmortem_updated_at,
        postmortem_published_at = excluded.postmortem_published_at, metadata = excluded.metadata
"""


class IncidentQueries(TranslationQueries):
    async def save_incident(self, incident: Incident) -> None:
        """Insert or update the incident row (not its updates or components)."""
        await self.execute(_SAVE_INCIDENT, _incident_params(incident))

    async def delete_incident(self, incident_id: str) -> None:
        await self.execute("DELETE FROM incidents WHERE id = ?", (incident_id,))

    async def save_update(self, u: IncidentUpdate) -> None:
        affected = [
            {
                "code": a.code,
                "name": a.name,
                "old_status": a.old_status.value,
                "new_status": a.new_status.value,
            }
            for a in u.affected_components
        ]
        await self.execute(
            "INSERT INTO incident_updates (id, incident_id, status, previous_status, body,"
            " created_at, display_at, updated_at, affected_components, deliver_notifications)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET body = excluded.body,"
            " display_at = excluded.display_at, updated_at = excluded.updated_at,"
            " deliver_notifications = excluded.deliver_notifications",
            (
                u.id,
                u.incident_id,
                u.status,
                u.previous_status,
                u.body,
                ts(u.created_at),
                ts(u.display_at),
                ts(u.updated_at),
                json.dumps(affected),
                int(u.deliver_notifications),
            ),
        )

    async def set_incident_component(
        self, incident_id: str, component_id: str, status: ComponentStatus
    ) -> None:
        await self.execute(
            "INSERT INTO incident_components (incident_id, component_id, status) VALUES (?, ?, ?)"
            " ON CONFLICT (incident_id, component_id) DO UPDATE SET status = excluded.status",
            (incident_id, component_id, status.value),
        )

    async def incident_component_statuses(self, incident_id: str) -> dict[str, ComponentStatus]:
        """The status the incident holds on each of its components, in page order."""
        rows = await self.fetchall(
            "SELECT ic.component_id, ic.status FROM incident_components ic"
            " JOIN components c ON c.id = ic.component_id"
            " WHERE ic.incident_id = ? ORDER BY c.position, c.name",
            (incident_id,),
        )
        return {r["component_id"]: ComponentStatus(r["status"]) for r in rows}

    async def held_statuses(self, component_id: str, except_incident: str) -> list[ComponentStatus]:
        """Statuses that other open incidents, active maintenance and applied alerts
        (automation_alerts; not while maintenance is under way) hold on a component."""
        rows = await self.fetchall(_HELD, (component_id, except_incident))
        return [
            ComponentStatus.UNDER_MAINTENANCE
            if r["kind"] == "maintenance"
            else ComponentStatus(r["status"])
            for r in rows
        ]

    async def get_incident(self, incident_id: str) -> Incident | None:
        rows = list(await self.fetchall("SELECT * FROM incidents WHERE id = ?", (incident_id,)))
        found = await self._hydrate(rows)
        return found[0] if found else None

    async def list_incidents(
        self,
        kind: Kind | None = None,
        *,
        open_only: bool = False,
        statuses: Iterable[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Incident]:
        """Incidents newest first (by start, or by window start for maintenance)."""
        where, params = ["1 = 1"], []
        if kind is not None:
            where.append("kind = ?")
            params.append(kind.value)
        if open_only:
            where.append(OPEN_CONDITION)
        if statuses is not None:
            where.append("status IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(statuses)))
        sql = (
            f"SELECT * FROM incidents WHERE {' AND '.join(where)}"  # noqa: S608
            " ORDER BY COALESCE(scheduled_for, started_at) DESC, created_at DESC"
            " LIMIT ? OFFSET ?"
        )
        rows = list(await self.fetchall(sql, [*params, -1 if limit is None else limit, offset]))
        return await self._hydrate(rows)

    async def due_maintenance(self, now: datetime) -> list[Incident]:
        """Maintenance whose automatic start or completion is due at `now`."""
        rows = list(
            await self.fetchall(
                "SELECT * FROM incidents WHERE kind = 'maintenance' AND ("
                " (status = 'scheduled' AND auto_start = 1 AND scheduled_for <= :now)"
                " OR (status IN ('in_progress', 'verifying') AND auto_complete = 1"
                " AND scheduled_until <= :now)) ORDER BY scheduled_for",
                {"now": ts(now)},
            )
        )
        return await self._hydrate(rows)

    async def _hydrate(self, rows: list[aiosqlite.Row]) -> list[Incident]:
        ids = json.dumps([r["id"] for r in rows])
        update_rows = list(
            await self.fetchall(
                "SELECT * FROM incident_updates"
                " WHERE incident_id IN (SELECT value FROM json_each(?))"
                " ORDER BY created_at DESC, rowid DESC",
                (ids,),
            )
        )
        texts = await self._incident_texts(ids, bool(update_rows))
        updates: dict[str, list[IncidentUpdate]] = defaultdict(list)
        for row in update_rows:
            updates[row["incident_id"]].append(_update(row, texts.get(("u", row["id"]), ())))
        components: dict[str, list[str]] = defaultdict(list)
        for row in await self.fetchall(
            "SELECT ic.incident_id, ic.component_id FROM incident_components ic"
            " JOIN components c ON c.id = ic.component_id"
            " WHERE ic.incident_id IN (SELECT value FROM json_each(?)) ORDER BY c.position",
            (ids,),
        ):
            components[row["incident_id"]].append(row["component_id"])
        return [
            _incident(r, updates[r["id"]], components[r["id"]], texts.get(("i", r["id"]), ()))
            for r in rows
        ]

    async def _incident_texts(
        self, ids: str, with_updates: bool
    ) -> dict[tuple[str, str], tuple[Translation, ...]]:
        """The translations of these incidents ("i", id) and of their updates ("u", id)."""
        sql = (
            "SELECT 'i', subject_id, field, language, text FROM translations"
            " WHERE subject = 'incident' AND subject_id IN (SELECT value FROM json_each(:ids))"
        )
        if with_updates:
            sql += (
                " UNION ALL SELECT 'u', t.subject_id, t.field, t.language, t.text"
                " FROM translations t JOIN incident_updates u ON u.id = t.subject_id"
                " WHERE t.subject = 'update'"
                " AND u.incident_id IN (SELECT value FROM json_each(:ids))"
            )
        found: dict[tuple[str, str], list[Translation]] = defaultdict(list)
        for row in await self.fetchall(sql + " ORDER BY 3, 4", {"ids": ids}):
            found[(row[0], row[1])].append(Translation(row[2], row[3], row[4]))
        return {key: tuple(value) for key, value in found.items()}


# Statuses other open incidents and active maintenance hold; and applied alerts, except while
# maintenance is under way (planned work raises alerts).
_HELD = """
    SELECT ic.status, i.kind, i.status AS incident_status FROM incident_components ic
    JOIN incidents i ON i.id = ic.incident_id
    WHERE ic.component_id = ?1 AND i.id != ?2 AND (
        (i.kind = 'incident' AND i.status IN ('investigating', 'identified', 'monitoring'))
        OR (i.kind = 'maintenance' AND i.status IN ('in_progress', 'verifying')))
    UNION ALL SELECT status, 'alert', state FROM automation_alerts
    WHERE component_id = ?1 AND state IN ('firing', 'resolving') AND NOT EXISTS (
        SELECT 1 FROM incident_components mc JOIN incidents m ON m.id = mc.incident_id
        WHERE mc.component_id = ?1 AND m.id != ?2 AND m.kind = 'maintenance'
            AND m.status IN ('in_progress', 'verifying'))
"""
