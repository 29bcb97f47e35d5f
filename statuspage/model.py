"""Pure domain: the state sets, the objects of a status page and the rules of their transitions.

Nothing here touches a database, the network or the clock; callers pass the time in.
"""

from __future__ import annotations

import difflib
import secrets
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from statuspage.errors import Conflict, InvalidInput
from statuspage.local_time import human
from statuspage.text import check_text

MAX_TITLE = 255
MAX_MESSAGE = 10_000
ID_ALPHABET = string.ascii_lowercase + string.digits
ID_LENGTH = 12


class ComponentStatus(StrEnum):
    OPERATIONAL = "operational"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"
    UNDER_MAINTENANCE = "under_maintenance"

    @property
    def label(self) -> str:
        return _COMPONENT_LABELS[self]

    @property
    def rank(self) -> int:
        """How bad the status is for customers; maintenance ranks below any outage."""
        return _COMPONENT_RANK[self]


_COMPONENT_LABELS = {
    ComponentStatus.OPERATIONAL: "Operational",
    ComponentStatus.DEGRADED_PERFORMANCE: "Degraded Performance",
    ComponentStatus.PARTIAL_OUTAGE: "Partial Outage",
    ComponentStatus.MAJOR_OUTAGE: "Major Outage",
    ComponentStatus.UNDER_MAINTENANCE: "Under Maintenance",
}
_COMPONENT_RANK = {
    ComponentStatus.OPERATIONAL: 0,
    ComponentStatus.UNDER_MAINTENANCE: 1,
    ComponentStatus.DEGRADED_PERFORMANCE: 2,
    ComponentStatus.PARTIAL_OUTAGE: 3,
    ComponentStatus.MAJOR_OUTAGE: 4,
}


class IncidentStatus(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    POSTMORTEM = "postmortem"


class MaintenanceStatus(StrEnum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    COMPLETED = "completed"
    # Not a Statuspage state: the public API shows a cancelled maintenance as completed.
    CANCELLED = "cancelled"


class Impact(StrEnum):
    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"
    MAINTENANCE = "maintenance"


class Kind(StrEnum):
    INCIDENT = "incident"
    MAINTENANCE = "maintenance"


class ChangeCause(StrEnum):
    INCIDENT = "incident"
    MAINTENANCE = "maintenance"
    MANUAL = "manual"
    AUTOMATION = "automation"  # alerts in (statuspage.automation); its cause in automation_changes


OPEN_INCIDENT = frozenset(
    {IncidentStatus.INVESTIGATING, IncidentStatus.IDENTIFIED, IncidentStatus.MONITORING}
)
ACTIVE_MAINTENANCE = frozenset({MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING})
FINAL_MAINTENANCE = frozenset({MaintenanceStatus.COMPLETED, MaintenanceStatus.CANCELLED})
RAN_MAINTENANCE = ACTIVE_MAINTENANCE | {MaintenanceStatus.COMPLETED}
INCIDENT_IMPACTS = (Impact.NONE, Impact.MINOR, Impact.MAJOR, Impact.CRITICAL)

STATUS_LABELS = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
    "postmortem": "Postmortem",
    "scheduled": "Scheduled",
    "in_progress": "In progress",
    "verifying": "Verifying",
    "completed": "Completed",
    "cancelled": "Cancelled",
}

# The component status an incident of this impact implies when none is given.
DEFAULT_STATUS_FOR_IMPACT = {
    Impact.NONE: ComponentStatus.OPERATIONAL,
    Impact.MINOR: ComponentStatus.DEGRADED_PERFORMANCE,
    Impact.MAJOR: ComponentStatus.PARTIAL_OUTAGE,
    Impact.CRITICAL: ComponentStatus.MAJOR_OUTAGE,
}


def new_id() -> str:
    """A short random id in Statuspage's style: 12 lowercase base36 characters."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


E = TypeVar("E", bound=StrEnum)


def parse_enum(kind: type[E], value: str, what: str, allowed: Iterable[E] | None = None) -> E:
    """Parse `value` into `kind` forgivingly (see `pick`), or raise InvalidInput naming the
    accepted values."""
    choices = list(allowed) if allowed is not None else list(kind)
    found = pick(value, [c.value for c in choices], what)
    return next(c for c in choices if c.value == found)


def pick(value: str, choices: Sequence[str], what: str) -> str:
    """The choice `value` names as people type it: any case, spaces or hyphens for
    underscores ("Partial Outage", "partial-outage"), or a prefix of one choice ("partial").
    InvalidInput names the candidates of an ambiguous prefix, or the closest choice
    ("did you mean ...?") and all of them."""
    if value in choices:
        return value
    word = "_".join(value.strip().lower().replace("-", " ").replace("_", " ").split())
    if word in choices:
        return word
    starting = [c for c in choices if word and c.startswith(word)]
    if len(starting) == 1:
        return starting[0]
    accepted = ", ".join(choices)
    if starting:
        raise InvalidInput(f"{what} {value!r} is ambiguous: it could be {' or '.join(starting)}")
    # A typo of a choice or of its first word ("parital" -> partial_outage).
    names = {c.partition("_")[0]: c for c in choices if c.partition("_")[0] not in choices}
    names |= {c: c for c in choices}
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    hint = f"did you mean {names[close[0]]!r}? " if close else ""
    raise InvalidInput(f"invalid {what} {value!r}; {hint}accepted values: {accepted}")


def unknown_name(what: str, ref: str, names: Sequence[str], known: str) -> str:
    """The refusal of a name that matches nothing: the closest name, if one is close (any
    case), then all of them: "unknown group 'Paymnts'; did you mean 'Payments'? known groups:
    Core, Payments"."""
    by_key = {n.casefold(): n for n in names}
    close = difflib.get_close_matches(ref.strip().casefold(), by_key, n=1, cutoff=0.6)
    hint = f"did you mean {by_key[close[0]]!r}? " if close else ""
    return f"unknown {what} {ref!r}; {hint}known {known}: {', '.join(names) or 'none yet'}"


def check_title(title: str, what: str = "title") -> str:
    """Strip and check a name or title: not empty, at most 255 characters, no control
    characters (see statuspage.text)."""
    title = check_text(title, what).strip()
    if not title:
        raise InvalidInput(f"{what} must not be empty")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"{what} is {len(title)} characters long; the limit is {MAX_TITLE}")
    return title


def check_message(message: str, *, required: bool = True, what: str = "message") -> str:
    """Strip and check an update message or other body: at most 10,000 characters, no
    control characters (CRLF becomes LF; see statuspage.text)."""
    message = check_text(message, what).strip()
    if required and not message:
        raise InvalidInput(f"{what} must not be empty")
    if len(message) > MAX_MESSAGE:
        raise InvalidInput(f"{what} is {len(message)} characters long; the limit is {MAX_MESSAGE}")
    return message


@dataclass(frozen=True)
class Translation:
    """One field of a page, group, component, incident or update in another language."""

    field: str  # name, description or body
    language: str  # a BCP 47 tag of a shipped language, e.g. zh-Hans
    text: str


class TranslationSubject(StrEnum):
    """What a translation translates (the `subject` column of the translations table)."""

    PAGE = "page"
    GROUP = "group"
    COMPONENT = "component"
    INCIDENT = "incident"
    UPDATE = "update"


# The fields each subject may translate.
TRANSLATABLE = {
    TranslationSubject.PAGE: ("name",),
    TranslationSubject.GROUP: ("name", "description"),
    TranslationSubject.COMPONENT: ("name", "description"),
    TranslationSubject.INCIDENT: ("name",),
    TranslationSubject.UPDATE: ("body",),
}


def translated(translations: tuple[Translation, ...], field: str, language: str) -> str | None:
    """The text of `field` in `language`, or None when it has no translation."""
    for t in translations:
        if t.field == field and t.language == language:
            return t.text
    return None


def languages_of(translations: tuple[Translation, ...], field: str) -> frozenset[str]:
    """The languages `field` is translated into."""
    return frozenset(t.language for t in translations if t.field == field)


@dataclass(frozen=True)
class Page:
    id: str
    name: str
    url: str
    time_zone: str
    created_at: datetime
    updated_at: datetime
    language: str = "en"  # the default language: what untranslated text is written in
    translations: tuple[Translation, ...] = ()
    accent: str = ""  # #rrggbb for links and buttons ("" for the default blue)
    logo: Logo | None = None


@dataclass(frozen=True)
class Logo:
    """The page's logo as stored: checked bytes (statuspage.branding), named by their hash."""

    content_type: str
    data: bytes = field(repr=False)
    digest: str  # SHA-256 of data, hex


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    description: str | None
    position: int
    created_at: datetime
    updated_at: datetime
    translations: tuple[Translation, ...] = ()


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    status: ComponentStatus
    position: int
    created_at: datetime
    updated_at: datetime
    description: str | None = None
    group_id: str | None = None
    showcase: bool = True
    only_show_if_degraded: bool = False
    start_date: date | None = None
    translations: tuple[Translation, ...] = ()


@dataclass(frozen=True)
class AffectedComponent:
    """How one update changed one component (Statuspage's `affected_components` entry)."""

    code: str
    name: str
    old_status: ComponentStatus
    new_status: ComponentStatus


@dataclass(frozen=True)
class IncidentUpdate:
    id: str
    incident_id: str
    status: str
    body: str
    created_at: datetime
    display_at: datetime
    updated_at: datetime
    affected_components: tuple[AffectedComponent, ...] = ()
    deliver_notifications: bool = True
    previous_status: str | None = None
    translations: tuple[Translation, ...] = ()

    @property
    def label(self) -> str:
        """The status label, or "Update" when this update did not change the status."""
        if self.previous_status == self.status:
            return "Update"
        return STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class Incident:
    """An incident or a scheduled maintenance (Statuspage models both as incidents)."""

    id: str
    kind: Kind
    name: str
    status: str
    impact: Impact
    created_at: datetime
    updated_at: datetime
    started_at: datetime
    component_ids: tuple[str, ...] = ()
    updates: tuple[IncidentUpdate, ...] = ()  # newest first
    severity: str | None = None
    impact_override: bool = False
    monitoring_at: datetime | None = None
    resolved_at: datetime | None = None
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None
    auto_start: bool = True
    auto_complete: bool = True
    backfilled: bool = False
    postmortem_body: str | None = None
    postmortem_updated_at: datetime | None = None
    postmortem_published_at: datetime | None = None
    metadata: dict[str, object] = field(default_factory=dict)
    translations: tuple[Translation, ...] = ()

    @property
    def is_maintenance(self) -> bool:
        return self.kind is Kind.MAINTENANCE

    @property
    def ran(self) -> bool:
        """A maintenance that really started (in progress, verifying or completed): its
        `started_at` and `resolved_at` are when it ran, which need not be its planned window."""
        return self.is_maintenance and self.status in RAN_MAINTENANCE

    @property
    def listed_at(self) -> datetime:
        """When the item belongs in lists and history: an incident's start, a maintenance's
        actual start once it ran (one completed early is filed when it happened), else its
        planned start."""
        if self.is_maintenance and self.scheduled_for is not None and not self.ran:
            return self.scheduled_for
        return self.started_at

    @property
    def is_open(self) -> bool:
        """Unresolved incident, or maintenance that is scheduled or under way."""
        if self.is_maintenance:
            return self.status not in FINAL_MAINTENANCE
        return self.status in OPEN_INCIDENT


class Channel(StrEnum):
    """How a subscriber hears from us."""

    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"
    SLACK = "slack"


class SubscriberState(StrEnum):
    PENDING = "pending"  # waiting for confirmation; nothing but the confirmation is sent
    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"


@dataclass(frozen=True)
class Subscriber:
    """Someone who asked to hear about incidents, on one channel.

    `component_ids` empty with `all_components` set means every component.
    """

    id: str
    channel: Channel
    address: str
    state: SubscriberState
    created_at: datetime
    updated_at: datetime
    all_components: bool = True
    component_ids: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    language: str = "en"
    phone_country: str | None = None
    confirmed_at: datetime | None = None
    unsubscribed_at: datetime | None = None

    def wants(self, component_ids: Iterable[str]) -> bool:
        """Whether an incident affecting these components concerns this subscriber."""
        return self.all_components or not set(self.component_ids).isdisjoint(component_ids)


@dataclass(frozen=True)
class StatusChange:
    """One recorded change of a component's status: the raw material of uptime."""

    component_id: str
    at: datetime
    old_status: ComponentStatus | None
    new_status: ComponentStatus
    cause: ChangeCause
    incident_id: str | None = None


def check_incident_transition(current: str, new: IncidentStatus) -> None:
    """Refuse an update that a resolved incident cannot take."""
    if current in (IncidentStatus.RESOLVED, IncidentStatus.POSTMORTEM):
        raise Conflict(f"the incident is {current}; a resolved incident takes only a postmortem")
    if new is IncidentStatus.POSTMORTEM:
        raise Conflict("an incident takes a postmortem only after it is resolved")


_MAINTENANCE_NEXT = {
    MaintenanceStatus.SCHEDULED: {
        MaintenanceStatus.SCHEDULED,
        MaintenanceStatus.IN_PROGRESS,
        MaintenanceStatus.CANCELLED,
    },
    MaintenanceStatus.IN_PROGRESS: {
        MaintenanceStatus.IN_PROGRESS,
        MaintenanceStatus.VERIFYING,
        MaintenanceStatus.COMPLETED,
    },
    MaintenanceStatus.VERIFYING: {
        MaintenanceStatus.VERIFYING,
        MaintenanceStatus.IN_PROGRESS,
        MaintenanceStatus.COMPLETED,
    },
}


def check_maintenance_transition(current: str, new: MaintenanceStatus) -> None:
    """Refuse a maintenance transition the current state does not allow, saying why."""
    status = MaintenanceStatus(current)
    if status in FINAL_MAINTENANCE:
        raise Conflict(f"the maintenance is already {status.value}; it takes no more changes")
    if new in _MAINTENANCE_NEXT[status]:
        return
    if new is MaintenanceStatus.COMPLETED:
        raise Conflict(
            "the maintenance has not started; a maintenance cannot complete "
            "before it starts (start it, or cancel it)"
        )
    if new is MaintenanceStatus.CANCELLED:
        raise Conflict(
            "the maintenance is in progress and cannot be cancelled: components "
            "are already under maintenance; complete it instead"
        )
    raise Conflict(f"a maintenance cannot go from {status.value} to {new.value}")


def check_window(
    start: datetime, end: datetime, time_zone: str = "UTC", now: datetime | None = None
) -> None:
    """A maintenance window must end after it starts (times shown in the page's zone)."""
    if end <= start:
        raise InvalidInput(
            f"the end ({human(end, time_zone, now)}) must be after the start "
            f"({human(start, time_zone, now)})"
        )


def worst_status(statuses: Iterable[ComponentStatus]) -> ComponentStatus:
    """The worst of several component statuses (operational when there are none)."""
    return max(statuses, key=lambda s: s.rank, default=ComponentStatus.OPERATIONAL)


STATUS_DESCRIPTIONS = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major Service Outage",
    "maintenance": "Service Under Maintenance",
}
_INDICATOR_RANK = {"none": 0, "maintenance": 1, "minor": 2, "major": 3, "critical": 4}
_INDICATOR_FOR_STATUS = {
    ComponentStatus.OPERATIONAL: "none",
    ComponentStatus.UNDER_MAINTENANCE: "maintenance",
    ComponentStatus.DEGRADED_PERFORMANCE: "minor",
    ComponentStatus.PARTIAL_OUTAGE: "major",
    ComponentStatus.MAJOR_OUTAGE: "critical",
}


@dataclass(frozen=True)
class PageStatus:
    indicator: str
    description: str


def page_status(components: Iterable[Component], incidents: Iterable[Incident]) -> PageStatus:
    """The page's overall indicator and description.

    The worst of: every component's status, the impact of every open incident, and
    "maintenance" for maintenance in progress. Example: one component in partial
    outage -> PageStatus("major", "Partial System Outage").
    """
    indicators = [_INDICATOR_FOR_STATUS[c.status] for c in components]
    for incident in incidents:
        if incident.is_maintenance and incident.status in ACTIVE_MAINTENANCE:
            indicators.append("maintenance")
        elif not incident.is_maintenance and incident.is_open:
            indicators.append(incident.impact.value)
    indicator = max(indicators, key=_INDICATOR_RANK.__getitem__, default="none")
    return PageStatus(indicator, STATUS_DESCRIPTIONS[indicator])
