"""Reading severities, the maintenance policy, routing tables and component overrides."""

from __future__ import annotations

from datetime import timedelta

from statuspage.comms.plan.schema import (
    INCIDENT_PHASES,
    MAINTENANCE_PHASES,
    SEGMENT_CHANNELS,
    Channel,
    ComponentOverride,
    Owner,
    Phase,
    Policy,
    Roles,
    Route,
    Segment,
)
from statuspage.comms.plan.typed_yaml import Reader, suggest
from statuspage.comms.plan.yamlnodes import Mapping, Node, Scalar
from statuspage.model import INCIDENT_IMPACTS, Impact

CADENCE_STATUSES = ("investigating", "identified", "monitoring")
SEVERITY_KEYS = (
    "label", "description", "impact", "cadence", "escalate_after", "owners",
    "approval_phases", "routing", "templates", "automation_speaks",
)  # fmt: skip
MAINTENANCE_KEYS = (
    "label", "description", "owners", "approval_phases", "routing", "templates", "starting_soon",
)  # fmt: skip
ROLE_KEYS = ("speaks", "approves", "reminded")
CHANNEL_NAMES = [c.value for c in Channel]


class PolicyReader:
    """Reads policies against already-read owners and segments, so references are checked."""

    def __init__(
        self, reader: Reader, owners: dict[str, Owner], segments: dict[str, Segment]
    ) -> None:
        self.r = reader
        self.issues = reader.issues
        self.owners = owners
        self.segments = segments

    def severity(self, key: Scalar, node: Node, rank: int) -> Policy | None:
        m = self.r.mapping(node, f"severity {key.text}")
        if m is None:
            return None
        what = f"severity {key.text}"
        self.r.keys(m, what, required=("impact", "cadence", "owners"), optional=SEVERITY_KEYS)
        roles = self.roles(m.get("owners"), what)
        cadence = self.cadence(m.get("cadence"), what)
        return Policy(
            key=key.text,
            label=self.r.text(m.get("label"), f"{what} label") or key.text,
            description=self.r.text(m.get("description"), f"{what} description") or "",
            rank=rank,
            roles=roles or Roles("", ""),
            where=key.where,
            impact=self.impact(m.get("impact"), what),
            cadence=cadence,
            escalate_after=self.r.duration(m.get("escalate_after"), f"{what} escalate_after")
            or min(cadence.values(), default=None),
            approval_phases=self.approval_phases(m, INCIDENT_PHASES, what),
            routing=self.routing(m.get("routing"), INCIDENT_PHASES, what),
            templates=self.templates(m.get("templates"), INCIDENT_PHASES, what),
            automation_speaks=bool(
                self.r.boolean(m.get("automation_speaks"), f"{what} automation_speaks")
            ),
        )

    def maintenance(self, node: Node, rank: int) -> Policy | None:
        m = self.r.mapping(node, "maintenance")
        if m is None:
            return None
        self.r.keys(m, "maintenance", required=("owners",), optional=MAINTENANCE_KEYS)
        return Policy(
            key="maintenance",
            label=self.r.text(m.get("label"), "maintenance label") or "Maintenance",
            description=self.r.text(m.get("description"), "maintenance description") or "",
            rank=rank,
            roles=self.roles(m.get("owners"), "maintenance") or Roles("", ""),
            where=m.where,
            approval_phases=self.approval_phases(m, MAINTENANCE_PHASES, "maintenance"),
            routing=self.routing(m.get("routing"), MAINTENANCE_PHASES, "maintenance"),
            templates=self.templates(m.get("templates"), MAINTENANCE_PHASES, "maintenance"),
        )

    def impact(self, node: Node | None, what: str) -> Impact | None:
        text = self.r.text(node, f"{what} impact")
        if text is None or node is None:
            return None
        accepted = [i.value for i in INCIDENT_IMPACTS]
        if text not in accepted:
            self.issues.error(
                node.where, f"unknown impact {text!r} in {what}", suggest(text, accepted)
            )
            return None
        return Impact(text)

    def cadence(self, node: Node | None, what: str) -> dict[str, timedelta]:
        if isinstance(node, Mapping):
            self.r.keys(node, f"{what} cadence", optional=("default", *CADENCE_STATUSES))
            found = {
                ("*" if k == "default" else k): d
                for k, (_, v) in node.entries.items()
                if (d := self.r.duration(v, f"{what} cadence {k}")) is not None
            }
            missing = [s for s in CADENCE_STATUSES if s not in node.entries]
            if missing and "default" not in node.entries:
                self.issues.error(
                    node.where,
                    f"{what} cadence says nothing for {', '.join(missing)}",
                    "add `default: 30m` or a duration for each status",
                )
            return found
        value = self.r.duration(node, f"{what} cadence")
        return {"*": value} if value else {}

    def roles(self, node: Node | None, what: str) -> Roles | None:
        m = self.r.mapping(node, f"{what} owners")
        if m is None:
            return None
        self.r.keys(m, f"{what} owners", required=("speaks",), optional=ROLE_KEYS)
        named = {k: self.role(m.get(k), f"{what} owners.{k}") for k in ROLE_KEYS}
        speaks = named["speaks"] or ""
        return Roles(speaks, named["reminded"] or speaks, named["approves"])

    def role(self, node: Node | None, what: str) -> str | None:
        text = self.r.text(node, what)
        if text is None or node is None:
            return None
        if text not in self.owners:
            self.issues.error(
                node.where, f"unknown role {text!r} in {what}", suggest(text, self.owners)
            )
            return None
        return text

    def approval_phases(
        self, m: Mapping, allowed: tuple[Phase, ...], what: str
    ) -> frozenset[Phase]:
        node = m.get("approval_phases")
        if node is None:
            return frozenset(allowed)
        return frozenset(
            p for s in self.r.words(node, f"{what} approval_phases")
            if (p := self.phase(s, allowed, what)) is not None
        )  # fmt: skip

    def phase(self, node: Scalar, allowed: tuple[Phase, ...], what: str) -> Phase | None:
        if node.text in [p.value for p in allowed]:
            return Phase(node.text)
        names = [p.value for p in allowed]
        hint = suggest(node.text, names)
        if node.text in [p.value for p in (*INCIDENT_PHASES, *MAINTENANCE_PHASES)]:
            section = "maintenance.routing" if node.text.startswith("maintenance") else "a severity"
            hint = f"{node.text} belongs under {section}"
        self.issues.error(node.where, f"unknown phase {node.text!r} in {what}", hint)
        return None

    def routing(
        self, node: Node | None, allowed: tuple[Phase, ...], what: str
    ) -> dict[Phase, tuple[Route, ...]]:
        m = self.r.mapping(node, f"{what} routing")
        if m is None:
            return {}
        table: dict[Phase, tuple[Route, ...]] = {}
        for key, (key_node, value) in m.entries.items():
            phase = self.phase(key_node, allowed, f"{what} routing")
            routes = self.routes(value, f"{what} routing.{key}")
            if phase is not None:
                table[phase] = routes
        return table

    def routes(self, node: Node, what: str) -> tuple[Route, ...]:
        m = self.r.mapping(node, what)
        if m is None:
            return ()
        routes = []
        for name, (key_node, value) in m.entries.items():
            segment = self.segments.get(name)
            if segment is None:
                hint = suggest(name, self.segments)
                self.issues.error(key_node.where, f"unknown segment {name!r} in {what}", hint)
                continue
            channels = self.channels(value, segment, f"{what}.{name}")
            routes.append(Route(name, channels, key_node.where))
        return tuple(routes)

    def channels(self, node: Node, segment: Segment, what: str) -> tuple[Channel, ...]:
        allowed = SEGMENT_CHANNELS[segment.kind]
        found: list[Channel] = []
        for item in self.r.words(node, f"channels of {what}"):
            if item.text not in CHANNEL_NAMES:
                hint = suggest(item.text, [c.value for c in allowed])
                self.issues.error(item.where, f"unknown channel {item.text!r} in {what}", hint)
            elif Channel(item.text) not in allowed:
                self.issues.error(
                    item.where,
                    f"channel {item.text!r} cannot reach segment {segment.key!r} "
                    f"({segment.kind.value})",
                    f"{segment.kind.value} segments take: {', '.join(allowed)}",
                )
            elif Channel(item.text) in found:
                self.issues.error(item.where, f"channel {item.text!r} is listed twice in {what}")
            else:
                found.append(Channel(item.text))
        return tuple(found)

    def templates(
        self, node: Node | None, allowed: tuple[Phase, ...], what: str
    ) -> dict[tuple[Phase, Channel], str]:
        m = self.r.mapping(node, f"{what} templates")
        if m is None:
            return {}
        names: dict[tuple[Phase, Channel], str] = {}
        for key, (key_node, value) in m.entries.items():
            phase = self.phase(key_node, allowed, f"{what} templates")
            for channel, name in self.template_names(value, f"{what} templates.{key}").items():
                if phase is not None:
                    names[(phase, channel)] = name
        return names

    def template_names(self, node: Node, what: str) -> dict[Channel, str]:
        m = self.r.mapping(node, what)
        if m is None:
            return {}
        found: dict[Channel, str] = {}
        for key, (key_node, value) in m.entries.items():
            if key not in CHANNEL_NAMES or key == Channel.PAGE:
                hint = suggest(key, [c for c in CHANNEL_NAMES if c != Channel.PAGE])
                self.issues.error(key_node.where, f"unknown channel {key!r} in {what}", hint)
                continue
            name = self.r.text(value, f"{what}.{key}")
            if name is not None:
                found[Channel(key)] = name
        return found

    def overrides(
        self, node: Node | None, severities: dict[str, Policy]
    ) -> list[ComponentOverride]:
        if node is None:
            return []
        items = getattr(node, "items", None)
        if items is None:
            self.issues.error(node.where, "component_overrides must be a list")
            return []
        found = []
        for index, item in enumerate(items):
            override = self.override(item, f"component_overrides[{index}]", severities)
            if override is not None:
                found.append(override)
        return found

    def override(
        self, node: Node, what: str, severities: dict[str, Policy]
    ) -> ComponentOverride | None:
        m = self.r.mapping(node, what)
        if m is None:
            return None
        self.r.keys(m, what, required=("components",), optional=("severities", "owners", "routing"))
        names = []
        for s in self.r.words(m.get("severities"), f"{what} severities"):
            if s.text in severities:
                names.append(s.text)
            else:
                hint = suggest(s.text, severities)
                self.issues.error(s.where, f"unknown severity {s.text!r} in {what}", hint)
        return ComponentOverride(
            components=tuple(
                s.text for s in self.r.words(m.get("components"), f"{what} components")
            ),
            where=m.where,
            severities=tuple(names),
            roles=self.partial_roles(m.get("owners"), what),
            routing=self.routing(m.get("routing"), (*INCIDENT_PHASES, *MAINTENANCE_PHASES), what),
        )

    def partial_roles(self, node: Node | None, what: str) -> dict[str, str]:
        m = self.r.mapping(node, f"{what} owners")
        if m is None:
            return {}
        self.r.keys(m, f"{what} owners", optional=ROLE_KEYS)
        return {k: role for k in ROLE_KEYS if (role := self.role(m.get(k), f"{what} owners.{k}"))}
