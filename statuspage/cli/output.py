"""Human-readable output: aligned tables and incident timelines."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import click

from statuspage.cli.times import ago, local
from statuspage.model import STATUS_LABELS, Component, ComponentStatus, Group, Incident, Page

SYMBOLS = {
    ComponentStatus.OPERATIONAL: "✔",
    ComponentStatus.DEGRADED_PERFORMANCE: "◐",
    ComponentStatus.PARTIAL_OUTAGE: "▲",
    ComponentStatus.MAJOR_OUTAGE: "✖",
    ComponentStatus.UNDER_MAINTENANCE: "🛠",
}


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Left-aligned columns separated by two spaces; the last column is not padded."""
    all_rows = [list(headers), *([str(cell) for cell in row] for row in rows)]
    widths = [max(len(row[i]) for row in all_rows) for i in range(len(headers) - 1)]
    lines = []
    for row in all_rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


def status_text(status: ComponentStatus) -> str:
    return f"{SYMBOLS[status]} {status.label}"


def components_table(components: Sequence[Component], groups: Sequence[Group]) -> str:
    names = {g.id: g.name for g in groups}
    rows = [
        (names.get(c.group_id or "", "-"), c.name, status_text(c.status), c.id) for c in components
    ]
    if not rows:
        return "No components yet. Add one with: statuspage component add NAME"
    return table(("GROUP", "COMPONENT", "STATUS", "ID"), rows)


def incident_status(incident: Incident) -> str:
    return STATUS_LABELS.get(incident.status, incident.status)


def incidents_table(incidents: Sequence[Incident], page: Page, now: datetime) -> str:
    if not incidents:
        return "No incidents."
    rows = []
    for i in incidents:
        planned = i.is_maintenance and i.status in ("scheduled", "cancelled")
        when = i.scheduled_for if planned and i.scheduled_for else i.started_at  # when it began
        rows.append(
            (
                i.id,
                incident_status(i),
                i.impact.value,
                local(when, page.time_zone),
                ago(when, now),
                i.name,
            )
        )
    return table(("ID", "STATUS", "IMPACT", "START", "", "TITLE"), rows)


def incident_details(
    incident: Incident, page: Page, components: Sequence[Component], now: datetime
) -> str:
    """An incident with its window, components and full timeline, newest first."""
    tz = page.time_zone
    by_id = {c.id: c for c in components}
    kind = "Maintenance" if incident.is_maintenance else "Incident"
    lines = [
        f"{kind} {incident.id}: {incident.name}",
        f"Status:     {incident_status(incident)}",
        f"Impact:     {incident.impact.value}",
    ]
    if incident.severity:
        lines.append(f"Severity:   {incident.severity}")
    if incident.is_maintenance and incident.scheduled_for and incident.scheduled_until:
        lines.append(
            f"Window:     {local(incident.scheduled_for, tz)} → "
            f"{local(incident.scheduled_until, tz)}"
        )
    else:
        lines.append(
            f"Started:    {local(incident.started_at, tz)} ({ago(incident.started_at, now)})"
        )
    if incident.resolved_at:
        lines.append(f"Ended:      {local(incident.resolved_at, tz)}")
    names = [
        by_id[c].name + f" ({by_id[c].status.label})" for c in incident.component_ids if c in by_id
    ]
    lines.append(f"Components: {', '.join(names) or '-'}")
    lines.append(f"Link:       {page.url}/incidents/{incident.id}")
    lines.append("")
    lines.append("Updates, newest first:")
    for update in incident.updates:
        lines.append(f"  {local(update.display_at, tz)}  {update.label}  [{update.id}]")
        lines.extend("    " + line for line in update.body.splitlines())
        for a in update.affected_components:
            lines.append(f"    · {a.name}: {a.old_status.label} → {a.new_status.label}")
    if incident.postmortem_body:
        state = "published" if incident.postmortem_published_at else "draft, not published"
        lines += ["", f"Postmortem ({state}):"]
        lines.extend("  " + line for line in incident.postmortem_body.splitlines())
    return "\n".join(lines)
