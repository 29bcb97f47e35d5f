"""Use cases the admin API needs for incidents, built on the CLI's own use cases.

A Manage API body can ask several things at once (rename, change metadata, post an update,
move components); each use case here does them in one transaction by calling the same
use cases the CLI calls, which join it. So comms plans, the outbox and publishing see an
API write exactly as they see a CLI write.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from statuspage.errors import Conflict, InvalidInput
from statuspage.local_time import human
from statuspage.model import (
    INCIDENT_IMPACTS,
    OPEN_INCIDENT,
    ComponentStatus,
    Impact,
    Incident,
    IncidentStatus,
    Kind,
    MaintenanceStatus,
    TranslationSubject,
    check_title,
    check_window,
    parse_enum,
)
from statuspage.service.context import ServiceContext
from statuspage.service.incidents import Incidents
from statuspage.service.maintenance import Maintenance
from statuspage.service.translations import (
    FieldTexts,
    Translations,
    only_texts,
    split_fields,
)
from statuspage.storage import Queries
from statuspage.text import check_text

# Statuspage's standard texts, used when a body asks for a status without a message.
DEFAULT_BODIES = {
    IncidentStatus.INVESTIGATING.value: "We are currently investigating this issue.",
    IncidentStatus.IDENTIFIED.value: (
        "The issue has been identified and a fix is being implemented."
    ),
    IncidentStatus.MONITORING.value: (
        "A fix has been implemented and we are monitoring the results."
    ),
}
CONTINUING = "We are continuing to work on this issue."
IMPACT_OF_STATUS = {
    ComponentStatus.MAJOR_OUTAGE.value: Impact.CRITICAL,
    ComponentStatus.PARTIAL_OUTAGE.value: Impact.MAJOR,
    ComponentStatus.DEGRADED_PERFORMANCE.value: Impact.MINOR,
}
IMPACT_RANK = {impact: rank for rank, impact in enumerate(INCIDENT_IMPACTS)}
MAX_METADATA = 16_384
BACKFILL_DURATION = timedelta(seconds=1)

Spec = tuple[str, str | None]


@dataclass(frozen=True)
class IncidentChange:
    """What a Manage API incident body asks for; None means "not given".

    `components` maps a component (id or name) to its new status; None as a status means
    "no status given" (the impact's default when declaring). A component listed only in
    `component_ids` keeps its current status.
    """

    name: str | None = None
    status: str | None = None
    body: str | None = None
    impact_override: str | None = None
    severity: str | None = None
    component_ids: tuple[str, ...] | None = None
    components: Mapping[str, str | None] | None = None
    deliver_notifications: bool = True
    metadata: dict[str, Any] | None = None
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None
    auto_start: bool | None = None
    auto_complete: bool | None = None
    backfilled: bool = False
    backfill_date: datetime | None = None
    backfill_resolved_at: datetime | None = None
    # Ours: language -> {"name": the incident's name, "body": the new update's text}
    translations: FieldTexts | None = None
    given: frozenset[str] = field(default_factory=frozenset)

    def bodies(self) -> dict[str, str]:
        """The new update's text in other languages."""
        return only_texts(split_fields(self.translations, "body"), "the body translation")

    def names(self) -> dict[str, str]:
        """The name in other languages, for a new incident (nothing to remove yet)."""
        return only_texts(split_fields(self.translations, "name"), "the name translation")

    @property
    def scheduled(self) -> bool:
        return self.scheduled_for is not None or self.scheduled_until is not None

    @property
    def posts_update(self) -> bool:
        return any(
            v is not None for v in (self.status, self.body, self.components, self.component_ids)
        )

    def refs(self) -> list[str]:
        """Every component named, in order: component_ids first (repeats kept), then the map."""
        ids = list(self.component_ids or ())
        return ids + [r for r in (self.components or {}) if r not in ids]


def check_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """Statuspage's rule: an object whose values are objects; kept small."""
    for key, value in metadata.items():
        if not key.strip() or not isinstance(value, dict):
            raise InvalidInput(
                'metadata must be an object of objects, e.g. {"jira": {"issue": "OPS-1"}}'
            )
    if len(json.dumps(metadata)) > MAX_METADATA:
        raise InvalidInput(f"metadata is larger than {MAX_METADATA} bytes as JSON")
    _check_strings(metadata, "metadata")
    return metadata


def _check_strings(value: object, where: str) -> None:
    """Every key and string in metadata: shown back as JSON, so a lone surrogate breaks it."""
    if isinstance(value, str):
        check_text(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(str(key), f"{where} key")
            _check_strings(item, f"{where} {key}")
    elif isinstance(value, list):
        for item in value:
            _check_strings(item, where)


def impact_of(statuses: list[str | None]) -> Impact:
    """The impact Statuspage computes from component statuses: the worst one's."""
    impacts = [IMPACT_OF_STATUS.get(s or "", Impact.NONE) for s in statuses]
    return max(impacts, key=IMPACT_RANK.__getitem__, default=Impact.NONE)


class IncidentAdmin:
    """The Manage API's incident use cases, built on `Incidents` and `Maintenance`."""

    def __init__(
        self,
        ctx: ServiceContext,
        incidents: Incidents,
        maintenance: Maintenance,
        translations: Translations,
    ) -> None:
        self.ctx = ctx
        self.incidents = incidents
        self.maintenance = maintenance
        self.translations = translations

    async def create_incident(self, change: IncidentChange) -> Incident:
        """A realtime incident, a scheduled maintenance or a backfilled incident."""
        if change.name is None:
            raise InvalidInput("give the incident a name")
        if change.metadata is not None:
            check_metadata(change.metadata)
        async with self.ctx.write() as q:
            if change.backfilled:
                created = await self._create_backfill(q, change)
            elif change.scheduled:
                created = await self._create_maintenance(q, change)
            else:
                created = await self._create_realtime(q, change)
            if change.metadata is not None:
                await self._edit(q, created, IncidentChange(metadata=change.metadata))
            return await self.ctx.incident(q, created.id)

    async def _create_realtime(self, q: Queries, change: IncidentChange) -> Incident:
        status = change.status or IncidentStatus.INVESTIGATING.value
        self._refuse_schedule_fields(change)
        parsed = parse_enum(IncidentStatus, status, "incident status")
        if parsed is IncidentStatus.POSTMORTEM:
            raise InvalidInput("an incident takes a postmortem after it is resolved")
        opening = status if parsed in OPEN_INCIDENT else IncidentStatus.INVESTIGATING.value
        specs = await self._specs(q, change)
        resolving = parsed is IncidentStatus.RESOLVED
        created = await self.incidents.declare_incident(
            change.name or "",
            message=DEFAULT_BODIES[opening] if resolving else self._body(change, opening),
            impact=self._realtime_impact(change, specs),
            severity=change.severity,
            components=specs,
            status=opening,
            deliver_notifications=change.deliver_notifications,
            translations=None if resolving else change.bodies(),
            title_translations=change.names(),
        )
        if resolving:
            return await self.incidents.resolve_incident(
                created.id,
                message=change.body,
                deliver_notifications=change.deliver_notifications,
                translations=change.bodies(),
            )
        return created

    def _realtime_impact(self, change: IncidentChange, specs: list[Spec]) -> str | None:
        """The impact asked for; else the severity's (comms plan); else Statuspage's rule."""
        if change.impact_override or (change.severity and self.ctx.comms is not None):
            return change.impact_override
        return impact_of([s for _, s in specs]).value

    async def _create_maintenance(self, q: Queries, change: IncidentChange) -> Incident:
        if change.scheduled_for is None or change.scheduled_until is None:
            raise InvalidInput("give scheduled_for and scheduled_until together")
        self._refuse_impact_for_maintenance(change)
        status = parse_enum(
            MaintenanceStatus,
            change.status or MaintenanceStatus.SCHEDULED.value,
            "maintenance status",
            (MaintenanceStatus.SCHEDULED, MaintenanceStatus.IN_PROGRESS),
        )
        self._check_statuses(change)
        created = await self.maintenance.schedule_maintenance(
            change.name or "",
            start=change.scheduled_for,
            end=change.scheduled_until,
            components=change.refs(),
            message=change.body,
            auto_start=bool(change.auto_start),
            auto_complete=bool(change.auto_complete),
            deliver_notifications=change.deliver_notifications,
            translations=change.bodies(),
            title_translations=change.names(),
        )
        if status is MaintenanceStatus.IN_PROGRESS:
            return await self.maintenance.transition_maintenance(
                created.id, status, deliver_notifications=change.deliver_notifications
            )
        return created

    async def _create_backfill(self, q: Queries, change: IncidentChange) -> Incident:
        if change.scheduled or change.status not in (None, IncidentStatus.RESOLVED.value):
            raise InvalidInput(
                "a backfilled incident takes neither a status nor scheduled_* fields"
            )
        if change.backfill_date is None:
            raise InvalidInput("give backfill_date: when the backfilled incident happened")
        specs = await self._specs(q, change)
        bodies, names = change.bodies(), change.names()
        created = await self.incidents.backfill_incident(
            change.name or "",
            impact=change.impact_override or impact_of([s for _, s in specs]).value,
            components=specs,
            started=change.backfill_date,
            resolved=change.backfill_resolved_at or change.backfill_date + BACKFILL_DURATION,
            message=change.body or "",
        )
        for language, name in names.items():
            await self.translations.translate(
                TranslationSubject.INCIDENT, created.id, language, {"name": name}
            )
        for language, text in bodies.items():
            await self.translations.translate_update(created.id, None, language, text)
        return created

    async def change_incident(
        self, incident_id: str, change: IncidentChange, *, expect: Kind | None = None
    ) -> Incident:
        """Edit fields and, when a status, body or components are given, post an update.

        `expect` routes the update as that kind, so asking an incident use case of a
        maintenance (or the reverse) is refused the way the CLI refuses it.
        """
        if change.backfilled or change.backfill_date is not None:
            raise InvalidInput("backfilled and backfill_date apply only when creating an incident")
        bodies = change.bodies()
        if bodies and not change.posts_update:
            raise InvalidInput(
                f"incident[translations][{next(iter(bodies))}][body] translates the update this "
                "change posts: give body or status too (or edit an update's translations with "
                "PATCH .../incident_updates/{id})"
            )
        async with self.ctx.write() as q:
            incident = await self.ctx.incident(q, incident_id)
            kind = expect or incident.kind
            if kind is incident.kind:
                await self._edit(q, incident, change)
            if kind is Kind.MAINTENANCE:
                await self._advance_maintenance(incident, change)
            else:
                await self._advance_incident(q, incident, change)
            return await self.ctx.incident(q, incident.id)

    async def _advance_incident(
        self, q: Queries, incident: Incident, change: IncidentChange
    ) -> None:
        if not change.posts_update:
            return
        if change.status == IncidentStatus.POSTMORTEM.value:
            raise InvalidInput("publish a postmortem with PUT .../postmortem/publish")
        specs = await self._specs(q, change)
        if change.status == IncidentStatus.RESOLVED.value:
            await self.incidents.resolve_incident(
                incident.id,
                message=change.body,
                components=specs,
                deliver_notifications=change.deliver_notifications,
                translations=change.bodies(),
            )
            return
        await self.incidents.update_incident(
            incident.id,
            message=self._body(change, change.status or incident.status),
            status=change.status,
            severity=change.severity,
            components=specs,
            deliver_notifications=change.deliver_notifications,
            translations=change.bodies(),
        )

    async def _advance_maintenance(self, incident: Incident, change: IncidentChange) -> None:
        if change.status is None and change.body is None:
            return
        target = parse_enum(
            MaintenanceStatus, change.status or incident.status, "maintenance status"
        )
        await self.maintenance.transition_maintenance(
            incident.id,
            target,
            message=change.body,
            deliver_notifications=change.deliver_notifications,
            translations=change.bodies(),
        )

    async def _edit(self, q: Queries, incident: Incident, change: IncidentChange) -> None:
        """Name, impact, metadata, and a maintenance's window, flags and components."""
        edited = incident
        if change.name is not None:
            edited = replace(edited, name=check_title(change.name, f"{incident.kind.value} name"))
        if change.impact_override is not None:
            self._refuse_impact_for_maintenance(change, incident)
            impact = parse_enum(Impact, change.impact_override, "impact", INCIDENT_IMPACTS)
            edited = replace(edited, impact=impact)
        if change.metadata is not None:
            edited = replace(edited, metadata=check_metadata(change.metadata))
        if incident.is_maintenance:
            edited = await self._edit_schedule(q, edited, change)
        else:
            self._refuse_schedule_fields(change)
        if edited != incident:
            await q.save_incident(replace(edited, updated_at=self.ctx.now()))
        names = split_fields(change.translations, "name")
        for language, name in names.items():
            await self.translations.translate(
                TranslationSubject.INCIDENT, incident.id, language, {"name": name}
            )

    async def _edit_schedule(
        self, q: Queries, incident: Incident, change: IncidentChange
    ) -> Incident:
        scheduled = incident.status == MaintenanceStatus.SCHEDULED.value
        if change.scheduled:
            if not scheduled:
                raise Conflict("the maintenance has started; its window can no longer move")
            start = change.scheduled_for or incident.scheduled_for or incident.started_at
            end = change.scheduled_until or incident.scheduled_until or start
            zone = await self.ctx.time_zone()
            now = self.ctx.now()
            check_window(start, end, zone, now)
            if end <= now:
                raise InvalidInput(f"the new window ends in the past ({human(end, zone, now)})")
            incident = replace(incident, scheduled_for=start, scheduled_until=end, started_at=start)
        if change.auto_start is not None:
            incident = replace(incident, auto_start=change.auto_start)
        if change.auto_complete is not None:
            incident = replace(incident, auto_complete=change.auto_complete)
        if change.components is not None or change.component_ids is not None:
            if not scheduled:
                raise Conflict("the maintenance has started; its components can no longer change")
            self._check_statuses(change)
            await self._set_maintenance_components(q, incident, change.refs())
        return incident

    async def _set_maintenance_components(
        self, q: Queries, incident: Incident, refs: list[str]
    ) -> None:
        resolved = await self.ctx.components_with_status(q, [(r, None) for r in refs])
        wanted = [c.id for c, _ in resolved]
        for component_id in incident.component_ids:
            if component_id not in wanted:
                await q.remove_incident_component(incident.id, component_id)
        for component_id in wanted:
            await q.set_incident_component(
                incident.id, component_id, ComponentStatus.UNDER_MAINTENANCE
            )

    async def _specs(self, q: Queries, change: IncidentChange) -> list[Spec]:
        """(component, status) pairs for the use cases; a bare id keeps its current status."""
        mapping = change.components or {}
        self._check_statuses(change)
        specs: list[Spec] = []
        for ref in change.refs():
            if ref in mapping:
                specs.append((ref, mapping[ref]))
            else:
                specs.append((ref, (await self.ctx.component(q, ref)).status.value))
        return specs

    @staticmethod
    def _check_statuses(change: IncidentChange) -> None:
        for ref, status in (change.components or {}).items():
            if status is not None:
                parse_enum(ComponentStatus, status, f"status for component {ref!r}")

    @staticmethod
    def _body(change: IncidentChange, status: str) -> str:
        if change.body is not None:
            return change.body
        return DEFAULT_BODIES.get(status, CONTINUING)

    @staticmethod
    def _refuse_schedule_fields(change: IncidentChange) -> None:
        if change.scheduled or change.auto_start is not None or change.auto_complete is not None:
            raise InvalidInput(
                "scheduled_* fields apply to scheduled maintenance; create one with "
                "scheduled_for and scheduled_until"
            )

    @staticmethod
    def _refuse_impact_for_maintenance(
        change: IncidentChange, incident: Incident | None = None
    ) -> None:
        is_maintenance = incident.is_maintenance if incident else change.scheduled
        if change.impact_override is not None and is_maintenance:
            raise InvalidInput("a maintenance's impact is always maintenance; omit impact_override")
