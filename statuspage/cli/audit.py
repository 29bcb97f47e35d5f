"""`statuspage audit`: who changed what, when and from where (local only)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import click

from statuspage.audit import AuditEntry, RowChange
from statuspage.cli.context import Context, json_option, pass_context
from statuspage.cli.output import echo_json
from statuspage.cli.times import local, parse_time
from statuspage.serialize import Json, iso
from statuspage.service import Service

SYMBOLS = {"insert": "+", "update": "~", "delete": "-"}
LABELS = ("name", "title", "body", "status")
SHOWN = 60
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)\Z")


@click.command()
@click.option(
    "--since", help="Only changes from this time on: 9am, yesterday 15:00, mon 09:00, 2h ago, ISO."
)
@click.option(
    "--incident", "incident_id", metavar="ID", help="Only changes touching this incident."
)
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True, help="Entries.")
@json_option
@pass_context
def audit(
    ctx: Context, since: str | None, incident_id: str | None, limit: int, as_json: bool
) -> None:
    """Show the audit log, newest first: one entry per change, with who made it (API key
    name, or local user), from where, and every row it changed, before and after.

    \b
    Example:
      statuspage audit --since -1d --incident 8kq2m4x7p1za
    """

    async def use(svc: Service) -> tuple[list[AuditEntry], str]:
        tz = (await svc.page()).time_zone
        start = parse_time(since, tz, svc.now(), "--since", "past") if since else None
        found = await svc.audit_entries(since=start, incident_id=incident_id, limit=limit)
        return found, tz

    entries, tz = ctx.run_local(use)
    if as_json:
        echo_json([entry_json(e) for e in entries])
    elif not entries:
        click.echo("No changes recorded.")
    else:
        click.echo("\n\n".join(entry_text(e, tz) for e in entries))


def entry_json(e: AuditEntry) -> Json:
    return {
        "id": e.tx_id,
        "at": iso(e.at),
        "actor": e.actor,
        "via": e.via,
        "source": e.source,
        "action": e.action,
        "changes": [
            {"table": c.table, "id": c.row_id, "op": c.op, "before": c.before, "after": c.after}
            for c in e.changes
        ],
    }


def entry_text(e: AuditEntry, tz: str) -> str:
    head = f"{local(e.at, tz)}  {e.actor} via {e.via} ({e.source})  {e.action or '-'}"
    return "\n".join([head, *(f"  {change_text(c, tz)}" for c in e.changes)])


def change_text(c: RowChange, tz: str) -> str:
    row = c.after or c.before or {}
    if c.table == "translations":
        return translation_text(c, row)
    label = next((str(row[k]) for k in LABELS if row.get(k)), "")
    what = f"{SYMBOLS[c.op]} {c.table} {c.row_id}"
    if label:
        what += f" {_short(label)!r}"
    if c.op != "update":
        return what
    before, after = c.before or {}, c.after or {}
    fields = [
        f"{k}: {_value(before.get(k), tz)} → {_value(after.get(k), tz)}" for k in c.changed_fields()
    ]
    return f"{what}  " + "; ".join(fields) if fields else what


def _value(value: object, tz: str) -> str:
    """A changed field as the rest of the entry reads: a stored UTC time in the page's zone."""
    if isinstance(value, str) and STAMP.match(value):
        return local(datetime.fromisoformat(value), tz)
    return _short(value)


def translation_text(c: RowChange, row: dict[str, Any]) -> str:
    """A translation's change: `+ translation ru of component 3x9 name 'Текст'`."""
    what = (
        f"{SYMBOLS[c.op]} translation {row.get('language')} of {row.get('subject')} "
        f"{row.get('subject_id')} {row.get('field')}"
    )
    if c.op == "update":
        before, after = (c.before or {}).get("text"), (c.after or {}).get("text")
        return f"{what}  {_short(before)!r} → {_short(after)!r}"
    return f"{what} {_short(row.get('text'))!r}"


def _short(value: object) -> str:
    text = "null" if value is None else str(value).replace("\n", " ")
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"
