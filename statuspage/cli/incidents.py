"""`statuspage incident ...`: declare, update, resolve, list, show, postmortem, backfill."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from statuspage.cli import words
from statuspage.cli.context import Context, Group, dry_run_option, json_option, pass_context
from statuspage.cli.due import due_table
from statuspage.cli.output import (
    echo_json,
    file_error,
    incident_details,
    incident_record,
    incidents_table,
)
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
from statuspage.errors import InvalidInput
from statuspage.incident_templates import IncidentTemplate
from statuspage.model import ACTIVE_MAINTENANCE, Incident, Kind, TranslationSubject
from statuspage.serialize import Json

if TYPE_CHECKING:
    from statuspage.service.operations import Operations

component_option = click.option(
    "--component",
    "components",
    multiple=True,
    metavar="NAME[=STATUS]",
    help="Affected component, optionally with its new status (partial_outage, "
    "'partial outage' or partial); repeat for several.",
)


def parse_specs(values: Sequence[str]) -> list[tuple[str, str | None]]:
    """NAME or NAME=STATUS, as given to --component; the status read forgivingly."""
    specs: list[tuple[str, str | None]] = []
    for value in values:
        name, sep, status = value.rpartition("=")
        if sep:
            specs.append((name, words.component_status(status, f"status for component {name!r}")))
        else:
            specs.append((value, None))
    return specs


async def report(
    svc: Operations, incident: Incident, as_json: bool, ctx: Context | None = None
) -> str | Json:
    """The incident as JSON, or as its human-readable timeline (with its comms status)."""
    page, components = await svc.page(), await svc.list_components()
    if as_json:
        return incident_record(incident, page, {c.id: c for c in components})
    details = incident_details(incident, page, components, svc.now())
    from statuspage.cli.comms import comms_lines  # the comms kit: not for `incident list`

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
@click.argument("title", required=False)
@click.option(
    "--template",
    "template_name",
    metavar="NAME",
    help="Start from an incident template (see `statuspage template list`): its title, "
    "message, status and components, unless given here.",
)
@click.option(
    "--severity",
    metavar="SEV",
    help="Severity from the comms plan (e.g. SEV1); sets the impact and who hears what.",
)
@click.option(
    "--impact",
    metavar="IMPACT",
    help="How bad it is for customers (none, minor, major, critical); overrides the plan's.",
)
@component_option
@click.option(
    "--message",
    "-m",
    help="The first update (Markdown), in the page's language (required without --template).",
)
@click.option(
    "--status",
    metavar="STATUS",
    help="investigating (the default, or the template's), identified or monitoring.",
)
@message_options(titled=True)
@dry_run_option
@json_option
@pass_context
def declare(
    ctx: Context,
    title: str | None,
    template_name: str | None,
    severity: str | None,
    impact: str | None,
    components: tuple[str, ...],
    message: str | None,
    status: str | None,
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
    --template starts from an incident template; options given here override it.
    --message is in the page's language; --translation, --title-translation and
    --translations give the message and title in others.

    \b
    Example:
      statuspage incident declare "Elevated API errors" --severity SEV2 \\
        --component "API=partial outage" --component Dashboard \\
        --message "We are investigating elevated error rates on the API." \\
        --translation ru="Мы выясняем причину ошибок API." \\
        --title-translation ru="Ошибки API" --translations zh.yaml --dry-run
      statuspage incident declare --template "API errors" --impact major
    """
    if template_name is None and title is None:
        raise click.UsageError("give a TITLE, or --template NAME to take the template's")
    if template_name is None and message is None:
        raise click.UsageError("give the first update with --message (or use --template)")
    given = gather(translations, title_translations, translations_file, titled=True)
    wanted_impact = words.impact(impact)
    wanted_status = words.incident_status(status, words.OPEN_STATUSES)
    specs = parse_specs(components)

    async def change(svc: Operations) -> Incident:
        await checked(svc, given)
        template = await svc.get_template(template_name) if template_name else None
        start = start_from(title, message, wanted_status, specs, template)
        return await svc.declare_incident(
            start.title,
            message=start.message,
            impact=wanted_impact,
            severity=severity,
            components=start.components,
            status=start.status,
            translations=given.messages,
            title_translations=given.titles,
        )

    run_change(ctx, change, message, as_json, dry_run, given.messages, new=True)


@dataclass(frozen=True)
class Start:
    """What an incident starts with: what `incident declare` was given, and what its
    template (if any) fills in."""

    title: str
    message: str
    status: str
    components: list[tuple[str, str | None]]


def start_from(
    title: str | None,
    message: str | None,
    status: str | None,
    components: list[tuple[str, str | None]],
    template: IncidentTemplate | None,
) -> Start:
    if template is not None:
        title, message = title or template.title, message or template.body
        # A template for a later update (resolved) or maintenance: the incident starts afresh.
        kept = template.update_status if template.update_status in words.OPEN_STATUSES else None
        status = status or kept
        components = components or [(c, None) for c in template.component_ids]
    if title is None or message is None:
        raise InvalidInput("give a TITLE and --message, or --template NAME")
    return Start(title, message, status or "investigating", components)


@incident.command("update")
@click.argument("incident_id", metavar="ID")
@click.option(
    "--status",
    metavar="STATUS",
    help="investigating, identified, monitoring or resolved; leave out to keep the current one.",
)
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
    wanted_status, specs = words.incident_status(status), parse_specs(components)

    async def change(svc: Operations) -> Incident:
        await checked(svc, given)
        return await svc.update_incident(
            incident_id,
            message=message,
            status=wanted_status,
            severity=severity,
            components=specs,
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

    run_change(ctx, change, message, as_json, dry_run, given.messages, warnings=still_held)


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
    *,
    new: bool = False,
    warnings: Callable[[Operations, Incident], Awaitable[list[str]]] | None = None,
) -> None:
    """Run a change and show the incident; with --dry-run, show its messages instead (for
    a `new` incident, with <ID> for the id it would get: the dry run's never exists)."""
    from statuspage.cli.comms import warn_about_tone
    from statuspage.comms.compose.report import format_preview

    if dry_run:
        preview = ctx.dry_run(change)
        text = format_preview(preview, dry_run=True)
        click.echo(text.replace(preview.incident.id, "<ID>") if new else text)
        return

    async def use(svc: Operations) -> tuple[str | Json, list[str]]:
        changed = await change(svc)
        found = await warnings(svc, changed) if warnings else []
        return await report(svc, changed, as_json, ctx), found

    result, found = ctx.run(use)
    show(result)
    for line in found:
        click.echo(f"warning: {line}", err=True)
    warn_about_tone(ctx, message, translations)


async def still_held(svc: Operations, resolved: Incident) -> list[str]:
    """The resolved incident's components that other open incidents (or maintenance under
    way) still hold, each naming them: the component stays in their status."""
    others = [
        i
        for i in await svc.list_incidents(open_only=True, kind=None)
        if i.id != resolved.id and holds(i)
    ]
    by_id = {c.id: c for c in await svc.list_components()}
    lines = []
    for component_id in resolved.component_ids:
        holders = [i for i in others if component_id in i.component_ids]
        component = by_id.get(component_id)
        if not holders or component is None:
            continue
        named = "; ".join(f'{i.kind.value} {i.id} "{i.name}" ({i.status})' for i in holders)
        lines.append(f"{component.name} stays {component.status.label}: still held by {named}")
    return lines


def holds(incident: Incident) -> bool:
    if incident.is_maintenance:
        return incident.status in ACTIVE_MAINTENANCE
    return incident.is_open


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
        raise InvalidInput(f"cannot read {path}: {file_error(exc)}") from exc


@incident.command("backfill")
@click.argument("title")
@click.option("--impact", metavar="IMPACT", required=True, help="none, minor, major or critical.")
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

    wanted_impact, specs = words.impact(impact) or impact, parse_specs(components)

    async def use(svc: Operations) -> str | Json:
        tz = (await svc.page()).time_zone
        now = svc.now()  # one now for both: `3h ago` and `2h ago` are 1h apart
        created = await svc.backfill_incident(
            title,
            impact=wanted_impact,
            components=specs,
            started=parse_time(started, tz, now, "--started", "past"),
            resolved=parse_time(resolved, tz, now, "--resolved", "past"),
            message=message,
        )
        return await report(svc, created, as_json)

    show(ctx.run(use))
