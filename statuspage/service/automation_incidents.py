"""Incidents automation opens (a rule's `declare`) and, when the rule says so, resolves.

An incident is declared from an incident template at the rule's severity, exactly as a person
would declare it (the comms plan routes its messages; owners hear at once), inside the alert's
transaction. Automation is the actor, so customer-facing messages wait for approval unless the
plan's severity says `automation_speaks: true` (statuspage.comms.compose.fanout). One incident
per rule and component: another alert of the same rule joins the open one. Components a person
holds, or under maintenance, are left out; with none left, no incident is declared.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from statuspage.automation.rules import Rule, RuleSet
from statuspage.automation.state import AlertRow
from statuspage.errors import StatuspageError
from statuspage.model import ComponentStatus
from statuspage.service.context import ServiceContext
from statuspage.service.incidents import ComponentSpec, Incidents
from statuspage.storage import Queries

log = logging.getLogger("statuspage.automation")
OPEN = ("investigating", "identified", "monitoring")


class AlertIncidents:
    def __init__(self, ctx: ServiceContext, incidents: Incidents, rules: RuleSet) -> None:
        self.ctx = ctx
        self.incidents = incidents
        self.rules = rules

    async def declare_for(self, q: Queries, started: Sequence[AlertRow]) -> list[str]:
        """Open (or join) the incidents of rules with `declare` for alerts that began to apply;
        the ids of the incidents declared."""
        groups: dict[tuple[str, str, str], list[AlertRow]] = {}
        for row in started:
            groups.setdefault((row.rule, row.source, row.fingerprint), []).append(row)
        declared: list[str] = []
        for (name, _, _), rows in groups.items():
            rule = self.rules.named(name)
            if rule is None or rule.declare is None:
                continue
            incident_id = await self._open_one(q, rule, rows)
            if incident_id is None:
                incident_id = await self._declare(q, rule, rows)
                if incident_id is not None:
                    declared.append(incident_id)
            for row in rows:
                await q.save_alert_row(replace(row, incident_id=incident_id))
        return declared

    async def _open_one(self, q: Queries, rule: Rule, rows: Sequence[AlertRow]) -> str | None:
        for row in rows:
            found = await q.open_rule_incident(rule.name, row.component_id)
            if found is not None:
                return found
        return None

    async def _declare(self, q: Queries, rule: Rule, rows: Sequence[AlertRow]) -> str | None:
        assert rule.declare is not None
        template = await q.find_template(rule.declare.template)
        if template is None:
            log.warning("rule %s: no incident template %r; no incident declared", rule.name,
                        rule.declare.template)  # fmt: skip
            return None
        specs: list[ComponentSpec] = []
        for row in rows:
            if not await self._left_alone(q, row.component_id):
                specs.append((row.component_id, row.status.value))
        if not specs:
            return None  # people hold them, or planned work is under way
        taken = {row.component_id for row in rows}
        specs += [(cid, None) for cid in template.component_ids if cid not in taken]
        try:
            incident = await self.incidents.declare_incident(
                template.title,
                message=template.body,
                severity=rule.declare.severity,
                components=specs,
                deliver_notifications=template.should_send_notifications,
            )
        except StatuspageError as exc:
            log.warning("rule %s: could not declare an incident: %s", rule.name, exc)
            return None
        log.info("rule %s declared incident %s (%s)", rule.name, incident.id, incident.name)
        return incident.id

    @staticmethod
    async def _left_alone(q: Queries, component_id: str) -> bool:
        """Whether a person holds the component's status or maintenance is under way on it."""
        if await q.get_hold(component_id) is not None:
            return True
        return ComponentStatus.UNDER_MAINTENANCE in await q.held_statuses(component_id, "")

    async def resolve_for(self, q: Queries, gone: Sequence[AlertRow]) -> list[str]:
        """Resolve the incidents of rules with `declare.resolve` whose last alert went."""
        resolved: list[str] = []
        for incident_id in dict.fromkeys(r.incident_id for r in gone if r.incident_id):
            rule = self.rules.named(next(r.rule for r in gone if r.incident_id == incident_id))
            if rule is None or rule.declare is None or not rule.declare.resolve:
                continue
            if await q.incident_alert_count(incident_id):
                continue
            incident = await q.get_incident(incident_id)
            if incident is None or incident.status not in OPEN:
                continue
            await self.incidents.resolve_incident(incident_id, message=rule.declare.resolve_message)
            resolved.append(incident_id)
        return resolved
