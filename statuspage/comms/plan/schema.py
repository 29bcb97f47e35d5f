"""A validated comms plan: who speaks, approves and is reminded; who hears what, where, how often.

Built by `statuspage.comms.plan.read.read_plan` from YAML; nothing here reads files. The README's
"Comms plans" section describes the YAML these objects come from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from pathlib import Path

from statuspage.comms.plan.issues import Where
from statuspage.model import Impact, Incident


class Phase(StrEnum):
    """The moments the plan can send a message about (the service's Event phases)."""

    DECLARED = "declared"
    UPDATED = "updated"
    RESOLVED = "resolved"
    POSTMORTEM = "postmortem"
    MAINTENANCE_SCHEDULED = "maintenance_scheduled"
    MAINTENANCE_STARTING_SOON = "maintenance_starting_soon"
    MAINTENANCE_STARTED = "maintenance_started"
    MAINTENANCE_UPDATED = "maintenance_updated"
    MAINTENANCE_COMPLETED = "maintenance_completed"
    MAINTENANCE_CANCELLED = "maintenance_cancelled"
    # Internal only: sent to owners by the tick, never routed to customers.
    REMINDER = "reminder"
    ESCALATION = "escalation"


INCIDENT_PHASES = (Phase.DECLARED, Phase.UPDATED, Phase.RESOLVED, Phase.POSTMORTEM)
MAINTENANCE_PHASES = (
    Phase.MAINTENANCE_SCHEDULED,
    Phase.MAINTENANCE_STARTING_SOON,
    Phase.MAINTENANCE_STARTED,
    Phase.MAINTENANCE_UPDATED,
    Phase.MAINTENANCE_COMPLETED,
    Phase.MAINTENANCE_CANCELLED,
)
FINAL_PHASES = frozenset(
    {Phase.RESOLVED, Phase.POSTMORTEM, Phase.MAINTENANCE_COMPLETED, Phase.MAINTENANCE_CANCELLED}
)


class Channel(StrEnum):
    """Where a message goes. `page` is the status page itself: published, never queued."""

    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"
    SLACK = "slack"
    SOCIAL = "social"
    PAGE = "page"


class SegmentKind(StrEnum):
    SUBSCRIBERS = "subscribers"
    OWNERS = "owners"
    PUBLIC = "public"


# Which channels each kind of segment can be reached on.
SEGMENT_CHANNELS = {
    SegmentKind.SUBSCRIBERS: (Channel.EMAIL, Channel.SMS, Channel.WEBHOOK, Channel.SLACK),
    SegmentKind.OWNERS: (Channel.EMAIL, Channel.SMS, Channel.SLACK),
    SegmentKind.PUBLIC: (Channel.PAGE, Channel.SOCIAL),
}
OWNER_CHANNELS = SEGMENT_CHANNELS[SegmentKind.OWNERS]

# Template names used unless the plan names others: customers get one per phase (webhooks
# one for every phase: the payload has the same shape); owners get "internal" and "reminder".
INTERNAL_TEMPLATE = "internal"
REMINDER_TEMPLATE = "reminder"
WEBHOOK_TEMPLATE = "event"


class Network(StrEnum):
    X = "x"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"


NETWORK_LIMITS = {Network.X: 280, Network.MASTODON: 500, Network.BLUESKY: 300}


@dataclass(frozen=True)
class Owner:
    """A role (not a person: people rotate) with its contact points and its backup."""

    key: str
    label: str
    contacts: dict[Channel, str]
    backup: str
    where: Where


@dataclass(frozen=True)
class SubscriberFilter:
    """Which subscribers a segment selects; each part left empty selects everyone."""

    tags: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    channels: tuple[Channel, ...] = ()


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    kind: SegmentKind
    where: Where
    subscribers: SubscriberFilter = SubscriberFilter()
    owners: tuple[str, ...] = ()

    @property
    def customer_facing(self) -> bool:
        return self.kind is not SegmentKind.OWNERS


@dataclass(frozen=True)
class Route:
    """One line of the routing table: this segment hears this phase on these channels."""

    segment: str
    channels: tuple[Channel, ...]
    where: Where


@dataclass(frozen=True)
class Roles:
    """Who speaks (posts updates), approves customer-facing sends, and is reminded."""

    speaks: str
    reminded: str
    approves: str | None = None


@dataclass(frozen=True)
class Policy:
    """A severity (or the maintenance policy): impact, cadence, roles, routing."""

    key: str
    label: str
    description: str
    rank: int
    roles: Roles
    where: Where
    impact: Impact | None = None
    # incident status (or "*" for any) -> the longest time between two updates
    cadence: dict[str, timedelta] = field(default_factory=dict)
    escalate_after: timedelta | None = None
    approval_phases: frozenset[Phase] = frozenset()
    routing: dict[Phase, tuple[Route, ...]] = field(default_factory=dict)
    templates: dict[tuple[Phase, Channel], str] = field(default_factory=dict)
    # Incidents automation declares (alerts in) may reach customers without an approval.
    automation_speaks: bool = False

    def cadence_for(self, status: str) -> timedelta | None:
        return self.cadence.get(status, self.cadence.get("*"))

    def needs_approval(self, phase: Phase) -> bool:
        return self.roles.approves is not None and phase in self.approval_phases


@dataclass(frozen=True)
class ComponentOverride:
    """Extra routing (and roles) when an incident touches one of these components."""

    components: tuple[str, ...]
    where: Where
    severities: tuple[str, ...] = ()
    roles: dict[str, str] = field(default_factory=dict)
    routing: dict[Phase, tuple[Route, ...]] = field(default_factory=dict)

    def applies(self, policy: Policy, component_names: Iterable[str]) -> bool:
        if self.severities and policy.key not in self.severities:
            return False
        wanted = {c.casefold() for c in self.components}
        return any(name.casefold() in wanted for name in component_names)


@dataclass(frozen=True)
class SmsOptions:
    max_segments: int = 2
    # Replace typographic quotes, dashes and ellipses by their GSM-7 look-alikes, so one
    # curly apostrophe does not switch a message to UCS-2 (70 characters a segment).
    smart_encoding: bool = True


# Per-incident, per-channel coalescing windows (`channels.coalesce`): updates of one incident
# posted within the window reach a subscriber once, with the latest state. People's inboxes and
# phones get a window; machines (webhooks, Slack, the status account) get every update at once.
DEFAULT_COALESCE = {Channel.EMAIL: timedelta(seconds=60), Channel.SMS: timedelta(seconds=60)}
MAX_COALESCE = timedelta(minutes=30)


@dataclass(frozen=True)
class SocialOptions:
    network: Network
    handle: str
    limit: int


@dataclass(frozen=True)
class Plan:
    path: Path
    name: str
    owners: dict[str, Owner]
    segments: dict[str, Segment]
    severities: dict[str, Policy]
    template_dirs: tuple[Path, ...]
    maintenance: Policy | None = None
    default_severity: str | None = None
    overrides: tuple[ComponentOverride, ...] = ()
    template_names: dict[tuple[str, Channel], str] = field(default_factory=dict)
    sms: SmsOptions = SmsOptions()
    social: SocialOptions | None = None
    acronyms: frozenset[str] = frozenset()
    starting_soon: timedelta = timedelta(hours=1)
    coalesce: dict[Channel, timedelta] = field(default_factory=lambda: dict(DEFAULT_COALESCE))

    def coalesce_window(self, channel: Channel | str) -> timedelta:
        """How long updates of one incident on this channel are gathered (0: none)."""
        return self.coalesce.get(Channel(channel), timedelta(0))

    def severity(self, name: str) -> Policy | None:
        """A severity by name, ignoring case (sev1 finds SEV1)."""
        for key, policy in self.severities.items():
            if key.casefold() == name.strip().casefold():
                return policy
        return None

    def policy_for(self, incident: Incident) -> Policy | None:
        """The policy an incident follows; an unknown severity falls back to the default."""
        if incident.is_maintenance:
            return self.maintenance
        found = self.severity(incident.severity) if incident.severity else None
        if found is None and self.default_severity:
            found = self.severities[self.default_severity]
        return found

    def roles(self, policy: Policy, component_names: Iterable[str]) -> Roles:
        roles = policy.roles
        names = list(component_names)
        for override in self.overrides:
            if override.applies(policy, names) and override.roles:
                roles = Roles(
                    speaks=override.roles.get("speaks", roles.speaks),
                    reminded=override.roles.get("reminded", roles.reminded),
                    approves=override.roles.get("approves", roles.approves),
                )
        return roles

    def routes(self, policy: Policy, phase: Phase, component_names: Iterable[str]) -> list[Route]:
        """The routing of one phase, with the extra routes of matching component overrides."""
        names = list(component_names)
        routes = list(policy.routing.get(phase, ()))
        for override in self.overrides:
            if override.applies(policy, names):
                routes.extend(override.routing.get(phase, ()))
        return routes

    def template_name(self, policy: Policy | None, phase: Phase | str, channel: Channel) -> str:
        """The template a (phase, channel) uses: severity's choice, then plan's, then default."""
        if policy is not None and isinstance(phase, Phase):
            named = policy.templates.get((phase, channel))
            if named:
                return named
        named = self.template_names.get((str(phase), channel))
        if named:
            return named
        if channel is Channel.WEBHOOK and phase not in (INTERNAL_TEMPLATE, REMINDER_TEMPLATE):
            return WEBHOOK_TEMPLATE
        return str(phase)
