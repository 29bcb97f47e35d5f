"""`statuspage plan ...`: validate a comms plan and show its routing."""

from __future__ import annotations

import os
from pathlib import Path

import click

from statuspage.cli.context import Context, Group, pass_context
from statuspage.comms.compose.report import count, format_plan, sms_table
from statuspage.comms.compose.validate import InUse, load_plan, validate_plan
from statuspage.comms.kit import plan_path
from statuspage.comms.plan.issues import Issues
from statuspage.comms.plan.schema import Plan as PlanSchema
from statuspage.errors import InvalidInput, PlanError
from statuspage.resources import example_plans
from statuspage.service import Service

path_argument = click.argument(
    "path", required=False, type=click.Path(dir_okay=False, path_type=Path)
)


def configured_plan(ctx: Context, path: Path | None) -> Path:
    found = path or plan_path(ctx.settings)
    if found is None:
        raise InvalidInput(
            f"no comms plan is configured: STATUSPAGE_COMMS_PLAN={ctx.settings.comms_plan} turns"
            " it off; give PATH, unset it for the shipped plan, or set it to your plan's path"
        )
    if not found.is_file():
        raise PlanError(f"no comms plan at {found}")
    return found


@click.group(cls=Group)
def plan() -> None:
    """Check comms plans and see who hears what."""


@plan.command("validate")
@path_argument
@click.option(
    "--database/--no-database",
    "use_database",
    default=None,
    help="Check templates against the languages the database's subscribers read "
    "(default: when the configured database exists).",
)
@pass_context
def validate(ctx: Context, path: Path | None, use_database: bool | None) -> None:
    """Check a comms plan and render every template it names; exit 2 on any error.

    Problems are printed as FILE:LINE:COLUMN: error|warning: message; hint: what to do.
    Without PATH, the configured plan (STATUSPAGE_COMMS_PLAN) is checked. A template
    missing in a language is reported for the languages the database's subscribers (and
    the page) read, or without a database for every shipped language. Each SMS template
    is listed with its encoding, length and segments (what each message costs).

    \b
    Example:
      statuspage plan validate my-plan.yaml
    """
    target = configured_plan(ctx, path)
    in_use = languages_in_use(ctx, use_database)
    report = validate_plan(
        target, display=str(path) if path else None, environ=os.environ, in_use=in_use
    )
    for issue in report.issues.sorted():
        click.echo(str(issue), err=True)
    click.echo(summary(str(path or target), report.issues, report.templates))
    if in_use is not None and report.plan is not None:
        click.echo(readers(in_use))
    if report.plan is not None:
        click.echo("\n".join(not_configured(ctx, report.plan)))
    if report.sms:
        click.echo("\n".join(["", *sms_table(report.sms)]))
    if report.plan is None:
        click.get_current_context().exit(2)


def not_configured(ctx: Context, plan: PlanSchema) -> list[str]:
    """The channels the plan routes to that are not configured here, with what to set."""
    from statuspage.comms.deliver.wiring import missing_settings

    routed = {
        c.value
        for policy in [*plan.severities.values(), *([plan.maintenance] if plan.maintenance else [])]
        for routes in policy.routing.values()
        for route in routes
        for c in route.channels
    } | {c.value for o in plan.owners.values() for c in o.contacts}
    missing = missing_settings(ctx.settings, plan)
    return [
        f"skipped: not configured here: {channel} ({missing[channel]}); its messages wait, queued"
        for channel in sorted(routed & set(missing))
    ]


def languages_in_use(ctx: Context, wanted: bool | None) -> InUse | None:
    """The page's language and the active subscribers' languages per channel, read from
    the local database; None when there is none to read (and it was not asked for)."""
    if wanted is False or (wanted is None and (ctx.server or not ctx.settings.db.is_file())):
        return None

    async def read(svc: Service) -> InUse:
        page = await svc.page()
        found: dict[str, dict[str, int]] = {}
        for s in await svc.list_subscribers(state="active"):
            per_channel = found.setdefault(s.channel.value, {})
            per_channel[s.language] = per_channel.get(s.language, 0) + 1
        return InUse(page.language, found)

    return ctx.run_local(read)


def readers(in_use: InUse) -> str:
    """Who reads which language: "Languages: page en; email: en 120, ru 30"."""
    parts = [f"page {in_use.page_language}"]
    for channel, counts in sorted(in_use.subscribers.items()):
        langs = ", ".join(f"{lang} {n:,}" for lang, n in sorted(counts.items()))
        parts.append(f"{channel} subscribers: {langs}")
    return "Languages read: " + "; ".join(parts)


def summary(name: str, issues: Issues, templates: int) -> str:
    errors, warnings = len(issues.errors), len(issues.warnings)
    if errors:
        return f"{name}: {count(errors, 'error')}, {count(warnings, 'warning')}."
    note = f", {count(warnings, 'warning')}" if warnings else ""
    return f"{name}: OK ({count(templates, 'template')} rendered{note})."


@plan.command("show")
@click.argument("severity", required=False)
@click.option("--plan", "path", type=click.Path(dir_okay=False, path_type=Path), help="Plan file.")
@pass_context
def show(ctx: Context, severity: str | None, path: Path | None) -> None:
    """Show the routing table (phase x segment x channel), owners, cadence and approvals.

    \b
    Example:
      statuspage plan show SEV1
    """
    loaded = load_plan(configured_plan(ctx, path), os.environ)
    if severity is not None and loaded.severity(severity) is None and severity != "maintenance":
        known = ", ".join(loaded.severities)
        raise InvalidInput(
            f"unknown severity {severity!r}; the plan defines {known} (or show `maintenance`)"
        )
    click.echo(format_plan(loaded, severity))


@plan.command("example")
@click.argument("name", required=False, default="default")
def example(name: str) -> None:
    """Print a comms plan shipped with statuspage, to copy and edit: `default` (SEV1-SEV4,
    approvals, every channel; the plan in use when STATUSPAGE_COMMS_PLAN is empty) or
    `small-team` (three severities, no approvals).

    \b
    Example:
      statuspage plan example > my-plan.yaml
      statuspage plan validate my-plan.yaml
      STATUSPAGE_COMMS_PLAN=$PWD/my-plan.yaml statuspage serve
    """
    plans = example_plans()
    if name not in plans:
        raise InvalidInput(f"no shipped plan named {name!r}; choose one of: {', '.join(plans)}")
    click.echo(plans[name].read_text(encoding="utf-8"), nl=False)
