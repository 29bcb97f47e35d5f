"""`statuspage checks ...`: validate the checks, run them once (cron), list their results."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from statuspage.automation.read import validate_rules
from statuspage.automation.signals import Signal
from statuspage.checks.outcome import CheckResult, Outcome
from statuspage.checks.read import validate_checks
from statuspage.checks.runner import Ran
from statuspage.checks.signals import check_of
from statuspage.checks.spec import CheckSpec
from statuspage.checks.uptime import uptime_feeds
from statuspage.checks.wiring import configured_checks, runner_for
from statuspage.cli.context import Context, Group, json_option, pass_context
from statuspage.cli.output import echo_json, table
from statuspage.cli.plan import summary
from statuspage.cli.times import ago
from statuspage.errors import InvalidInput
from statuspage.resources import resource
from statuspage.service import Service
from statuspage.service.automation import Outcome as Moved
from statuspage.service.checks import CheckRow, ChecksService
from statuspage.uptime import Day, day_range, overall, percent

file_option = click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The automation file (default: STATUSPAGE_AUTOMATION).",
)


@click.group(cls=Group)
def checks() -> None:
    """Built-in checks: HTTP(S), TCP and DNS probes that move component statuses."""


@checks.command("validate")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@pass_context
def validate(ctx: Context, path: Path | None) -> None:
    """Check the `checks:` list of an automation file; exit 2 on any error.

    Problems are printed as FILE:LINE:COLUMN: error: message; hint: what to do. The file's
    alert rules are checked too (the checks feed them). Without PATH, the configured file
    (STATUSPAGE_AUTOMATION) is checked.

    \b
    Example:
      statuspage checks validate automation.yaml
    """
    target = path or _configured_path(ctx)
    report = validate_checks(target)
    for issue in report.issues.sorted():
        click.echo(str(issue), err=True)
    if report.checks is None:
        click.echo(summary(str(target), report.issues, 0))
        click.get_current_context().exit(2)
    rules = validate_rules(target)  # the checks feed the rules of the same file
    for issue in rules.issues.sorted():
        click.echo(str(issue), err=True)
    if rules.rules is None:
        click.echo(summary(str(target), rules.issues, 0))
        click.get_current_context().exit(2)
    count = len(report.checks)
    click.echo(f"{target}: OK ({count} check{'' if count == 1 else 's'}).")


@checks.command("example")
def example() -> None:
    """Print the shipped example of checks, to copy and edit.

    \b
    Example:
      statuspage checks example > automation.yaml
    """
    click.echo(resource("automation_rules", "checks.yaml").read_text(encoding="utf-8"), nl=False)


@checks.command("run")
@click.option("--once", is_flag=True, help="Run every check once and exit (for cron).")
@file_option
@json_option
@pass_context
def run(ctx: Context, once: bool, path: Path | None, as_json: bool) -> None:
    """Probe every check once, store the results and feed them to the automation rules.

    The checks' states go to the alerts rules engine (as alerts from source "check"), which
    moves the components; then its tick runs, so a rule's `for` or `hold_down` that is
    over takes effect: run from cron, each run also applies what became due since the
    last. Exit code 1 when a check is down afterwards (after its retries), else 0. Old
    results are pruned (STATUSPAGE_CHECK_RETENTION_DAYS). Without --once the checks run on
    their schedules until interrupted, as in the server.

    \b
    Example:
      * * * * * statuspage checks run --once
    """
    specs = _specs(ctx, path)
    heard: list[tuple[list[str], Moved]] = []

    def report(signals: Sequence[Signal], moved: Moved) -> None:
        heard.append((sorted({check_of(s) for s in signals}), moved))

    async def use(svc: Service) -> list[Ran]:
        settings = ctx.settings if path is None else ctx.settings.replace(automation=str(path))
        runner = runner_for(settings, svc, specs, report=report, tick=not once)
        async with runner:
            if not once:
                await runner.run_forever()
            return await runner.run_once()

    ran = ctx.run_local(use)
    if as_json:
        echo_json({"checks": [_ran_json(r) for r in ran], **_moved_json(heard)})
    else:
        click.echo(_ran_table(ran))
        for line in _moved_lines(heard):
            click.echo(line)
    if any(r.step.state.state is Outcome.DOWN for r in ran):
        click.get_current_context().exit(1)


@checks.command("list")
@file_option
@json_option
@pass_context
def list_checks(ctx: Context, path: Path | None, as_json: bool) -> None:
    """Show each check: its state, consecutive failures and last result (latency, when).

    \b
    Example:
      statuspage checks list
    """
    specs = _specs(ctx, path)

    async def use(svc: Service) -> tuple[list[CheckRow], Any]:
        return await ChecksService(svc.ctx).rows([s.name for s in specs]), svc.now()

    rows, now = ctx.run_local(use)
    if as_json:
        echo_json([_row_json(spec, row) for spec, row in zip(specs, rows, strict=True)])
        return
    if not specs:
        click.echo("No checks. Add a `checks:` list to the automation file (checks example).")
        return
    click.echo(
        table(
            ("CHECK", "TARGET", "STATE", "FAILURES", "LAST", "LATENCY", "WHEN", "DETAIL"),
            (_row(spec, row, now) for spec, row in zip(specs, rows, strict=True)),
        )
    )


@checks.command("uptime")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 366))
@file_option
@json_option
@pass_context
def uptime(ctx: Context, days: int, path: Path | None, as_json: bool) -> None:
    """Uptime of each component fed by checks, from their probes (share not down).

    The figure the published page shows for the days that have probes. Checks with
    `uptime: incidents` are left out: their components keep the incident-based figure.

    \b
    Example:
      statuspage checks uptime --days 7
    """
    fed = uptime_feeds(_specs(ctx, path))

    async def use(svc: Service) -> dict[str, list[Day]]:
        service = ChecksService(svc.ctx)
        today = svc.now().astimezone(ZoneInfo(await svc.ctx.time_zone())).date()
        span = day_range(today, days)
        return {c: await service.probe_days(names, span) for c, names in fed.items()}

    found = ctx.run_local(use)
    if as_json:
        echo_json({c: _days_json(d) for c, d in found.items()})
        return
    rows = [(c, ", ".join(fed[c]), percent(overall(d)) or "no data") for c, d in found.items()]
    click.echo(table(("COMPONENT", "CHECKS", f"UPTIME ({days} DAYS, %)"), rows))


def _days_json(days: list[Day]) -> dict[str, object]:
    return {
        "uptime": overall(days),
        "days": [{"day": d.day.isoformat(), "uptime": d.uptime} for d in days],
    }


def _configured_path(ctx: Context) -> Path:
    setting = ctx.settings.automation.strip()
    if not setting or setting.lower() == "off":
        raise InvalidInput(
            "no automation file is configured; give PATH or set STATUSPAGE_AUTOMATION"
        )
    return Path(setting)


def _specs(ctx: Context, path: Path | None) -> list[CheckSpec]:
    return configured_checks(str(path) if path else ctx.settings.automation)


def _latency(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def _ran_table(ran: list[Ran]) -> str:
    if not ran:
        return "No checks. Add a `checks:` list to the automation file (checks example)."
    rows = [
        (
            r.spec.name,
            r.probe.outcome.value,
            _latency(r.probe.latency_ms),
            r.step.state.state.value,
            str(r.step.state.failures),
            r.probe.detail,
        )
        for r in ran
    ]
    return table(("CHECK", "PROBE", "LATENCY", "STATE", "FAILURES", "DETAIL"), rows)


def _by(checks: list[str]) -> str:
    return f"check {', '.join(checks)}" if checks else "automation tick"


def _moved_lines(heard: list[tuple[list[str], Moved]]) -> list[str]:
    lines = []
    for checks, moved in heard:
        for c in moved.changes:
            lines.append(f"{c.component}: {c.old.value} -> {c.new.value} "
                         f"(rule {c.rule}, {_by(checks)})")  # fmt: skip
        for name in sorted(set(moved.held)):
            lines.append(f"{name}: left as set by hand ({_by(checks)})")
        for pending in moved.pending:
            lines.append(f"{pending}: waits for its rule's `for`")
        for reason in moved.ignored:
            lines.append(f"warning: {reason}")
    return lines


def _ran_json(r: Ran) -> dict[str, object]:
    return {
        "name": r.spec.name,
        "outcome": r.probe.outcome.value,
        "latency_ms": r.probe.latency_ms,
        "detail": r.probe.detail,
        "state": r.step.state.state.value,
        "failures": r.step.state.failures,
        "changed": r.step.changed,
    }


def _moved_json(heard: list[tuple[list[str], Moved]]) -> dict[str, list[object]]:
    changes: list[object] = []
    held: list[object] = []
    pending: list[object] = []
    ignored: list[object] = []
    for checks, moved in heard:
        changes += [
            {"component": c.component, "from": c.old.value, "to": c.new.value,
             "rule": c.rule, "checks": checks}
            for c in moved.changes
        ]  # fmt: skip
        held += [{"component": n, "checks": checks} for n in sorted(set(moved.held))]
        pending += moved.pending
        ignored += moved.ignored
    return {"changes": changes, "held_by_hand": held, "pending": pending, "ignored": ignored}


def _row(spec: CheckSpec, row: CheckRow, now: Any) -> tuple[str, ...]:
    last = row.last
    return (
        spec.name,
        spec.target,
        row.state.state.value if row.state else "never run",
        str(row.state.failures) if row.state else "-",
        last.probe.outcome.value if last else "-",
        _latency(last.probe.latency_ms) if last else "-",
        ago(last.at, now) if last else "-",
        _detail(last) if last else "",
    )


def _detail(last: CheckResult) -> str:
    expires = last.probe.cert_expires_at
    tail = f" (certificate until {expires:%Y-%m-%d})" if expires else ""
    return last.probe.detail + tail


def _row_json(spec: CheckSpec, row: CheckRow) -> dict[str, object]:
    last = row.last
    return {
        "name": spec.name,
        "kind": spec.kind.value,
        "target": spec.target,
        "components": list(spec.components),
        "state": row.state.state.value if row.state else None,
        "failures": row.state.failures if row.state else 0,
        "since": row.state.since.isoformat() if row.state else None,
        "last": None
        if last is None
        else {
            "at": last.at.isoformat(),
            "outcome": last.probe.outcome.value,
            "latency_ms": last.probe.latency_ms,
            "detail": last.probe.detail,
            "cert_expires_at": last.probe.cert_expires_at.isoformat()
            if last.probe.cert_expires_at
            else None,
        },
    }
