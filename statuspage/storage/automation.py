"""SQL for alerts in: the alerts automation follows, the causes of its changes, and the
statuses people hold by hand."""

from __future__ import annotations

import json
from datetime import datetime

import aiosqlite

from statuspage.automation.state import AlertRow, AlertState, Hold
from statuspage.model import ComponentStatus
from statuspage.storage.base import QueryBase
from statuspage.storage.convert import parse_ts, parse_ts_or_none, ts, ts_or_none


def _row(r: aiosqlite.Row) -> AlertRow:
    return AlertRow(
        source=r["source"],
        fingerprint=r["fingerprint"],
        component_id=r["component_id"],
        rule=r["rule"],
        status=ComponentStatus(r["status"]),
        state=AlertState(r["state"]),
        first_seen_at=parse_ts(r["first_seen_at"]),
        updated_at=parse_ts(r["updated_at"]),
        alertname=r["alertname"],
        severity=r["severity"],
        summary=r["summary"],
        labels=json.loads(r["labels"]),
        due_at=parse_ts_or_none(r["due_at"]),
        incident_id=r["incident_id"],
    )


class AutomationQueries(QueryBase):
    async def alert_rows(self, source: str, fingerprint: str) -> list[AlertRow]:
        rows = await self.fetchall(
            "SELECT * FROM automation_alerts WHERE source = ? AND fingerprint = ?",
            (source, fingerprint),
        )
        return [_row(r) for r in rows]

    async def list_alert_rows(self) -> list[AlertRow]:
        rows = await self.fetchall(
            "SELECT * FROM automation_alerts ORDER BY component_id, first_seen_at, fingerprint"
        )
        return [_row(r) for r in rows]

    async def due_alert_rows(self, now: datetime) -> list[AlertRow]:
        rows = await self.fetchall(
            "SELECT * FROM automation_alerts WHERE due_at IS NOT NULL AND due_at <= ?"
            " ORDER BY due_at",
            (ts(now),),
        )
        return [_row(r) for r in rows]

    async def save_alert_row(self, a: AlertRow) -> None:
        await self.execute(
            "INSERT OR REPLACE INTO automation_alerts (source, fingerprint, component_id, rule,"
            " alertname, severity, status, state, labels, summary, first_seen_at, due_at,"
            " incident_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                a.source, a.fingerprint, a.component_id, a.rule, a.alertname, a.severity,
                a.status.value, a.state.value, json.dumps(dict(a.labels), sort_keys=True),
                a.summary, ts(a.first_seen_at), ts_or_none(a.due_at), a.incident_id,
                ts(a.updated_at),
            ),
        )  # fmt: skip

    async def delete_alert_row(self, a: AlertRow) -> None:
        await self.execute(
            "DELETE FROM automation_alerts WHERE source = ? AND fingerprint = ?"
            " AND component_id = ?",
            (a.source, a.fingerprint, a.component_id),
        )

    async def open_rule_incident(self, rule: str, component_id: str) -> str | None:
        """An open incident automation declared for this rule on this component."""
        row = await self.fetchone(
            "SELECT a.incident_id FROM automation_alerts a JOIN incidents i"
            " ON i.id = a.incident_id WHERE a.rule = ? AND a.component_id = ?"
            " AND i.status IN ('investigating', 'identified', 'monitoring') LIMIT 1",
            (rule, component_id),
        )
        return row[0] if row else None

    async def incident_alert_count(self, incident_id: str) -> int:
        row = await self.fetchone(
            "SELECT COUNT(*) FROM automation_alerts WHERE incident_id = ?", (incident_id,)
        )
        return int(row[0]) if row else 0

    async def link_automation_change(
        self, component_id: str, rule: str, source: str, fingerprint: str, alertname: str
    ) -> None:
        """Record the cause of the status change just recorded for this component."""
        await self.execute(
            "INSERT INTO automation_changes (status_change_id, component_id, rule, source,"
            " fingerprint, alertname) SELECT MAX(id), ?, ?, ?, ?, ? FROM status_changes"
            " WHERE component_id = ?",
            (component_id, rule, source, fingerprint, alertname, component_id),
        )

    async def automation_changes(
        self, component_id: str | None = None, limit: int = 1000
    ) -> list[dict[str, str]]:
        """Automatic changes (of one component, or all), newest first, with their causes."""
        rows = await self.fetchall(
            "SELECT s.id, s.at, s.component_id, s.old_status, s.new_status, a.rule, a.source,"
            " a.fingerprint, a.alertname FROM automation_changes a"
            " JOIN status_changes s ON s.id = a.status_change_id"
            " WHERE (:component IS NULL OR a.component_id = :component)"
            " ORDER BY s.id DESC LIMIT :limit",
            {"component": component_id, "limit": limit},
        )
        return [dict(r) for r in rows]

    async def get_hold(self, component_id: str) -> Hold | None:
        r = await self.fetchone(
            "SELECT * FROM component_holds WHERE component_id = ?", (component_id,)
        )
        if r is None:
            return None
        return Hold(
            r["component_id"], ComponentStatus(r["status"]), parse_ts(r["held_at"]), r["held_by"]
        )

    async def list_holds(self) -> list[Hold]:
        rows = await self.fetchall("SELECT component_id FROM component_holds")
        found = [await self.get_hold(r[0]) for r in rows]
        return [h for h in found if h is not None]

    async def save_hold(self, hold: Hold) -> None:
        await self.execute(
            "INSERT OR REPLACE INTO component_holds (component_id, status, held_at, held_by)"
            " VALUES (?, ?, ?, ?)",
            (hold.component_id, hold.status.value, ts(hold.held_at), hold.held_by),
        )

    async def delete_hold(self, component_id: str) -> bool:
        done = await self.execute(
            "DELETE FROM component_holds WHERE component_id = ?", (component_id,)
        )
        return done > 0
