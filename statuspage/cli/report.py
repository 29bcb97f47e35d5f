"""`statuspage report`: the comms KPIs of recent incidents, as tables or JSON (locally, or
from a server with --server: GET /v1/pages/{page_id}/reports/comms)."""

from __future__ import annotations

from datetime import datetime

import click

from statuspage.cli.context import Context, json_option, pass_context
from statuspage.cli.output import echo_json, table
from statuspage.cli.times import local, parse_time
from statuspage.kpis import Cadence, Counts, Report, Summary, span
from statuspage.kpis_json import report_json
from statuspage.service.operations import Operations

NONE = "—"


@click.command()
@click.option(
    "--since",
    default="90d",
    show_default=True,
    help="Incidents declared in the last 90d, 12h, 4w, or since a time: mon 09:00, yesterday 9am,"
    " 2026-03-01, 2h ago, ISO-8601.",
)
@json_option
@pass_context
def report(ctx: Context, since: str, as_json: bool) -> None:
    """Comms KPIs: per incident, per severity and per month, how fast customers heard,
    whether promised updates came on time, approval waits, time to resolve, messages by
    channel and subscribers reached. Durations read "4 min 10 s"; times are in the page's
    time zone. The README's "Comms KPIs" section defines every figure and the --json shape.

    \b
    Example:
      statuspage report --since 30d
      statuspage report --json > kpis.json
    """

    async def use(svc: Operations) -> Report:
        tz = (await svc.page()).time_zone
        return await svc.comms_report(start_of(since, tz, svc.now()))

    found = ctx.run(use)
    if as_json:
        echo_json(report_json(found))
    else:
        click.echo(report_text(found))


def start_of(value: str, time_zone: str, now: datetime) -> datetime:
    """--since: a span back from now (90d, 12h, 4w) or a time as other commands take it."""
    length = span(value)
    if length is not None:
        return now - length
    return parse_time(value, time_zone, now, "--since", "past")


def duration(seconds: int | None) -> str:
    """4 min 10 s, 2 h 5 min, 3 d 4 h; — when there is nothing to measure."""
    if seconds is None:
        return NONE
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return _pair(seconds // 60, "min", seconds % 60, "s")
    if seconds < 86400:
        return _pair(seconds // 3600, "h", seconds % 3600 // 60, "min")
    return _pair(seconds // 86400, "d", seconds % 86400 // 3600, "h")


def _pair(big: int, big_unit: str, small: int, small_unit: str) -> str:
    return f"{big} {big_unit} {small} {small_unit}" if small else f"{big} {big_unit}"


def met(c: Cadence) -> str:
    """84.6% (11/13), or — when no promise was decided."""
    return NONE if c.percent is None else f"{c.percent:g}% ({c.kept}/{c.promised})"


def report_text(r: Report) -> str:
    span = f"{local(r.since, r.time_zone)} – {local(r.until, r.time_zone)}"
    head = f"Comms KPIs: incidents declared {span}"
    if not r.incidents:
        return head + "\n\nNo incidents declared in this period."
    return "\n\n".join(
        [head, incidents_text(r), severities_text(r), months_text(r), messages_text(r)]
    )


def incidents_text(r: Report) -> str:
    rows = [
        (
            k.facts.id,
            k.facts.severity or NONE,
            local(k.facts.created_at, r.time_zone),
            duration(k.first_public_seconds),
            met(k.cadence),
            _approval(k.approval_wait_seconds if k.approvals else None, k.awaiting_approval),
            duration(k.resolve_seconds) if k.resolve_seconds is not None else "open",
            str(k.facts.reached),
            k.facts.name,
        )
        for k in r.incidents
    ]
    headers = ("ID", "SEVERITY", "DECLARED", "FIRST PUBLIC", "CADENCE MET", "WAITED FOR APPROVAL",
               "RESOLVED IN", "REACHED", "NAME")  # fmt: skip
    return "Incidents\n" + table(headers, rows)


def _approval(wait: int | None, awaiting: int) -> str:
    text = duration(wait)
    return f"{text} ({awaiting} waiting)" if awaiting else text


def severities_text(r: Report) -> str:
    rows = [
        (s.severity or NONE, str(s.incidents), str(s.resolved), *_figures(s), str(s.reached))
        for s in r.severities
    ]
    headers = ("SEVERITY", "INCIDENTS", "RESOLVED", "FIRST PUBLIC", "CADENCE MET",
               "APPROVAL WAIT", "MTTR", "SENT", "DELIVERED", "FAILED", "REACHED")  # fmt: skip
    return "By severity (means)\n" + table(headers, rows)


def months_text(r: Report) -> str:
    rows = [
        (month, s.severity or NONE, str(s.incidents), str(s.resolved), *_figures(s))
        for month, s in r.months
    ]
    headers = ("MONTH", "SEVERITY", "INCIDENTS", "RESOLVED", "FIRST PUBLIC", "CADENCE MET",
               "APPROVAL WAIT", "MTTR", "SENT", "DELIVERED", "FAILED")  # fmt: skip
    return "By month (means)\n" + table(headers, rows)


def _figures(s: Summary) -> tuple[str, ...]:
    total = s.total
    return (
        duration(s.mean_first_public_seconds),
        met(s.cadence),
        duration(s.mean_approval_wait_seconds),
        duration(s.mttr_seconds),
        str(total.sent),
        str(total.delivered),
        str(total.failed),
    )


def messages_text(r: Report) -> str:
    rows = [
        (k.facts.id, channel, *_counts(c))
        for k in r.incidents
        for channel, c in k.facts.messages.items()
    ]
    if not rows:
        return "Messages by channel\nNo messages."
    headers = ("INCIDENT", "CHANNEL", "SENT", "DELIVERED", "FAILED", "PENDING")
    return "Messages by channel\n" + table(headers, rows)


def _counts(c: Counts) -> tuple[str, str, str, str]:
    return str(c.sent), str(c.delivered), str(c.failed), str(c.pending)
