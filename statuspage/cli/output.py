"""Human-readable output: aligned tables and incident timelines."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import click

from statuspage import languages
from statuspage.cli.times import ago, local
from statuspage.model import (
    STATUS_LABELS,
    Component,
    ComponentStatus,
    Group,
    Incident,
    IncidentUpdate,
    Page,
    Translation,
    languages_of,
)
from statuspage.serialize import Json, incident_json, translations_json

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


def translated_into(translations: Iterable[Translation]) -> str:
    """The languages some text is translated into, e.g. "ru, zh-Hans" (or "-")."""
    return ", ".join(sorted({t.language for t in translations})) or "-"


def components_table(components: Sequence[Component], groups: Sequence[Group]) -> str:
    """Components by group; a TRANSLATED column once any component has a translation."""
    names = {g.id: g.name for g in groups}
    rows = [
        (names.get(c.group_id or "", "-"), c.name, status_text(c.status), c.id) for c in components
    ]
    if not rows:
        return "No components yet. Add one with: statuspage component add NAME"
    if not any(c.translations for c in components):
        return table(("GROUP", "COMPONENT", "STATUS", "ID"), rows)
    return table(
        ("GROUP", "COMPONENT", "STATUS", "TRANSLATED", "ID"),
        [
            (*row[:3], translated_into(c.translations), row[3])
            for row, c in zip(rows, components, strict=True)
        ],
    )


def translation_lines(translations: Sequence[Translation], indent: str = "  ") -> list[str]:
    """One line per language: `ru       name: …; description: …`."""
    by_language = translations_json(translations)
    width = max((len(code) for code in by_language), default=0)
    return [
        f"{indent}{code.ljust(width)}  "
        + "; ".join(f"{name}: {_one_line(text)}" for name, text in fields.items())
        for code, fields in by_language.items()
    ]


def _one_line(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def page_details(page: Page) -> str:
    """The page's settings, its default language and its name in other languages."""
    language = languages.get(page.language) if page.language in languages.codes() else None
    lines = [
        f"{page.name} ({page.id})",
        f"URL:       {page.url}",
        f"Time zone: {page.time_zone}",
        f"Language:  {page.language}" + (f" ({language.name})" if language else ""),
    ]
    if page.translations:
        lines += ["Name in other languages:", *translation_lines(page.translations)]
    return "\n".join(lines)


def component_details(c: Component, groups: Sequence[Group]) -> str:
    group = next((g.name for g in groups if g.id == c.group_id), "-")
    lines = [
        f"{c.name} ({c.id})",
        f"Status:      {status_text(c.status)}",
        f"Group:       {group}",
        f"Description: {c.description or '-'}",
        f"Position:    {c.position}",
    ]
    if c.translations:
        lines += ["Translations:", *translation_lines(c.translations)]
    else:
        lines.append("Translations: none (readers in other languages see these texts)")
    return "\n".join(lines)


def incident_record(i: Incident, page: Page, components: dict[str, Component]) -> Json:
    """An incident as `--json` prints it: the public shape, plus `translations` (ours) on
    the incident (its name) and on each update (its body)."""
    body = incident_json(i, page, components)
    body["translations"] = translations_json(i.translations)
    for shown, update in zip(body["incident_updates"], i.updates, strict=True):
        shown["translations"] = translations_json(update.translations)
    return body


def update_languages(update: IncidentUpdate, page: Page) -> str:
    """Which languages an update is written in, and which readers get the original."""
    have = languages_of(update.translations, "body")
    others = [code for code in languages.codes() if code != page.language]
    missing = [code for code in others if code not in have]
    shown = ", ".join([f"{page.language} (original)", *sorted(have)])
    return f"languages: {shown}" + (f"; missing {', '.join(missing)}" if missing else "")


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
                f"{local(when, page.time_zone)} ({ago(when, now)})",  # as `incident show` has it
                i.name,
            )
        )
    return table(("ID", "STATUS", "IMPACT", "START", "TITLE"), rows)


def incident_details(
    incident: Incident, page: Page, components: Sequence[Component], now: datetime
) -> str:
    """An incident with its window, components and full timeline, newest first."""
    tz = page.time_zone
    by_id = {c.id: c for c in components}
    kind = "Maintenance" if incident.is_maintenance else "Incident"
    translated = bool(incident.translations) or any(u.translations for u in incident.updates)
    lines = [
        f"{kind} {incident.id}: {incident.name}",
        *(f"  {t.language}: {t.text}" for t in incident.translations if t.field == "name"),
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
        if translated:
            lines.append("    · " + update_languages(update, page))
        for a in update.affected_components:
            lines.append(f"    · {a.name}: {a.old_status.label} → {a.new_status.label}")
    if incident.postmortem_body:
        state = "published" if incident.postmortem_published_at else "draft, not published"
        lines += ["", f"Postmortem ({state}):"]
        lines.extend("  " + line for line in incident.postmortem_body.splitlines())
    return "\n".join(lines)


def file_error(exc: OSError | UnicodeDecodeError) -> str:
    """Why a file could not be read, once: "No such file or directory", "not UTF-8 text"."""
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text (byte {exc.start + 1})"
    return exc.strerror or str(exc)
