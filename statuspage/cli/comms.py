"""`statuspage comms ...`: preview and approve messages; comms lines for incident output."""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from datetime import datetime

import click

from statuspage.cli.context import Context, Group, pass_context
from statuspage.cli.times import ago, local, overdue
from statuspage.cli.words import Word
from statuspage.comms.compose.preview import Preview
from statuspage.comms.compose.report import count, format_preview
from statuspage.comms.compose.tone import check_tone
from statuspage.comms.plan.schema import INCIDENT_PHASES, MAINTENANCE_PHASES
from statuspage.errors import InvalidInput, PlanError
from statuspage.model import Incident, Page
from statuspage.service import Service
from statuspage.service.comms_ops import Approval
from statuspage.service.operations import Operations

PHASES = Word([p.value for p in (*INCIDENT_PHASES, *MAINTENANCE_PHASES)], "phase")


@click.group(cls=Group)
def comms() -> None:
    """The messages of incidents: preview, approve, dispatch, status and retry."""


@comms.command("preview")
@click.argument("incident_id", metavar="INCIDENT")
@click.option("--phase", type=PHASES, help="Preview another phase (default: the latest update's).")
@click.option("--full", is_flag=True, help="Show long Slack and webhook payloads in full.")
@pass_context
def preview(ctx: Context, incident_id: str, phase: str | None, full: bool) -> None:
    """Show the exact messages the incident's latest update sends, per segment and channel,
    with recipients, SMS segments and send time, tone warnings and missing approvals.
    Nothing is stored or sent.

    \b
    Example:
      statuspage comms preview 8kq2m4x7p1za --phase resolved
    """
    previewer = ctx.previewer()

    async def use(svc: Service) -> Preview:
        return await svc.preview_messages(previewer, incident_id, phase)

    click.echo(format_preview(ctx.run_local(use), full=full))


@comms.command("test")
@click.option("--channel", help="Only this channel (email, sms, slack).")
@click.option("--owner", "role", metavar="ROLE", help="Only this owner role of the comms plan.")
@pass_context
def test_command(ctx: Context, channel: str | None, role: str | None) -> None:
    """Send a test message through each configured channel to the comms plan's owners, now,
    and report what each provider said. Channels and contacts that are not configured are
    named ("skipped: not configured") with what to set. Exits 1 when a send failed.

    \b
    Example:
      statuspage comms test
      statuspage comms test --channel sms --owner incident_commander
    """
    import os

    from statuspage.comms.deliver.probe import FAILED, Probe, format_probes, probe, targets
    from statuspage.comms.deliver.wiring import build_channels, missing_settings
    from statuspage.comms.kit import LazyComms

    plan = (ctx.comms or LazyComms(ctx.settings, os.environ)).load().plan
    targets(plan, channel, role)  # an unknown channel or role: refused before anything

    async def use(svc: Service) -> list[Probe]:
        page = await svc.page()
        senders = build_channels(ctx.settings, plan, page.url or ctx.settings.public_url)
        try:
            return await probe(
                plan, senders, missing_settings(ctx.settings, plan), os.environ, page.name,
                svc.now(), channel=channel, owner=role,
            )  # fmt: skip
        finally:
            for sender in senders.values():
                await sender.aclose()

    found = ctx.run_local(use)
    click.echo(format_probes(found))
    if any(p.outcome == FAILED for p in found):
        raise SystemExit(1)


@comms.command("approve")
@click.argument("incident_id", metavar="INCIDENT")
@click.option("--update", "update_id", metavar="ID", help="Approve one update only.")
@click.option("--as", "name", help="Who approves (default: your user name).")
@pass_context
def approve_command(
    ctx: Context, incident_id: str, update_id: str | None, name: str | None
) -> None:
    """Approve the customer messages held for an incident; they go out at once.
    Internal messages to owners never wait for approval.

    \b
    Example:
      statuspage comms preview 8kq2m4x7p1za
      statuspage comms approve 8kq2m4x7p1za --as "Dana Smith"
    """
    who = name or _user()

    async def use(svc: Service) -> tuple[list[Approval], Page, datetime]:
        now = svc.now()
        return await svc.approve_messages(incident_id, who, update_id), await svc.page(), now

    done, page, at = ctx.run_local(use)
    for approval in done:
        e = approval.event
        what = f"update {e.update_id}" if e.update_id else e.phase
        released = (
            f"{count(approval.released, 'message')} released"
            if approval.released
            else "nothing left to release (a newer update replaced these messages)"
        )
        click.echo(f"Approved {what} ({e.phase}, {e.severity or 'maintenance'}): {released}.")
    click.echo(f"Recorded: approved by {who} at {local(at, page.time_zone)}.")


def _user() -> str:
    """The OS user name, which records who approved when --as is not given."""
    try:
        return getpass.getuser()
    except (OSError, KeyError) as exc:
        raise InvalidInput("cannot tell who you are; say who approves with --as NAME") from exc


def warn_about_tone(
    ctx: Context, message: str | None, translations: Mapping[str, str] | None = None
) -> None:
    """Tone warnings about an update's text and each of its translations, on stderr, once
    per text; they never block."""
    if (not message and not translations) or ctx.comms is None:
        return
    try:
        acronyms = ctx.comms.load().plan.acronyms
    except PlanError:
        acronyms = frozenset()
    for finding in check_tone(message or "", acronyms=acronyms):
        click.echo(f"warning: tone: {finding}", err=True)
    for language, text in (translations or {}).items():
        for finding in check_tone(text, acronyms=acronyms):
            click.echo(f"warning: tone ({language}): {finding}", err=True)


async def comms_lines(ctx: Context, svc: Operations, incident: Incident, page: Page) -> list[str]:
    """What the comms kit says about an incident: due time, approvals, messages.

    Only the local database knows (remote mode has no plan of its own: ctx.comms is None)."""
    if ctx.comms is None or incident.backfilled or not isinstance(svc, Service):
        return []
    try:
        plan = ctx.comms.load().plan
    except PlanError as exc:
        return [f"Comms:      the comms plan does not load: {exc}"]
    status = await svc.comms_status(plan, incident)
    lines = []
    if status.due_at is not None:
        lines.append(f"Next update: due {_due(status.due_at, page, svc.now())}")
    waiting: dict[str, list[str]] = {}  # one line per approver, naming every phase
    for event in status.awaiting:
        role = plan.owners.get(event.approval_role or "")
        label = role.label if role else event.approval_role
        waiting.setdefault(str(label), []).append(str(event.phase))
    for label, phases in waiting.items():
        lines.append(
            f"Approval:   {' and '.join(dict.fromkeys(phases))} messages wait for the {label}: "
            f"statuspage comms approve {incident.id}"
        )
    if status.counts:
        parts = ", ".join(f"{n:,} {state}" for state, n in sorted(status.counts.items()))
        lines.append(f"Messages:   {parts}")
    return lines


def _due(at: datetime, page: Page, now: datetime) -> str:
    when = local(at, page.time_zone)
    if at <= now:
        return f"{when} ({overdue(at, now).upper().replace(' BY ', ' by ')})"
    return f"{when} ({ago(at, now)})"
