"""`statuspage incident ...`: declare, update, resolve, list, show, postmortem, backfill."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path

import click

from statuspage.cli.comms import comms_lines, dry_run_option, due_table, warn_about_tone
from statuspage.cli.context import Context, Group, json_option, pass_context
from statuspage.cli.output import echo_json, incident_details, incident_record, incidents_table
from statuspage.cli.times import parse_time
from statuspage.cli.translations import (
    Translated,
    clear_or_texts,
    gather,
    language_argument,
    message_options,
    need_message,
    translated_line,
)
from statuspage.comms.compose.report import format_preview
from statuspage.errors import InvalidInput
from statuspage.model import Incident, Kind, TranslationSubject
from statuspage.serialize import Json
from statuspage.service.operations import Operations

IMPACTS = click.Choice(["none", "minor", "major", "critical"])
OPEN_STATUSES = click.Choice(["investigating", "identified", "monitoring"])
ALL_STATUSES = click.Choice(["investigating", "identified", "monitoring", "resolved"])
component_option = click.option(
    "--component",
    "components",
    multiple=True,
    metavar="NAME[=STATUS]",
    help="Affected component, optionally with its new status; repeat for several.",
)


def parse_specs(values: Sequence[str]) -> list[tuple[str, str | None]]:
    """NAME or NAME=STATUS, as given to --component."""
    specs: list[tuple[str, str | None]] = []
    for value in values:
        name, sep, status = value.rpartition("=")
        specs.append((name, status.strip()) if sep else (value, None))
    return specs


async def report(
    svc: Operations, incident: Incident, as_json: bool, ctx: Context | None = None
) -> str | Json:
    """The incident as JSON, or as its human-readable timeline (with its comms status)."""
    page, components = await svc.page(), await svc.list_components()
    if as_json:
        return incident_record(incident, page, {c.id: c for c in components})
    details = incident_details(incident, page, components, svc.now())
    extra = await comms_lines(ctx, svc, incident, page) if ctx else []
    return "\n".join([details, "", *extra]) if extra else details


def show(result: str | Json) -> None:
    if isinstance(result, dict):
        echo_json(result)
    else:
        click.echo(result)


@click.group(cls=Group)
def incident() -> None:
    """Declare, update, resolve and review incidents."""


@incident.command("declare")
@click.argument("title")
@click.option(
    "--severity",
    metavar="SEV",
    help="Severity from the comms plan (e.g. SEV1); sets the impact and who hears what.",
)
@click.option("--impact", type=IMPACTS, help="How bad it is for customers; overrides the plan's.")
@component_option
@click.option(
    "--message", "-m", required=True, help="The first update (Markdown), in the page's language."
)
@click.option("--status", type=OPEN_STATUSES, default="investigating", show_default=True)
@message_options(titled=True)
@dry_run_option
@json_option
@pass_context
def declare(
    ctx: Context,
    title: str,
    severity: str | None,
    impact: str | None,
    components: tuple[str, ...],
    message: str,
    status: str,
    translations: tuple[str, ...],
    translations_file: Path | None,
    title_translations: tuple[str, ...],
    dry_run: bool,
    as_json: bool,
) -> None:
    """Declare an incident. With a comms plan, --severity sets the impact (unless --impact
    overrides it) and the messages that go out; --impact alone picks the most severe
    severity with that impact. Components without a status get the impact's default
    (minor: degraded_performance, major: partial_outage, critical: major_outage).
    --message is in the page's language; --translation, --title-translation and
    --translations give the message and title in others.

    \b
    Example:
      statuspage incident declare "Elevated API errors" --severity SEV2 \\
        --component API=partial_outage --component Dashboard \\
        --message "We are investigating elevated error rates on the API." \\
        --translation ru="Мы выясняем причину ошибок API." \\
        --title-translation ru="Ошибки API" --translations zh.yaml --dry-run
    """
    given = gather(translations, title_translations, translations_file, titled=True)

    async def change(svc: Operations) -> Incident:
        await checked(svc, given)
        return await svc.declare_incident(
            title,
            message=message,
            impact=impact,
            severity=severity,
            components=parse_specs(components),
            status=status,
            translations=given.messages,
            title_translations=given.titles,
        )

    run_change(ctx, change, message, as_json, dry_run, given.messages)


@incident.command("update")
@click.argument("incident_id", metavar="ID")
@click.option("--status", type=ALL_STATUSES, help="New status; leave out to keep the current one.")
@click.option(
    "--message", "-m", required=True, help="What changed (Markdown), in the page's language."
)
@click.option("--severity", metavar="SEV", help="Raise or lower the severity (comms plan).")
@component_option
@message_options()
@dry_run_option
@json_option
@pass_context
def update(
    ctx: Context,
    incident_id: str,
    status: str | None,
    message: str,
    severity: str | None,
    components: tuple[str, ...],
    translations: tuple[str, ...],
    translations_file: Path | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Post an update to an open incident; --translation and --translations give the
    message in other languages.

    \b
    Example:
      statuspage incident update 8kq2m4x7p1za --status identified \\
        --message "A bad deploy; rolling back now." --component API=degraded_performance \\
        --translation ru="Причина найдена: неудачное обновление; откатываем его."
    """
    given = gather(translations, (), translations_file)

    async def change(svc: Operations) -> Incident:
        await checked(svc, given)
        return await svc.update_incident(
            incident_id,
            message=message,
            status=status,
            severity=severity,
            components=parse_specs(components),
            translations=given.messages,
        )

    run_change(ctx, change, message, as_json, dry_run, given.messages)


@incident.command("resolve")
@click.argument("incident_id", metavar="ID")
@click.option("--message", "-m", help="Defaults to: This incident has been resolved.")
@component_option
@message_options()
@dry_run_option
@json_option
@pass_context
def resolve(
    ctx: Context,
    incident_id: str,
    message: str | None,
    components: tuple[str, ...],
    translations: tuple[str, ...],
    translations_file: Path | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Resolve an incident. Its components go back to operational (or to what another open
    incident or maintenance still holds) unless --component says otherwise.

    \b
    Example:
      statuspage incident resolve 8kq2m4x7p1za -m "Error rates are back to normal." \\
        --translation zh-Hans="错误率已恢复正常。"
    """
    given = gather(translations, (), translations_file)
    need_message(given, message)

    async def change(svc: Operations) -> Incident:
        await checked(svc, given)
        return await svc.resolve_incident(
            incident_id,
            message=message,
            components=parse_specs(components),
            translations=given.messages,
        )

    run_change(ctx, change, message, as_json, dry_run, given.messages)


async def checked(svc: Operations, given: Translated) -> None:
    """Refuse translations into the page's own language, naming where they came from."""
    if given:
        given.check_for(await svc.page())


def run_change(
    ctx: Context,
    change: Callable[[Operations], Awaitable[Incident]],
    message: str | None,
    as_json: bool,
    dry_run: bool,
    translations: Mapping[str, str] | None = None,
) -> None:
    """Run a change and show the incident; with --dry-run, show its messages instead."""
    if dry_run:
        click.echo(format_preview(ctx.dry_run(change), dry_run=True))
        return

    async def use(svc: Operations) -> str | Json:
        return await report(svc, await change(svc), as_json, ctx)

    show(ctx.run(use))
    warn_about_tone(ctx, message, translations)


@incident.command("list")
@click.option("--open", "open_only", is_flag=True, help="Only unresolved incidents.")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@json_option
@pass_context
def list_incidents(ctx: Context, open_only: bool, limit: int, as_json: bool) -> None:
    """List incidents, newest first; with a comms plan, overdue ones first, with the time
    their next update is due.

    \b
    Example:
      statuspage incident list --open
    """

    async def use(svc: Operations) -> str | list[Json]:
        found = await svc.list_incidents(open_only=open_only, kind=Kind.INCIDENT, limit=limit)
        page, components = await svc.page(), await svc.list_components()
        if as_json:
            by_id = {c.id: c for c in components}
            return [incident_record(i, page, by_id) for i in found]
        return due_table(ctx, found, page, svc.now()) or incidents_table(found, page, svc.now())

    result = ctx.run(use)
    if isinstance(result, list):
        echo_json(result)
    else:
        click.echo(result)


@incident.command("show")
@click.argument("incident_id", metavar="ID")
@json_option
@pass_context
def show_incident(ctx: Context, incident_id: str, as_json: bool) -> None:
    """Show an incident (or maintenance) with its full timeline.

    \b
    Example:
      statuspage incident show 8kq2m4x7p1za --json
    """

    async def use(svc: Operations) -> str | Json:
        return await report(svc, await svc.get_incident(incident_id), as_json, ctx)

    show(ctx.run(use))


@incident.command("translate")
@click.argument("incident_id", metavar="ID")
@click.argument("language", metavar="LANG")
@click.option("--name", help="The incident's name in LANG.")
@click.option("--message", "-m", help="An update's text in LANG (see --update).")
@click.option(
    "--update",
    "update_id",
    metavar="UPDATE_ID",
    help="The update --message translates (its id from `incident show`); default: the latest.",
)
@click.option(
    "--clear", is_flag=True, help="Remove LANG's name and the update's message (see --update)."
)
@json_option
@pass_context
def translate(
    ctx: Context,
    incident_id: str,
    language: str,
    name: str | None,
    message: str | None,
    update_id: str | None,
    clear: bool,
    as_json: bool,
) -> None:
    """Give an incident's (or maintenance's) name or an update's text in another language
    after the fact, or remove them with --clear. Nothing is sent again: readers of the page
    and feeds in LANG see it.

    \b
    Example:
      statuspage incident translate 8kq2m4x7p1za ru --name "Ошибки API"
      statuspage incident translate 8kq2m4x7p1za zh-Hans -m "我们正在调查。" --update 4jd8s0a1b2c3
    """
    texts = clear_or_texts(clear, name=name, message=message)
    code = language_argument(language)

    async def use(svc: Operations) -> str | Json:
        if "name" in texts:
            await svc.translate(
                TranslationSubject.INCIDENT, incident_id, code, {"name": texts["name"]}
            )
        if "message" in texts:
            await svc.translate_update(incident_id, update_id, code, texts["message"])
        return await report(svc, await svc.get_incident(incident_id), as_json)

    result = ctx.run(use)
    if not as_json:
        click.echo(translated_line(f"incident {incident_id}", code, texts))
    show(result)


@incident.command("postmortem")
@click.argument("incident_id", metavar="ID")
@click.option(
    "--file",
    "path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Markdown file with the postmortem; - reads standard input.",
)
@click.option("--publish", is_flag=True, help="Show it on the page and notify subscribers.")
@json_option
@pass_context
def postmortem(ctx: Context, incident_id: str, path: Path, publish: bool, as_json: bool) -> None:
    """Attach a postmortem to a resolved incident; --publish shows it on the page.

    \b
    Example:
      statuspage incident postmortem 8kq2m4x7p1za --file postmortem.md --publish
    """
    body = read_text(path)

    async def use(svc: Operations) -> str | Json:
        changed = await svc.set_postmortem(incident_id, body, publish=publish)
        return await report(svc, changed, as_json)

    show(ctx.run(use))


def read_text(path: Path) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from exc


@incident.command("backfill")
@click.argument("title")
@click.option("--impact", type=IMPACTS, required=True)
@component_option
@click.option("--started", required=True, help="09:10, yesterday 9am, mon 09:10, 3h ago or ISO.")
@click.option("--resolved", required=True, help="Like --started; in the page's time zone.")
@click.option("--message", "-m", required=True, help="What happened (Markdown).")
@json_option
@pass_context
def backfill(
    ctx: Context,
    title: str,
    impact: str,
    components: tuple[str, ...],
    started: str,
    resolved: str,
    message: str,
    as_json: bool,
) -> None:
    """Record a past incident; its components' downtime counts in uptime.

    \b
    Example:
      statuspage incident backfill "Login outage" --impact critical \\
        --component Login=major_outage --started "2026-11-02 09:10" \\
        --resolved "2026-11-02 09:55" --message "Logins failed after a certificate expired."
    """

    async def use(svc: Operations) -> str | Json:
        tz = (await svc.page()).time_zone
        created = await svc.backfill_incident(
            title,
            impact=impact,
            components=parse_specs(components),
            started=parse_time(started, tz, svc.now(), "--started", "past"),
            resolved=parse_time(resolved, tz, svc.now(), "--resolved", "past"),
            message=message,
        )
        return await report(svc, created, as_json)

    show(ctx.run(use))
