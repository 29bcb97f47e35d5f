"""`incident list` with a comms plan: when each incident's next update is due, overdue first.

Light on purpose: the plan is read, not validated (validating renders every template in
every language, a second's work), and nothing of the comms kit is imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import click

from statuspage.cli.context import Context
from statuspage.cli.output import table
from statuspage.cli.times import ago, local, overdue
from statuspage.errors import PlanError
from statuspage.model import STATUS_LABELS, Incident, Page


def due_table(ctx: Context, incidents: Sequence[Incident], page: Page, now: datetime) -> str | None:
    """Incidents with their next update's due time, overdue first; None without a plan."""
    from statuspage.comms.plan.cadence import by_urgency, due_at

    try:
        plan = ctx.listing_plan()
    except PlanError as exc:
        click.echo(f"warning: {exc}", err=True)
        return None
    if plan is None:
        return None
    if not incidents:
        return "No incidents."
    rows = []
    for i in by_urgency(plan, incidents, now):
        due = due_at(plan, i)
        next_update = "-" if due is None else _short_due(due, now)
        status = STATUS_LABELS.get(i.status, i.status)
        start = local(i.started_at, page.time_zone)
        rows.append((i.id, i.severity or "-", status, i.impact.value, start, next_update, i.name))
    return table(("ID", "SEV", "STATUS", "IMPACT", "START", "NEXT UPDATE", "TITLE"), rows)


def _short_due(due: datetime, now: datetime) -> str:
    if due <= now:
        return overdue(due, now).replace(" by ", " ")  # short: "overdue 12 min"
    return ago(due, now)
