"""`statuspage comms dispatch|status|retry`: sending the outbox and watching it."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from datetime import datetime

import click

from statuspage.cli.context import Context, pass_context
from statuspage.cli.output import echo_json, table
from statuspage.cli.times import ago, local
from statuspage.cli.words import Word
from statuspage.comms.deliver.dispatcher import Report
from statuspage.comms.deliver.wiring import make_dispatcher, missing_settings
from statuspage.comms.kit import Comms, LazyComms
from statuspage.service import Service
from statuspage.service.comms_ops import CHANNELS, DeliveryStatus

LABELS = {
    "busy": "put back (provider busy)",
    "retry": "to retry later",
    "ambiguous": "of unknown outcome (to look up)",
    "cancelled": "skipped (a subscriber gone, a contact not configured)",
}


@click.command("dispatch")
@click.option("--once", is_flag=True, help="Send what is due now, then exit (for cron).")
@pass_context
def dispatch(ctx: Context, once: bool) -> None:
    """Send the outbox's messages through the configured channels, within their rate
    limits, until stopped (SIGTERM or Ctrl-C finish the sends under way). The server
    runs a dispatcher itself unless STATUSPAGE_DISPATCHER=off; only one sends at a time.

    \b
    Example:
      statuspage comms dispatch --once
      STATUSPAGE_DISPATCHER=off statuspage serve & statuspage comms dispatch
    """
    comms = _comms(ctx)
    if not once:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    async def use(svc: Service) -> Report | None:
        dispatcher = await svc.attach(
            lambda store: make_dispatcher(ctx.settings, store, comms, os.environ)
        )
        try:
            if once:
                return await dispatcher.run_once()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, dispatcher.stop)
            await dispatcher.run()
            return None
        finally:
            await dispatcher.aclose()

    report = ctx.run_local(use)
    if report is not None:
        click.echo(format_report(report))


def _comms(ctx: Context) -> Comms:
    """The configured plan's kit; PlanError when there is none or it does not validate."""
    return (ctx.comms or LazyComms(ctx.settings, os.environ)).load()


def format_report(report: Report) -> str:
    if not report.leader:
        return f"Another dispatcher ({report.standby_for}) is sending; nothing done."
    lines = []
    for name in CHANNELS:
        tally = report.tally.get(name)
        if tally:
            parts = ", ".join(f"{n} {LABELS.get(kind, kind)}" for kind, n in sorted(tally.items()))
            lines.append(f"{name}: {parts}")
    for name, reason in sorted(report.unconfigured.items()):
        waiting = report.queued.get(name, 0)
        if waiting:
            lines.append(f"{name}: not configured ({reason}); {waiting} waiting")
    queued = {k: v for k, v in report.queued.items() if k not in report.unconfigured and v}
    if queued:
        lines.append("Still queued (retries not yet due): "
                     + ", ".join(f"{k} {v}" for k, v in sorted(queued.items())))  # fmt: skip
    return "\n".join(lines) or "Nothing was due."


@click.command("status")
@click.argument("incident_id", metavar="INCIDENT")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_context
def status(ctx: Context, incident_id: str, as_json: bool) -> None:
    """Show what became of an incident's messages, per phase and channel: held (awaiting
    approval), queued, sent, delivered, failed (with the providers' reasons), and why
    some wait (a channel not configured, retries, a stopped template).

    \b
    Example:
      statuspage comms status 8kq2m4x7p1za
    """
    plan = _comms(ctx).plan

    async def use(svc: Service) -> tuple[DeliveryStatus, str, datetime]:
        now = svc.now()
        found = await svc.delivery_status(incident_id, missing_settings(ctx.settings, plan))
        return found, (await svc.page()).time_zone, now

    found, tz, now = ctx.run_local(use)
    if as_json:
        echo_json(status_json(found))
    else:
        click.echo(format_status(found, tz, now))


@click.command("retry")
@click.argument("incident_id", metavar="[INCIDENT]", required=False)
@click.option("--channel", type=Word(CHANNELS, "channel"), help="Only this channel's messages.")
@pass_context
def retry(ctx: Context, incident_id: str | None, channel: str | None) -> None:
    """Queue failed messages again, after fixing what failed them (a template, a setting,
    an address); without INCIDENT, those of every open incident. Stopped templates are
    released too. A customer's failed message that a newer one of the incident follows is
    not sent again (it would arrive stale): it is marked superseded.

    \b
    Example:
      statuspage comms retry 8kq2m4x7p1za --channel sms
    """
    counts, stale = ctx.run_local(lambda svc: svc.retry_failed(incident_id, channel))
    total = sum(counts.values())
    if stale:
        click.echo(f"Not sent again: {stale} (a newer message of the incident replaced them).")
    if not total:
        click.echo("No failed messages to send again.")
        return
    parts = ", ".join(f"{name} {n}" for name, n in sorted(counts.items()))
    click.echo(f"Queued again: {total} ({parts}). The dispatcher sends them shortly.")


def format_status(found: DeliveryStatus, tz: str, now: datetime) -> str:
    i = found.incident
    lines = [f"{i.name} ({i.id}, {i.severity or i.kind.value}, {i.status})", ""]
    lines.append(_dispatcher_line(found, tz, now))
    rows = [
        (phase, channel, *(str(counts[s]) for s in ("held", "queued", "sending", "sent",
         "delivered", "failed", "superseded", "cancelled")))
        for phase, channel, counts in found.table()
    ]  # fmt: skip
    if rows:
        headers = ("PHASE", "CHANNEL", "HELD", "QUEUED", "SENDING", "SENT", "DELIVERED",
                   "FAILED", "REPLACED", "SKIPPED")  # fmt: skip
        lines += ["", table(headers, rows)]
    else:
        lines += ["", "No messages for this incident."]
    lines += _notes(found, tz)
    return "\n".join(lines)


def _dispatcher_line(found: DeliveryStatus, tz: str, now: datetime) -> str:
    lease = found.dispatcher
    if lease is None:
        return "Dispatcher: none has run (statuspage serve, or statuspage comms dispatch)"
    if lease.expires_at > now:
        return f"Dispatcher: {lease.owner}, seen {ago(lease.heartbeat_at, now)}"
    return f"Dispatcher: none running (last: {lease.owner}, {local(lease.heartbeat_at, tz)})"


def _notes(found: DeliveryStatus, tz: str) -> list[str]:
    lines = []
    if found.failures:
        lines += ["", "Failed:"]
        for f in found.failures:
            code = f" [{f.code}]" if f.code else ""
            lines.append(f"  {f.phase} {f.channel}: {f.count} - {f.reason}{code}")
    if found.waits:
        lines += ["", "Queued again after a failure:"]
        for wait, at in found.waits:
            code = f" [{wait.code}]" if wait.code else ""
            lines.append(f"  {wait.phase} {wait.channel}: {wait.count}, next attempt "
                         f"{local(at, tz)} - {wait.reason}{code}")  # fmt: skip
    if found.skips:
        lines += ["", "Not sent (not failures):"]
        for f in found.skips:
            lines.append(f"  {f.phase} {f.channel}: {f.count} - {f.reason or 'cancelled'}")
    if found.ambiguous():
        lines.append(f"  ({found.ambiguous()} of unknown outcome: looked up before sending again)")
    waiting = {c.channel for c in found.counts if c.state == "queued"}
    for channel, reason in sorted(found.unconfigured.items()):
        if channel in waiting:
            lines.append(f"Not configured: {channel} ({reason}): its messages wait")
    for channel, template, language, reason in found.blocks:
        lines.append(f"Stopped: {channel} template {template} ({language}): {reason}")
    if found.failures:
        lines.append(f"After a fix: statuspage comms retry {found.incident.id}")
    return lines


def status_json(found: DeliveryStatus) -> dict[str, object]:
    return {
        "incident_id": found.incident.id,
        "messages": [{"phase": p, "channel": c, **counts} for p, c, counts in found.table()],
        "failures": [
            {"phase": f.phase, "channel": f.channel, "code": f.code, "reason": f.reason,
             "count": f.count}
            for f in found.failures
        ],
        "not_configured": found.unconfigured,
        "not_sent": [
            {"phase": f.phase, "channel": f.channel, "reason": f.reason, "count": f.count}
            for f in found.skips
        ],
        "stopped_templates": [
            {"channel": c, "template": t, "language": lang, "reason": r}
            for c, t, lang, r in found.blocks
        ],
    }  # fmt: skip
