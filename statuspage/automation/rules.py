"""Automation rules: which alert moves which component to what, and when.

A rule matches an alert by its labels (equality and full-match regular expressions, as
Alertmanager's matchers do), names the components it concerns (or takes the one in the
alert's `statuspage_component` label), maps the alert's severity to a component status,
and damps flapping: an alert must fire for `for` before it changes anything, and a resolved
alert keeps its status for `hold_down` before the component is restored. The first rule
that matches decides; when none does, the default rule takes alerts that carry the label.

An alert may name the status it asks for in a `statuspage_status` label (one of the alert
statuses); the default rule, and any rule without a `status:` of its own, honours it before
the severity. The built-in checks send it: their `down:` and `degraded:` statuses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from statuspage.automation.signals import Signal
from statuspage.model import ComponentStatus

COMPONENT_LABEL = "statuspage_component"
STATUS_LABEL = "statuspage_status"
DEFAULT_RULE = "default"
OTHER = "default"  # the key of the status for every other severity
DEFAULT_STATUSES: Mapping[str, ComponentStatus] = {
    "critical": ComponentStatus.MAJOR_OUTAGE,
    "warning": ComponentStatus.PARTIAL_OUTAGE,
    OTHER: ComponentStatus.DEGRADED_PERFORMANCE,
}
# What an alert may ask of a component: an outage or degradation, never "operational"
# (that is what restoring does) nor maintenance (which people schedule).
ALERT_STATUSES = (
    ComponentStatus.DEGRADED_PERFORMANCE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.MAJOR_OUTAGE,
)
RESOLVE_MESSAGE = (
    "The alerts behind this incident have cleared; the affected services are back to normal."
)


@dataclass(frozen=True)
class Declare:
    """An incident the rule opens when its alert starts applying, from an incident template."""

    template: str
    severity: str | None = None
    resolve: bool = False  # resolve the incident when its last alert is let go
    resolve_message: str = RESOLVE_MESSAGE


@dataclass(frozen=True)
class Rule:
    name: str
    where: str = ""  # file:line of the rule, for `automation show`
    equal: Mapping[str, str] = field(default_factory=dict)
    regex: Mapping[str, re.Pattern[str]] = field(default_factory=dict)
    components: tuple[str, ...] = ()  # names or ids; none: the alert's component label
    statuses: Mapping[str, ComponentStatus] = field(default_factory=lambda: DEFAULT_STATUSES)
    wait: timedelta = timedelta(0)  # `for`: how long an alert fires before it applies
    hold_down: timedelta = timedelta(0)  # how long a resolved alert still applies
    declare: Declare | None = None
    status_from_label: bool = True  # no `status:` of its own: a statuspage_status label decides

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Every matcher holds; a label the alert lacks reads as empty (as in Alertmanager)."""
        if any(labels.get(k, "") != v for k, v in self.equal.items()):
            return False
        return all(p.fullmatch(labels.get(k, "")) for k, p in self.regex.items())

    def status_for(self, severity: str) -> ComponentStatus:
        found = self.statuses.get(severity.strip().lower())
        return found or self.statuses.get(OTHER) or ComponentStatus.DEGRADED_PERFORMANCE

    def status_of(self, signal: Signal) -> ComponentStatus:
        """The status the alert asks for: its statuspage_status label (when this rule lets
        it decide and it names an alert status), else by its severity."""
        if self.status_from_label:
            named = signal.labels.get(STATUS_LABEL, "").strip().lower()
            found = next((s for s in ALERT_STATUSES if s.value == named), None)
            if found is not None:
                return found
        return self.status_for(signal.severity)

    def components_for(self, signal: Signal) -> tuple[str, ...]:
        if self.components:
            return self.components
        named = signal.labels.get(COMPONENT_LABEL, "").strip()
        return (named,) if named else ()


@dataclass(frozen=True)
class Target:
    """One component an alert concerns, by the rule that matched it."""

    rule: Rule
    component: str  # name or id, as the rule or label gives it
    status: ComponentStatus


@dataclass(frozen=True)
class RuleSet:
    """Every rule of the file in order, and the default rule (None when turned off)."""

    rules: tuple[Rule, ...] = ()
    default: Rule | None = field(default_factory=lambda: Rule(DEFAULT_RULE))
    path: str = ""

    def rule_for(self, signal: Signal) -> Rule | None:
        for rule in self.rules:
            if rule.matches(signal.labels):
                return rule
        if self.default is not None and signal.labels.get(COMPONENT_LABEL, "").strip():
            return self.default
        return None

    def targets(self, signal: Signal) -> list[Target]:
        """The components this alert concerns and the status it asks of each (none: ignored)."""
        rule = self.rule_for(signal)
        if rule is None:
            return []
        status = rule.status_of(signal)
        return [Target(rule, ref, status) for ref in rule.components_for(signal)]

    def named(self, name: str) -> Rule | None:
        every = [*self.rules, *([self.default] if self.default else [])]
        return next((r for r in every if r.name == name), None)
