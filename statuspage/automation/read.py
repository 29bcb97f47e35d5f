"""The rules file (STATUSPAGE_AUTOMATION): YAML read into a RuleSet, every mistake reported at
its file:line:column, with the comms plan's YAML reader (bounded, line-keeping)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from statuspage.automation.rules import (
    ALERT_STATUSES,
    DEFAULT_RULE,
    DEFAULT_STATUSES,
    OTHER,
    RESOLVE_MESSAGE,
    Declare,
    Rule,
    RuleSet,
)
from statuspage.comms.plan.issues import Issues
from statuspage.comms.plan.typed_yaml import DURATION_HINT, Reader, parse_duration, suggest
from statuspage.comms.plan.yamlnodes import Mapping, Node, Scalar, Sequence, load
from statuspage.errors import InvalidInput
from statuspage.model import ComponentStatus

TOP_KEYS = ("version", "default_rule", "rules", "checks")  # checks: read by statuspage.checks
RULE_KEYS = ("name", "match", "match_re", "components", "status", "for", "hold_down", "declare")
DECLARE_KEYS = ("template", "severity", "resolve", "resolve_message")
DAMPING_KEYS = ("for", "hold_down")
OFF = "off"


@dataclass
class RulesReport:
    """The rules (None when there are errors) and every finding."""

    rules: RuleSet | None
    issues: Issues = field(default_factory=Issues)


def validate_rules(path: Path, display: str | None = None) -> RulesReport:
    """Read and check a rules file."""
    issues = Issues()
    root = load(path, issues, display)
    if root is None:
        return RulesReport(None, issues)
    rules = _Rules(Reader(issues), display or str(path)).top(root)
    return RulesReport(rules if not issues.errors else None, issues)


def rules_for(setting: str) -> RuleSet | None:
    """The rules STATUSPAGE_AUTOMATION names: a file, "" (the default rule only) or "off"."""
    if setting.strip().lower() == OFF:
        return None
    if not setting.strip():
        return RuleSet()
    return load_rules(Path(setting))


def load_rules(path: Path) -> RuleSet:
    """The rules in `path`, or InvalidInput listing every error (the server refuses to start)."""
    report = validate_rules(path)
    if report.rules is None:
        lines = "\n".join(str(i) for i in report.issues.errors)
        raise InvalidInput(f"the automation rules {path} do not validate:\n{lines}")
    return report.rules


class _Rules:
    def __init__(self, reader: Reader, path: str) -> None:
        self.r = reader
        self.path = path

    def top(self, root: Node) -> RuleSet | None:
        m = self.r.mapping(root, "the rules file")
        if m is None:
            return None
        self.r.keys(m, "the rules file", required=("version",), optional=TOP_KEYS)
        version = m.get("version")
        if version is not None and not (isinstance(version, Scalar) and version.text == "1"):
            self.r.issues.error(version.where, "unknown version; this statuspage reads version 1")
        rules = self.rules(m.get("rules"))
        return RuleSet(tuple(rules), self.default_rule(m.get("default_rule")), self.path)

    def default_rule(self, node: Node | None) -> Rule | None:
        if node is None:
            return Rule(DEFAULT_RULE)
        if isinstance(node, Scalar) and node.tag == "tag:yaml.org,2002:bool":
            return Rule(DEFAULT_RULE) if self.r.boolean(node, "default_rule") else None
        m = self.r.mapping(node, "default_rule")
        if m is None:
            return None
        self.r.keys(m, "default_rule", optional=DAMPING_KEYS)
        wait, hold = self.damping(m, "default_rule")
        return Rule(DEFAULT_RULE, str(m.where), wait=wait, hold_down=hold)

    def rules(self, node: Node | None) -> list[Rule]:
        if node is None:
            return []
        if not isinstance(node, Sequence):
            self.r.issues.error(node.where, f"rules must be a list, not {node.kind}")
            return []
        found: list[Rule] = []
        seen: dict[str, int] = {DEFAULT_RULE: 0}
        for item in node.items:
            rule = self.rule(item)
            if rule is None:
                continue
            if rule.name in seen:
                first = f" (first at line {seen[rule.name]})" if seen[rule.name] else ""
                self.r.issues.error(item.where, f"rule name {rule.name!r} is taken{first}")
                continue
            seen[rule.name] = item.where.line
            found.append(rule)
        return found

    def rule(self, node: Node) -> Rule | None:
        m = self.r.mapping(node, "a rule")
        if m is None:
            return None
        self.r.keys(m, "a rule", required=("name",), optional=RULE_KEYS)
        name = self.r.text(m.get("name"), "a rule's name")
        what = f"rule {name!r}" if name else "a rule"
        equal = self.labels(m.get("match"), f"{what} match")
        regex = self.patterns(m.get("match_re"), f"{what} match_re")
        if "match" not in m.entries and "match_re" not in m.entries:
            self.r.issues.error(m.where, f"{what} matches every alert", "add match: or match_re:")
        components = tuple(w.text.strip() for w in self.r.words(m.get("components"), "components"))
        statuses = self.statuses(m.get("status"), what)
        wait, hold = self.damping(m, what)
        declare = self.declare(m.get("declare"), what)
        if name is None:
            return None
        return Rule(
            name, str(m.where), equal, regex, components, statuses, wait, hold, declare,
            status_from_label="status" not in m.entries,
        )  # fmt: skip

    def labels(self, node: Node | None, what: str) -> dict[str, str]:
        m = self.r.mapping(node, what)
        if m is None:
            return {}
        found: dict[str, str] = {}
        for key, (_, value) in m.entries.items():
            if isinstance(value, Scalar) and not value.is_null:
                found[key] = value.text
            else:
                self.r.issues.error(value.where, f"{what}.{key} must be a label value")
        return found

    def patterns(self, node: Node | None, what: str) -> dict[str, re.Pattern[str]]:
        found: dict[str, re.Pattern[str]] = {}
        m = self.r.mapping(node, what)
        for key, text in self.labels(node, what).items():
            try:
                found[key] = re.compile(text)
            except re.error as exc:
                where = m.get(key).where if m and m.get(key) else None  # type: ignore[union-attr]
                if where is not None:
                    self.r.issues.error(where, f"bad regular expression for {key}: {exc}")
        return found

    def statuses(self, node: Node | None, what: str) -> dict[str, ComponentStatus]:
        if node is None:
            return dict(DEFAULT_STATUSES)
        if isinstance(node, Scalar):
            status = self.status(node, what)
            return {OTHER: status} if status else {}
        m = self.r.mapping(node, f"{what} status")
        if m is None:
            return {}
        found = {k.lower(): s for k, (_, v) in m.entries.items() if (s := self.status(v, what))}
        if OTHER not in found:
            found[OTHER] = DEFAULT_STATUSES[OTHER]
        return found

    def status(self, node: Node, what: str) -> ComponentStatus | None:
        names = [s.value for s in ALERT_STATUSES]
        if isinstance(node, Scalar) and node.text in names:
            return ComponentStatus(node.text)
        text = node.text if isinstance(node, Scalar) else node.kind
        self.r.issues.error(
            node.where, f"{what}: {text!r} is not a status an alert can set", suggest(text, names)
        )
        return None

    def damping(self, m: Mapping, what: str) -> tuple[timedelta, timedelta]:
        return self.duration(m.get("for"), f"{what} for"), self.duration(
            m.get("hold_down"), f"{what} hold_down"
        )

    def duration(self, node: Node | None, what: str) -> timedelta:
        if node is None:
            return timedelta(0)
        if isinstance(node, Scalar) and node.text.strip() in ("0", "0s"):
            return timedelta(0)
        if isinstance(node, Scalar) and (value := parse_duration(node.text)) is not None:
            return value
        self.r.issues.error(node.where, f"bad duration for {what}", DURATION_HINT)
        return timedelta(0)

    def declare(self, node: Node | None, what: str) -> Declare | None:
        m = self.r.mapping(node, f"{what} declare")
        if m is None:
            return None
        self.r.keys(m, f"{what} declare", required=("template",), optional=DECLARE_KEYS)
        template = self.r.text(m.get("template"), f"{what} declare.template")
        severity = self.r.text(m.get("severity"), f"{what} declare.severity")
        resolve = self.r.boolean(m.get("resolve"), f"{what} declare.resolve") or False
        message = self.r.text(m.get("resolve_message"), f"{what} declare.resolve_message")
        if template is None:
            return None
        return Declare(template, severity, resolve, message or RESOLVE_MESSAGE)
