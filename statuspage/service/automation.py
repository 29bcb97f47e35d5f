"""Use cases for alerts in: follow alerts (firing, resolved), let due alerts apply or go (the
ticker), and show what automation holds.

Every change is one transaction made as the actor "automation" (via automation), so the audit
log says who did it; each status change it makes is recorded with cause "automation" and its
rule and alert in automation_changes. A component whose status a person set by hand is left
alone (component_holds) until they hand it back with `component set NAME auto`.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime

from statuspage.audit import AUTOMATION, Actor, acting_as
from statuspage.automation.rules import Rule, RuleSet, Target
from statuspage.automation.signals import Signal
from statuspage.automation.state import AlertRow, AlertState, Hold
from statuspage.model import ChangeCause, Component, ComponentStatus
from statuspage.service.automation_incidents import AlertIncidents
from statuspage.service.context import ServiceContext
from statuspage.service.incidents import Incidents
from statuspage.storage import Queries

log = logging.getLogger("statuspage.automation")


def automation_actor(source: str, action: str) -> Actor:
    return Actor(AUTOMATION, AUTOMATION, source or f"server@{socket.gethostname()}", action)


@dataclass(frozen=True)
class Applied:
    """One status change automation made, and its cause."""

    component: str
    old: ComponentStatus
    new: ComponentStatus
    rule: str
    alert: str


@dataclass
class Outcome:
    """What one delivery of alerts (or one tick) did."""

    alerts: int = 0
    changes: list[Applied] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # waiting out their rule's `for`
    held: list[str] = field(default_factory=list)  # components a person holds
    maintenance: list[str] = field(default_factory=list)  # components in maintenance
    incidents: list[str] = field(default_factory=list)  # incidents declared
    ignored: list[str] = field(default_factory=list)  # alerts no rule took, and why

    def as_json(self) -> dict[str, object]:
        return {
            "alerts": self.alerts,
            "changes": [
                {"component": c.component, "from": c.old.value, "to": c.new.value,
                 "rule": c.rule, "alert": c.alert}
                for c in self.changes
            ],
            "pending": self.pending,
            "held_by_hand": sorted(set(self.held)),
            "in_maintenance": sorted(set(self.maintenance)),
            "incidents_declared": self.incidents,
            "ignored": self.ignored,
        }  # fmt: skip


@dataclass
class _Run:
    """One transaction's work: the components to settle (and why), new firing rows."""

    now: datetime
    outcome: Outcome
    touched: dict[str, AlertRow] = field(default_factory=dict)
    started: list[AlertRow] = field(default_factory=list)
    gone: list[AlertRow] = field(default_factory=list)


class Automation:
    """Component statuses that follow alerts, by the rules of a RuleSet."""

    def __init__(self, ctx: ServiceContext, incidents: Incidents, rules: RuleSet) -> None:
        self.ctx = ctx
        self.rules = rules
        self.alert_incidents = AlertIncidents(ctx, incidents, rules)

    @contextmanager
    def _acting(self, source: str, action: str) -> Iterator[None]:
        with acting_as(automation_actor(source, action)):
            yield

    async def receive(
        self, signals: Sequence[Signal], *, source: str = "", action: str = ""
    ) -> Outcome:
        """Follow a delivery of alerts, in one transaction; nothing is stored if one fails.
        `source` and `action` are what the audit log says (who sent it, what it was)."""
        kinds = ", ".join(sorted({s.source for s in signals})) or "none"
        with self._acting(source, action or f"alerts in ({kinds})"):
            async with self.ctx.write() as q:
                run = _Run(self.ctx.now(), Outcome(alerts=len(signals)))
                for signal in signals:
                    await self._signal(q, run, signal)
                await self._finish(q, run)
                return run.outcome

    async def tick(self) -> Outcome:
        """Let pending alerts whose `for` is over apply, and resolved ones whose hold-down is
        over go; nothing to do costs one indexed query."""
        async with self.ctx.read() as q:
            due = await q.due_alert_rows(self.ctx.now())
        if not due:
            return Outcome()
        with self._acting("", "automation tick"):
            async with self.ctx.write() as q:
                run = _Run(self.ctx.now(), Outcome())
                for row in await q.due_alert_rows(run.now):
                    await self._due(q, run, row)
                await self._finish(q, run)
                return run.outcome

    async def retain(
        self, source: str, fed: Mapping[str, Sequence[str]], *, action: str
    ) -> Outcome:
        """Let go at once (no hold-down) every alert of `source` that is not one of `fed`
        (fingerprint -> the components, by name or id, it may hold): the built-in checks
        re-syncing with a file that no longer defines a check, or narrowed its components."""
        async with self.ctx.read() as q:
            stale = await self._stale(q, source, fed)
        if not stale:
            return Outcome()
        with self._acting("", action):
            async with self.ctx.write() as q:
                run = _Run(self.ctx.now(), Outcome())
                for row in await self._stale(q, source, fed):
                    await q.delete_alert_row(row)
                    if row.state.applies:
                        run.touched[row.component_id] = row
                        run.gone.append(row)
                await self._finish(q, run)
                return run.outcome

    async def _stale(
        self, q: Queries, source: str, fed: Mapping[str, Sequence[str]]
    ) -> list[AlertRow]:
        ids: dict[str, set[str]] = {}
        for fingerprint, refs in fed.items():
            found = [await q.find_component(ref.strip()) for ref in refs]
            ids[fingerprint] = {c.id for c in found if c is not None}
        rows = [r for r in await q.list_alert_rows() if r.source == source]
        return [r for r in rows if r.component_id not in ids.get(r.fingerprint, set())]

    async def alerts(self) -> tuple[list[AlertRow], list[Hold], list[Component]]:
        """The alerts followed, the statuses held by hand, and the components."""
        async with self.ctx.read() as q:
            return await q.list_alert_rows(), await q.list_holds(), await q.list_components()

    async def recent_changes(self, limit: int = 20) -> list[dict[str, str]]:
        """The newest automatic status changes with their causes (rule, source, alert)."""
        async with self.ctx.read() as q:
            return await q.automation_changes(limit=limit)

    # Firing and resolved alerts

    async def _signal(self, q: Queries, run: _Run, signal: Signal) -> None:
        if not signal.firing:
            rows = await q.alert_rows(signal.source, signal.fingerprint)
            for row in rows:
                await self._resolve(q, run, row)
            return
        targets = self.rules.targets(signal)
        if not targets:
            run.outcome.ignored.append(f"{_alert_name(signal)}: no rule matches its labels")
        for target in targets:
            component = await q.find_component(target.component)
            if component is None:
                run.outcome.ignored.append(
                    f"{_alert_name(signal)}: rule {target.rule.name!r} names an unknown "
                    f"component {target.component!r}"
                )
                continue
            await self._fire(q, run, signal, target, component)

    async def _fire(
        self, q: Queries, run: _Run, signal: Signal, target: Target, component: Component
    ) -> None:
        rows = await q.alert_rows(signal.source, signal.fingerprint)
        found = next((r for r in rows if r.component_id == component.id), None)
        if found is None:
            row = _new_row(signal, target, component, run.now)
            await q.save_alert_row(row)
            if row.state is AlertState.FIRING:
                run.touched[component.id] = row
                run.started.append(row)
            else:
                run.outcome.pending.append(f"{_row_name(row)} on {component.name}")
            return
        row = replace(
            found,
            status=target.status,
            severity=signal.severity,
            summary=signal.summary,
            updated_at=run.now,
        )
        if found.state is AlertState.RESOLVING:  # fired again within the hold-down
            row = replace(row, state=AlertState.FIRING, due_at=None)
        elif found.state is AlertState.PENDING and found.due_at and found.due_at <= run.now:
            row = replace(row, state=AlertState.FIRING, due_at=None)  # `for` over, no tick yet
            run.started.append(row)
        if row != replace(found, updated_at=run.now):
            await q.save_alert_row(row)
            if row.state.applies:
                run.touched[component.id] = row

    async def _resolve(self, q: Queries, run: _Run, row: AlertRow) -> None:
        rule = self.rules.named(row.rule)
        hold_down = rule.hold_down if rule else None
        if row.state is AlertState.RESOLVING:
            return  # heard already: its hold-down runs
        if row.state is AlertState.FIRING and hold_down:
            resolving = AlertState.RESOLVING
            due = run.now + hold_down
            await q.save_alert_row(replace(row, state=resolving, due_at=due, updated_at=run.now))
            return
        await q.delete_alert_row(row)
        if row.state is AlertState.FIRING:
            run.touched[row.component_id] = row
            run.gone.append(row)

    async def _due(self, q: Queries, run: _Run, row: AlertRow) -> None:
        if row.state is AlertState.PENDING:
            firing = replace(row, state=AlertState.FIRING, due_at=None, updated_at=run.now)
            await q.save_alert_row(firing)
            run.touched[row.component_id] = firing
            run.started.append(firing)
        elif row.state is AlertState.RESOLVING:
            await q.delete_alert_row(row)
            run.touched[row.component_id] = row
            run.gone.append(row)

    # Components and incidents

    async def _finish(self, q: Queries, run: _Run) -> None:
        for component_id, cause in run.touched.items():
            await self._settle(q, run, component_id, cause)
        declared = await self.alert_incidents.declare_for(q, run.started)
        run.outcome.incidents.extend(declared)
        await self.alert_incidents.resolve_for(q, run.gone)

    async def _settle(self, q: Queries, run: _Run, component_id: str, cause: AlertRow) -> None:
        """Give the component the worst status its applied alerts and open incidents ask for
        (operational when none does), unless a person holds it or maintenance is under way
        (planned work raises alerts; the maintenance's end restores what they still ask)."""
        component = await q.find_component(component_id)
        if component is None:
            return
        if await q.get_hold(component_id) is not None:
            run.outcome.held.append(component.name)
            return
        held = await q.held_statuses(component_id, "")
        if ComponentStatus.UNDER_MAINTENANCE in held:
            run.outcome.maintenance.append(component.name)
            return
        target = max(held, key=lambda s: s.rank, default=ComponentStatus.OPERATIONAL)
        change = await self.ctx.apply_status(q, component, target, ChangeCause.AUTOMATION)
        if change is None:
            return
        await q.link_automation_change(
            component_id, cause.rule, cause.source, cause.fingerprint, cause.alertname
        )
        applied = Applied(component.name, change.old_status, change.new_status, cause.rule,
                          _row_name(cause))  # fmt: skip
        run.outcome.changes.append(applied)
        log.info(
            "%s: %s -> %s (rule %s, %s alert %s)", component.name, change.old_status.value,
            change.new_status.value, cause.rule, cause.source, _row_name(cause),
        )  # fmt: skip


def _new_row(signal: Signal, target: Target, component: Component, now: datetime) -> AlertRow:
    rule: Rule = target.rule
    waits = bool(rule.wait)
    return AlertRow(
        source=signal.source,
        fingerprint=signal.fingerprint,
        component_id=component.id,
        rule=rule.name,
        status=target.status,
        state=AlertState.PENDING if waits else AlertState.FIRING,
        first_seen_at=now,
        updated_at=now,
        alertname=signal.name,
        severity=signal.severity,
        summary=signal.summary,
        labels=dict(signal.labels),
        due_at=now + rule.wait if waits else None,
    )


def _alert_name(signal: Signal) -> str:
    return f"{signal.source} alert {signal.name or signal.fingerprint}"


def _row_name(row: AlertRow) -> str:
    return f"{row.alertname} ({row.fingerprint})" if row.alertname else row.fingerprint
