"""`statuspage plan ...`: validate a comms plan and show its routing."""

from __future__ import annotations

import os
from pathlib import Path

import click

from statuspage.cli.context import Context, Group, pass_context
from statuspage.comms.compose.report import count, format_plan
from statuspage.comms.compose.validate import load_plan, validate_plan
from statuspage.comms.kit import plan_path
from statuspage.comms.plan.issues import Issues
from statuspage.errors import InvalidInput, PlanError
from statuspage.resources import example_plans

path_argument = click.argument(
    "path", required=False, type=click.Path(dir_okay=False, path_type=Path)
)


def configured_plan(ctx: Context, path: Path | None) -> Path:
    found = path or plan_path(ctx.settings)
    if found is None:
        raise InvalidInput("no comms plan is configured; give PATH or set STATUSPAGE_COMMS_PLAN")
    if not found.is_file():
        raise PlanError(f"no comms plan at {found}")
    return found


@click.group(cls=Group)
def plan() -> None:
    """Check comms plans and see who hears what."""


@plan.command("validate")
@path_argument
@pass_context
def validate(ctx: Context, path: Path | None) -> None:
    """Check a comms plan and render every template it names; exit 2 on any error.

    Problems are printed as FILE:LINE:COLUMN: error|warning: message; hint: what to do.
    Without PATH, the configured plan (STATUSPAGE_COMMS_PLAN) is checked.

    \b
    Example:
      statuspage plan validate my-plan.yaml
    """
    target = configured_plan(ctx, path)
    report = validate_plan(target, display=str(path) if path else None, environ=os.environ)
    for issue in report.issues.sorted():
        click.echo(str(issue), err=True)
    click.echo(summary(str(path or target), report.issues, report.templates))
    if report.plan is None:
        click.get_current_context().exit(2)


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
