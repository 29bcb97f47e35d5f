"""`statuspage automation ...`: check and show the rules alerts follow, see the alerts followed,
and let due alerts apply (the server does that on its own)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from statuspage.automation.read import rules_for, validate_rules
from statuspage.automation.rules import COMPONENT_LABEL, Rule, RuleSet
from statuspage.automation.state import AlertRow, Hold
from statuspage.cli.context import Context, Group, json_option, pass_context
from statuspage.cli.output import echo_json
from statuspage.cli.times import local
from statuspage.comms.compose.report import count
from statuspage.comms.compose.validate import load_plan
from statuspage.comms.kit import plan_path
from statuspage.comms.plan.typed_yaml import format_duration
from statuspage.errors import InvalidInput
from statuspage.model import Component
from statuspage.resources import EXAMPLE_RULES
from statuspage.service import Service
from statuspage.service.automation import Automation, Outcome


@click.group(cls=Group)
def automation() -> None:
    """Alerts in: the rules that turn alerts into component statuses (STATUSPAGE_AUTOMATION)."""


@automation.command("validate")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@pass_context
def validate(ctx: Context, path: Path | None) -> None:
    """Check a rules file; problems print as FILE:LINE:COLUMN: error: message. Exit 2 on any.

    Without PATH, the configured file (STATUSPAGE_AUTOMATION) is checked.

    \b
    Example:
      statuspage automation validate rules.yaml
    """
    target = path or _configured(ctx)
    report = validate_rules(target, display=str(path) if path else None)
    for issue in report.issues.sorted():
        click.echo(str(issue), err=True)
    if report.rules is None:
        click.echo(f"{path or target}: {count(len(report.issues.errors), 'error')}.")
        click.get_current_context().exit(2)
    warnings = _against_the_page(ctx, report.rules)
    for warning in warnings:
        click.echo(warning, err=True)
    note = f", {count(len(warnings), 'warning')}" if warnings else ""
    click.echo(f"{path or target}: OK ({count(len(report.rules.rules), 'rule')}{note}).")


def _against_the_page(ctx: Context, rules: RuleSet) -> list[str]:
    """Warnings for names the page does not know: components, templates, severities (when
    there is a database and a comms plan to ask)."""
    if ctx.server or not ctx.settings.db.exists():
        return []

    async def use(svc: Service) -> tuple[set[str], set[str]]:
        components = {n for c in await svc.list_components() for n in (c.id, c.name.casefold())}
        templates = {n for t in await svc.list_templates() for n in (t.id, t.name.casefold())}
        return components, templates

    components, templates = ctx.run_local(use)
    plan = plan_path(ctx.settings)
    severities = load_plan(plan, os.environ).severities if plan and plan.is_file() else None
    warnings: list[str] = []
    for rule in rules.rules:
        warn = f"{rule.where}: warning: rule {rule.name!r}"
        for ref in rule.components:
            if ref.casefold() not in components and ref not in components:
                warnings.append(f"{warn} names component {ref!r}, which this page does not have")
        if rule.declare is None:
            continue
        if rule.declare.template.casefold() not in templates:
            warnings.append(
                f"{warn} declares from template {rule.declare.template!r}, which this page "
                "does not have (POST /v1/pages/{page_id}/incident_templates makes one)"
            )
        known = {s.casefold() for s in severities or ()}
        if severities is not None and (rule.declare.severity or "").casefold() not in known:
            warnings.append(f"{warn} declares at severity {rule.declare.severity!r}, which the "
                            f"comms plan does not have ({', '.join(severities)})")  # fmt: skip
    return warnings


def _configured(ctx: Context) -> Path:
    setting = ctx.settings.automation.strip()
    if not setting or setting.lower() == "off":
        raise InvalidInput("no rules file is configured; give PATH or set STATUSPAGE_AUTOMATION")
    return Path(setting)


@automation.command("show")
@click.option("--rules", "path", type=click.Path(dir_okay=False, path_type=Path),
              help="Rules file (default: STATUSPAGE_AUTOMATION).")  # fmt: skip
@json_option
@pass_context
def show(ctx: Context, path: Path | None, as_json: bool) -> None:
    """Show the rules in the order they are tried, the alerts followed now and the
    components whose status a person holds.

    \b
    Example:
      statuspage automation show
    """
    rules = rules_for(str(path) if path else ctx.settings.automation)
    if rules is None:
        click.echo("Automation is off (STATUSPAGE_AUTOMATION=off).")
        return

    async def use(svc: Service) -> tuple[State, list[dict[str, str]], str]:
        followed = _automation(svc, rules)
        tz = (await svc.page()).time_zone
        return await followed.alerts(), await followed.recent_changes(), tz

    state, changes, tz = ctx.run_local(use)
    if as_json:
        echo_json({**_show_json(rules, *state), "recent_changes": _changes_json(changes, state)})
        return
    click.echo(_rules_text(rules))
    click.echo(_alerts_text(*state, tz))
    click.echo(_changes_text(changes, state))


State = tuple[list[AlertRow], list[Hold], list[Component]]


def _names(state: State) -> dict[str, str]:
    return {c.id: c.name for c in state[2]}


def _changes_json(changes: list[dict[str, str]], state: State) -> list[dict[str, str]]:
    names = _names(state)
    return [
        {"at": c["at"], "component": names.get(c["component_id"], c["component_id"]),
         "from": c["old_status"], "to": c["new_status"], "rule": c["rule"],
         "source": c["source"], "fingerprint": c["fingerprint"], "alertname": c["alertname"]}
        for c in changes
    ]  # fmt: skip


def _changes_text(changes: list[dict[str, str]], state: State) -> str:
    lines = [f"Recent automatic changes: {len(changes)}"]
    for c in _changes_json(changes, state):
        alert = f"{c['source']} {c['alertname'] or c['fingerprint']} ({c['fingerprint']})"
        lines.append(f"  {c['at']}  {c['component']}  {c['from']} -> {c['to']}  "
                     f"rule {c['rule']}, {alert}")  # fmt: skip
    return "\n".join(lines)


def _automation(svc: Service, rules: RuleSet) -> Automation:
    return Automation(svc.ctx, svc.incidents, rules)


@automation.command("tick")
@pass_context
def tick(ctx: Context) -> None:
    """Let due alerts apply (their `for` is over) or go (their `hold_down` is over).

    The server does this on its own every few seconds; run this from cron when alerts are
    posted to a server that is not running all the time.

    \b
    Example:
      * * * * *  statuspage --db /var/lib/statuspage/status.db automation tick
    """
    if ctx.settings.automation.strip().lower() == "off":
        click.echo("Automation is off (STATUSPAGE_AUTOMATION=off).")
    elif not automation_tick(ctx):
        click.echo("Nothing due.")


def automation_tick(ctx: Context) -> bool:
    """Run the automation tick once (unless automation is off), print what it did, and
    say whether it did anything."""
    rules = rules_for(ctx.settings.automation)
    if rules is None:
        return False
    outcome: Outcome = ctx.run_local(lambda svc: _automation(svc, rules).tick())
    for change in outcome.changes:
        click.echo(f"{change.component}: {change.old.value} -> {change.new.value} "
                   f"(rule {change.rule}, alert {change.alert})")  # fmt: skip
    for incident_id in outcome.incidents:
        click.echo(f"Declared incident {incident_id}.")
    return bool(outcome.changes or outcome.incidents)


@automation.command("example")
def example() -> None:
    """Print the shipped, commented example rules file.

    \b
    Example:
      statuspage automation example > rules.yaml
    """
    click.echo(EXAMPLE_RULES.read_text(encoding="utf-8"), nl=False)


def _rule_line(rule: Rule) -> str:
    matchers = [f"{k}={v}" for k, v in rule.equal.items()]
    matchers += [f"{k}=~{p.pattern}" for k, p in rule.regex.items()]
    if not matchers:
        matchers = [f"{COMPONENT_LABEL}=<component>"]
    targets = ", ".join(rule.components) or f"the {COMPONENT_LABEL} label"
    statuses = ", ".join(f"{k} -> {v.value}" for k, v in rule.statuses.items())
    line = f"{rule.name}: {' '.join(matchers)} => {targets}\n    {statuses}"
    line += f"\n    for {format_duration(rule.wait)}, hold_down {format_duration(rule.hold_down)}"
    if rule.declare:
        d = rule.declare
        line += f"\n    declares from template {d.template!r} at {d.severity or 'the default'}"
        line += ", resolves it when the alerts go" if d.resolve else ", left open for people"
    return line


def _rules_text(rules: RuleSet) -> str:
    lines = [f"Rules ({rules.path or 'default rule only'}), first match wins:"]
    lines += [f"  {_rule_line(r)}" for r in rules.rules]
    if rules.default is not None:
        lines.append(f"  {_rule_line(rules.default)}")
    else:
        lines.append("  (the default rule is off)")
    return "\n".join(lines)


def _alerts_text(
    alerts: list[AlertRow], holds: list[Hold], components: list[Component], tz: str
) -> str:
    names = {c.id: c.name for c in components}
    lines = ["", f"Alerts followed: {len(alerts)}"]
    for a in alerts:
        due = f" until {local(a.due_at, tz)}" if a.due_at else ""
        name = names.get(a.component_id, a.component_id)
        alert = f"{a.source} {a.alertname or a.fingerprint}"
        lines.append(f"  {name}  {a.state.value}{due}  {a.status.value}  {alert}  rule {a.rule}")
    lines.append(f"Held by hand: {len(holds)}")
    for h in holds:
        name = names.get(h.component_id, h.component_id)
        lines.append(f"  {name}  {h.status.value}  by {h.held_by}; `component set {name} auto`")
    return "\n".join(lines)


def _show_json(
    rules: RuleSet, alerts: list[AlertRow], holds: list[Hold], components: list[Component]
) -> dict[str, object]:
    names = {c.id: c.name for c in components}
    every = [*rules.rules, *([rules.default] if rules.default else [])]
    return {
        "rules": [
            {"name": r.name, "match": dict(r.equal),
             "match_re": {k: p.pattern for k, p in r.regex.items()},
             "components": list(r.components),
             "status": {k: v.value for k, v in r.statuses.items()},
             "for": r.wait.total_seconds(), "hold_down": r.hold_down.total_seconds(),
             "declare": None if r.declare is None else {
                 "template": r.declare.template, "severity": r.declare.severity,
                 "resolve": r.declare.resolve}}
            for r in every
        ],
        "alerts": [
            {"component": names.get(a.component_id, a.component_id), "source": a.source,
             "fingerprint": a.fingerprint, "alertname": a.alertname, "rule": a.rule,
             "state": a.state.value, "status": a.status.value,
             "due_at": a.due_at.isoformat() if a.due_at else None, "incident_id": a.incident_id}
            for a in alerts
        ],
        "held_by_hand": [
            {"component": names.get(h.component_id, h.component_id), "status": h.status.value,
             "held_by": h.held_by, "held_at": h.held_at.isoformat()}
            for h in holds
        ],
    }  # fmt: skip
