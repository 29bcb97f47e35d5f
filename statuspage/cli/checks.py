"""`statuspage checks ...`: validate the checks, run them once (cron), list their results."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from statuspage.checks.outcome import CheckResult, Outcome
from statuspage.checks.read import validate_checks
from statuspage.checks.runner import Ran, Runner, default_sink
from statuspage.checks.signals import Signal
from statuspage.checks.spec import CheckSpec
from statuspage.checks.wiring import configured_checks
from statuspage.cli.context import Context, Group, json_option, pass_context
from statuspage.cli.output import echo_json, table
from statuspage.cli.plan import summary
from statuspage.cli.times import ago
from statuspage.errors import InvalidInput
from statuspage.resources import resource
from statuspage.service import Service
from statuspage.service.checks import Applied, CheckRow, ChecksService
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

    Problems are printed as FILE:LINE:COLUMN: error: message; hint: what to do. Without
    PATH, the configured file (STATUSPAGE_AUTOMATION) is checked.

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
    """Probe every check once, store the results and apply them to the components.

    Exit code 1 when a check is down afterwards (after its retries), else 0. Old results
    are pruned (STATUSPAGE_CHECK_RETENTION_DAYS). Without --once the checks run on their
    schedules until interrupted, as in the server.

    \b
    Example:
      * * * * * statuspage checks run --once
    """
    specs = _specs(ctx, path)
    applied: list[tuple[Signal, Applied]] = []

    async def use(svc: Service) -> list[Ran]:
        service = ChecksService(svc.ctx)
        sink = default_sink(service, lambda s, a: applied.append((s, a)))
        async with Runner(
            specs,
            service,
            sink,
            concurrency=ctx.settings.check_concurrency,
            retention=timedelta(days=ctx.settings.check_retention_days),
        ) as runner:
            if not once:
                await runner.run_forever()
            return await runner.run_once()

    ran = ctx.run_local(use)
    if as_json:
        echo_json({"checks": [_ran_json(r) for r in ran], "changes": _changes_json(applied)})
    else:
        click.echo(_ran_table(ran))
        for line in _change_lines(applied):
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

    \b
    Example:
      statuspage checks uptime --days 7
    """
    specs = _specs(ctx, path)
    fed: dict[str, list[str]] = {}
    for spec in specs:
        for component in spec.components:
            fed.setdefault(component, []).append(spec.name)

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


def _change_lines(applied: list[tuple[Signal, Applied]]) -> list[str]:
    lines = []
    for signal, a in applied:
        if a.changed and a.old is not None and a.new is not None:
            lines.append(f"{a.component}: {a.old.value} -> {a.new.value} (check {signal.check})")
        elif a.held:
            lines.append(f"{a.component}: left as set by hand (check {signal.check})")
        elif a.unknown:
            lines.append(f"warning: check {signal.check} feeds no component {a.component!r}")
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


def _changes_json(applied: list[tuple[Signal, Applied]]) -> list[dict[str, object]]:
    return [
        {
            "check": s.check,
            "component": a.component,
            "from": a.old.value if a.old else None,
            "to": a.new.value if a.new else None,
            "held_by_hand": a.held,
            "unknown_component": a.unknown,
        }
        for s, a in applied
    ]


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
