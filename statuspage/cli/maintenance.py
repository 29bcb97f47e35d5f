"""`statuspage maintenance ...`: schedule, start, complete, cancel, list."""

from __future__ import annotations

from pathlib import Path

import click

from statuspage.cli.context import Context, Group, json_option, pass_context
from statuspage.cli.incidents import checked, report, show
from statuspage.cli.output import echo_json, incident_record, incidents_table
from statuspage.cli.times import parse_time
from statuspage.cli.translations import gather, message_options, need_message
from statuspage.model import Kind, MaintenanceStatus
from statuspage.serialize import Json
from statuspage.service.operations import Operations


@click.group(cls=Group)
def maintenance() -> None:
    """Schedule and run maintenance windows."""


@maintenance.command("schedule")
@click.argument("title")
@click.option("--start", required=True, help="When it starts: 02:00, tomorrow 2am, sat 22:00, +2h.")
@click.option("--end", required=True, help="When it ends (in the future): 04:00, +4h, ...")
@click.option(
    "--component",
    "components",
    multiple=True,
    required=True,
    metavar="NAME",
    help="Component under maintenance; repeat for several.",
)
@click.option("--message", "-m", help="What will happen and what customers should expect.")
@click.option("--no-auto-start", is_flag=True, help="Start it by hand, not at --start.")
@click.option("--no-auto-complete", is_flag=True, help="Complete it by hand, not at --end.")
@message_options(titled=True)
@json_option
@pass_context
def schedule(
    ctx: Context,
    title: str,
    start: str,
    end: str,
    components: tuple[str, ...],
    message: str | None,
    no_auto_start: bool,
    no_auto_complete: bool,
    translations: tuple[str, ...],
    translations_file: Path | None,
    title_translations: tuple[str, ...],
    as_json: bool,
) -> None:
    """Schedule a maintenance window. Naive times are in the page's time zone.
    --translation, --title-translation and --translations give the message and title in
    other languages.

    \b
    Example:
      statuspage maintenance schedule "Database upgrade" --start "2026-12-01 02:00" \\
        --end "2026-12-01 04:00" --component Database --component API \\
        --message "Writes may be delayed by up to a minute." \\
        --title-translation ru="Обновление базы данных" --translations upgrade.yaml
    """
    given = gather(translations, title_translations, translations_file, titled=True)
    need_message(given, message)

    async def use(svc: Operations) -> str | Json:
        await checked(svc, given)
        tz, now = (await svc.page()).time_zone, svc.now()
        created = await svc.schedule_maintenance(
            title,
            start=parse_time(start, tz, now, "--start"),
            end=parse_time(end, tz, now, "--end", "future"),
            components=list(components),
            message=message,
            auto_start=not no_auto_start,
            auto_complete=not no_auto_complete,
            translations=given.messages,
            title_translations=given.titles,
        )
        return await report(svc, created, as_json)

    show(ctx.run(use))


def _transition_command(name: str, status: MaintenanceStatus, doc: str) -> None:
    @maintenance.command(name, help=doc)
    @click.argument("incident_id", metavar="ID")
    @click.option("--message", "-m", help="Optional; a standard message is used otherwise.")
    @message_options()
    @json_option
    @pass_context
    def command(
        ctx: Context,
        incident_id: str,
        message: str | None,
        translations: tuple[str, ...],
        translations_file: Path | None,
        as_json: bool,
    ) -> None:
        given = gather(translations, (), translations_file)
        need_message(given, message)

        async def use(svc: Operations) -> str | Json:
            await checked(svc, given)
            changed = await svc.transition_maintenance(
                incident_id, status, message=message, translations=given.messages
            )
            return await report(svc, changed, as_json)

        show(ctx.run(use))


_transition_command(
    "start",
    MaintenanceStatus.IN_PROGRESS,
    """Start a maintenance now;
its components go under maintenance.

\b
Example:
  statuspage maintenance start 3mz8q0k2v7ab
""",
)
_transition_command(
    "verify",
    MaintenanceStatus.VERIFYING,
    """Mark a maintenance in progress
as verifying its results.

\b
Example:
  statuspage maintenance verify 3mz8q0k2v7ab -m "Work done; checking replication."
""",
)
_transition_command(
    "complete",
    MaintenanceStatus.COMPLETED,
    """Complete a maintenance that has
started; its components go back to operational.

\b
Example:
  statuspage maintenance complete 3mz8q0k2v7ab -m "All done." \\
    --translation ru="Работы завершены."
""",
)
_transition_command(
    "cancel",
    MaintenanceStatus.CANCELLED,
    """Cancel a maintenance that has not
started (one in progress must be completed instead).

\b
Example:
  statuspage maintenance cancel 3mz8q0k2v7ab -m "Postponed to next week."
""",
)


@maintenance.command("list")
@click.option("--open", "open_only", is_flag=True, help="Only scheduled or in progress.")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@json_option
@pass_context
def list_maintenance(ctx: Context, open_only: bool, limit: int, as_json: bool) -> None:
    """List maintenance windows, latest window first.

    \b
    Example:
      statuspage maintenance list --open
    """

    async def use(svc: Operations) -> str | list[Json]:
        found = await svc.list_incidents(open_only=open_only, kind=Kind.MAINTENANCE, limit=limit)
        page = await svc.page()
        if as_json:
            by_id = {c.id: c for c in await svc.list_components()}
            return [incident_record(i, page, by_id) for i in found]
        return incidents_table(found, page, svc.now())

    result = ctx.run(use)
    if isinstance(result, list):
        echo_json(result)
    else:
        click.echo(result)
