"""SQL for component groups, components and their recorded status changes."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from statuspage.model import (
    ChangeCause,
    Component,
    ComponentStatus,
    Group,
    StatusChange,
    Translation,
)
from statuspage.storage.convert import (
    parse_date_or_none,
    parse_ts,
    parse_ts_or_none,
    ts,
    ts_or_none,
)
from statuspage.storage.translations import TranslationQueries


@dataclass(frozen=True)
class ComponentIncident:
    """An incident that changed one component's status, or a backfilled one holding it."""

    id: str
    name: str
    started_at: datetime
    resolved_at: datetime | None
    backfilled: bool
    held: ComponentStatus | None  # the status the incident holds the component in
    first_change: datetime | None  # its first recorded change of the component's status


def _group(row: aiosqlite.Row, translations: tuple[Translation, ...] = ()) -> Group:
    return Group(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        position=row["position"],
        created_at=parse_ts(row["created_at"]),
        updated_at=parse_ts(row["updated_at"]),
        translations=translations,
    )


def _component(row: aiosqlite.Row, translations: tuple[Translation, ...] = ()) -> Component:
    return Component(
        id=row["id"],
        name=row["name"],
        status=ComponentStatus(row["status"]),
        position=row["position"],
        created_at=parse_ts(row["created_at"]),
        updated_at=parse_ts(row["updated_at"]),
        description=row["description"],
        group_id=row["group_id"],
        showcase=bool(row["showcase"]),
        only_show_if_degraded=bool(row["only_show_if_degraded"]),
        start_date=parse_date_or_none(row["start_date"]),
        translations=translations,
    )


def _change(row: aiosqlite.Row) -> StatusChange:
    return StatusChange(
        component_id=row["component_id"],
        at=parse_ts(row["at"]),
        old_status=ComponentStatus(row["old_status"]) if row["old_status"] else None,
        new_status=ComponentStatus(row["new_status"]),
        cause=ChangeCause(row["cause"]),
        incident_id=row["incident_id"],
    )


class ComponentQueries(TranslationQueries):
    async def list_groups(self) -> list[Group]:
        rows = await self.fetchall("SELECT * FROM component_groups ORDER BY position, name")
        texts = await self.translations_of("group")
        return [_group(r, texts.get(r["id"], ())) for r in rows]

    async def find_group(self, ref: str) -> Group | None:
        """A group by id, or by name ignoring case."""
        row = await self.fetchone(
            "SELECT * FROM component_groups WHERE id = ? OR name = ? COLLATE NOCASE"
            " ORDER BY id = ? DESC LIMIT 1",
            (ref, ref, ref),
        )
        if row is None:
            return None
        return _group(row, (await self.translations_of("group", [row["id"]])).get(row["id"], ()))

    async def save_group(self, group: Group) -> None:
        await self.execute(
            "INSERT INTO component_groups (id, name, description, position, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
            " description = excluded.description, position = excluded.position,"
            " updated_at = excluded.updated_at",
            (
                group.id,
                group.name,
                group.description,
                group.position,
                ts(group.created_at),
                ts(group.updated_at),
            ),
        )

    async def delete_group(self, group_id: str) -> None:
        await self.execute("DELETE FROM component_groups WHERE id = ?", (group_id,))

    async def ungroup_components(self, group_id: str, now: datetime) -> None:
        await self.execute(
            "UPDATE components SET group_id = NULL, updated_at = ? WHERE group_id = ?",
            (ts(now), group_id),
        )

    async def list_components(self) -> list[Component]:
        rows = await self.fetchall(
            "SELECT c.* FROM components c LEFT JOIN component_groups g ON g.id = c.group_id"
            " ORDER BY COALESCE(g.position, c.position), g.name, c.position, c.name"
        )
        texts = await self.translations_of("component")
        return [_component(r, texts.get(r["id"], ())) for r in rows]

    async def find_component(self, ref: str) -> Component | None:
        """A component by id, or by name ignoring case."""
        row = await self.fetchone(
            "SELECT * FROM components WHERE id = ? OR name = ? COLLATE NOCASE"
            " ORDER BY id = ? DESC LIMIT 1",
            (ref, ref, ref),
        )
        if row is None:
            return None
        found = await self.translations_of("component", [row["id"]])
        return _component(row, found.get(row["id"], ()))

    async def next_position(self, table: str) -> int:
        if table not in ("components", "component_groups"):
            raise ValueError(table)
        row = await self.fetchone(f"SELECT COALESCE(MAX(position), 0) + 1 FROM {table}")  # noqa: S608
        return int(row[0]) if row else 1

    async def save_component(self, c: Component) -> None:
        await self.execute(
            "INSERT INTO components (id, name, description, group_id, position, status, showcase,"
            " only_show_if_degraded, start_date, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
            " description = excluded.description, group_id = excluded.group_id,"
            " position = excluded.position, status = excluded.status,"
            " showcase = excluded.showcase, only_show_if_degraded = excluded.only_show_if_degraded,"
            " start_date = excluded.start_date, updated_at = excluded.updated_at",
            (
                c.id,
                c.name,
                c.description,
                c.group_id,
                c.position,
                c.status.value,
                int(c.showcase),
                int(c.only_show_if_degraded),
                c.start_date.isoformat() if c.start_date else None,
                ts(c.created_at),
                ts(c.updated_at),
            ),
        )

    async def delete_component(self, component_id: str) -> None:
        await self.execute("DELETE FROM components WHERE id = ?", (component_id,))

    async def record_status_change(self, change: StatusChange) -> None:
        await self.execute(
            "INSERT INTO status_changes (component_id, at, old_status, new_status, cause,"
            " incident_id) VALUES (?, ?, ?, ?, ?, ?)",
            (
                change.component_id,
                ts(change.at),
                change.old_status.value if change.old_status else None,
                change.new_status.value,
                change.cause.value,
                change.incident_id,
            ),
        )

    async def list_status_changes(
        self, component_ids: Iterable[str] | None = None, since: datetime | None = None
    ) -> list[StatusChange]:
        """Recorded changes in time order, optionally for some components and from a time."""
        sql = "SELECT * FROM status_changes WHERE at >= ?"
        params: list[object] = [ts_or_none(since) or ""]
        if component_ids is not None:
            sql += " AND component_id IN (SELECT value FROM json_each(?))"
            params.append(_json_list(component_ids))
        rows = await self.fetchall(sql + " ORDER BY at, id", params)
        return [_change(r) for r in rows]

    async def component_incidents(
        self, component_id: str, start: datetime, end: datetime
    ) -> list[ComponentIncident]:
        """Incidents (not maintenance) open during [start, end) that changed the component's
        status, or that are backfilled and hold it; oldest first."""
        params = {"component": component_id, "start": ts(start), "end": ts(end)}
        rows = await self.fetchall(_COMPONENT_INCIDENTS, params)
        return [
            ComponentIncident(
                id=r["id"],
                name=r["name"],
                started_at=parse_ts(r["started_at"]),
                resolved_at=parse_ts_or_none(r["resolved_at"]),
                backfilled=bool(r["backfilled"]),
                held=ComponentStatus(r["held"]) if r["held"] else None,
                first_change=parse_ts_or_none(r["first_change"]),
            )
            for r in rows
        ]


_COMPONENT_INCIDENTS = """
    SELECT * FROM (
        SELECT i.id, i.name, i.started_at, i.resolved_at, i.backfilled, ic.status AS held,
            (SELECT MIN(s.at) FROM status_changes s
             WHERE s.incident_id = i.id AND s.component_id = :component) AS first_change
        FROM incidents i
        LEFT JOIN incident_components ic
            ON ic.incident_id = i.id AND ic.component_id = :component
        WHERE i.kind = 'incident' AND i.started_at < :end
            AND (i.resolved_at IS NULL OR i.resolved_at > :start)
    ) AS found
    WHERE first_change IS NOT NULL OR (backfilled = 1 AND held IS NOT NULL)
    ORDER BY COALESCE(first_change, started_at), id
"""


def _json_list(values: Iterable[str]) -> str:
    return json.dumps(list(values))
