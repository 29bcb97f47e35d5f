"""Use cases for incidents: declare, update, resolve, postmortem, backfill."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from statuspage.errors import Conflict, InvalidInput
from statuspage.events import Event
from statuspage.local_time import human
from statuspage.model import (
    DEFAULT_STATUS_FOR_IMPACT,
    INCIDENT_IMPACTS,
    OPEN_INCIDENT,
    AffectedComponent,
    ChangeCause,
    ComponentStatus,
    Impact,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Kind,
    Translation,
    TranslationSubject,
    check_incident_transition,
    check_message,
    check_title,
    new_id,
    parse_enum,
)
from statuspage.service.context import ServiceContext
from statuspage.service.translations import Texts, given_translations, store_translations
from statuspage.storage import Queries

ComponentSpec = tuple[str, str | None]
RESOLVED_MESSAGE = "This incident has been resolved."


def parse_impact(value: str) -> Impact:
    return parse_enum(Impact, value, "impact", INCIDENT_IMPACTS)


class Incidents:
    """Realtime incidents: declare, update, resolve, backfill, postmortems."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def impact_for(self, impact: str | None, severity: str | None) -> tuple[Impact, bool]:
        """The incident's impact and whether it overrides the severity's (see comms plans).

        With a comms plan the impact follows the severity unless one is given.
        """
        planned = self.ctx.comms.impact_for(severity) if self.ctx.comms and severity else None
        if impact is not None:
            parsed = parse_impact(impact)
            if self.ctx.comms is None:
                return parsed, severity is not None
            return parsed, planned is not None and parsed is not planned
        if planned is not None:
            return planned, False
        raise InvalidInput("give an impact: none, minor, major or critical")

    def severity_for(self, severity: str | None, impact: str | None = None) -> str | None:
        """The comms plan's name for a severity (or the one the impact implies); as given
        without a plan."""
        return self.ctx.comms.severity(severity, impact) if self.ctx.comms else severity

    async def declare_incident(
        self,
        title: str,
        *,
        message: str,
        impact: str | None = None,
        components: Sequence[ComponentSpec] = (),
        status: str = "investigating",
        severity: str | None = None,
        deliver_notifications: bool = True,
        translations: Texts | None = None,
        title_translations: Texts | None = None,
    ) -> Incident:
        """Open an incident with its first update; affected components change status.

        `translations` are the message in other languages, `title_translations` the name.
        """
        title, message = check_title(title, "incident name"), check_message(message)
        parsed_status = parse_enum(IncidentStatus, status, "incident status", OPEN_INCIDENT)
        severity = self.severity_for(severity, impact)
        parsed_impact, overridden = self.impact_for(impact, severity)
        async with self.ctx.write() as q:
            texts = await self._texts(q, translations)
            names = await self._texts(q, title_translations, "name")
            specs = await self.ctx.components_with_status(q, components)
            now = self.ctx.now()
            incident = Incident(
                id=new_id(),
                kind=Kind.INCIDENT,
                name=title,
                status=parsed_status.value,
                impact=parsed_impact,
                created_at=now,
                updated_at=now,
                started_at=now,
                severity=severity,
                impact_override=overridden,
                monitoring_at=now if parsed_status is IncidentStatus.MONITORING else None,
            )
            await q.save_incident(incident)
            await store_translations(
                self.ctx, q, TranslationSubject.INCIDENT, incident.id, "name", names
            )
            defaults = DEFAULT_STATUS_FOR_IMPACT[parsed_impact]
            changes = [(c.id, s or defaults) for c, s in specs]
            implied = frozenset(c.id for c, s in specs if s is None)
            affected = await self._apply(
                q, incident.id, changes, ChangeCause.INCIDENT, keep_worse=implied
            )
            update = await self._add_update(
                q, incident, parsed_status.value, message, affected, deliver_notifications, None,
                texts,
            )  # fmt: skip
            await self.ctx.emit(
                q, Event("declared", incident.id, update.id, now, deliver_notifications)
            )
            return await self.ctx.incident(q, incident.id)

    async def update_incident(
        self,
        incident_id: str,
        *,
        message: str,
        status: str | None = None,
        components: Sequence[ComponentSpec] = (),
        deliver_notifications: bool = True,
        severity: str | None = None,
        translations: Texts | None = None,
    ) -> Incident:
        """Post an update; the same status again shows as "Update". Resolving goes to resolve.

        A new severity changes the impact too, unless the incident's impact was overridden.
        """
        if status == IncidentStatus.RESOLVED.value:
            return await self.resolve_incident(
                incident_id,
                message=message,
                components=components,
                deliver_notifications=deliver_notifications,
                translations=translations,
            )
        message = check_message(message)
        async with self.ctx.write() as q:
            texts = await self._texts(q, translations)
            incident = await self._open_incident(q, incident_id)
            parsed = (
                IncidentStatus(incident.status)
                if status is None
                else parse_enum(IncidentStatus, status, "incident status")
            )
            check_incident_transition(incident.status, parsed)
            specs = await self.ctx.components_with_status(q, components)
            missing = [c.name for c, s in specs if s is None]
            if missing:
                raise InvalidInput(
                    f"give a status for {', '.join(missing)} as NAME=STATUS, e.g. "
                    f"{missing[0]}=operational"
                )
            changes = [(c.id, s) for c, s in specs if s is not None]
            affected = await self._apply(q, incident.id, changes, ChangeCause.INCIDENT)
            now = self.ctx.now()
            incident = replace(
                self._reclassify(incident, severity),
                status=parsed.value,
                updated_at=now,
                monitoring_at=incident.monitoring_at
                or (now if parsed is IncidentStatus.MONITORING else None),
            )
            await q.save_incident(incident)
            update = await self._add_update(
                q,
                incident,
                parsed.value,
                message,
                affected,
                deliver_notifications,
                incident.updates[0].status,
                texts,
            )
            await self.ctx.emit(
                q, Event("updated", incident.id, update.id, now, deliver_notifications)
            )
            return await self.ctx.incident(q, incident.id)

    async def resolve_incident(
        self,
        incident_id: str,
        *,
        message: str | None = None,
        components: Sequence[ComponentSpec] = (),
        deliver_notifications: bool = True,
        translations: Texts | None = None,
    ) -> Incident:
        """Resolve; affected components return to operational (or to what others still hold)."""
        body = check_message(message or RESOLVED_MESSAGE)
        async with self.ctx.write() as q:
            texts = await self._texts(q, translations)
            incident = await self._open_incident(q, incident_id)
            specs = await self.ctx.components_with_status(q, components)
            explicit = {c.id: s for c, s in specs if s is not None}
            held = await q.incident_component_statuses(incident.id)
            targets = [
                (cid, explicit.get(cid) or await self.ctx.restore_status(q, cid, incident.id))
                for cid in dict.fromkeys([*held, *(c.id for c, _ in specs)])
            ]
            now = self.ctx.now()
            previous = incident.status
            incident = replace(
                incident, status=IncidentStatus.RESOLVED.value, updated_at=now, resolved_at=now
            )
            await q.save_incident(incident)
            affected = await self._apply(q, incident.id, targets, ChangeCause.INCIDENT)
            update = await self._add_update(
                q, incident, incident.status, body, affected, deliver_notifications, previous, texts
            )
            await self.ctx.emit(
                q, Event("resolved", incident.id, update.id, now, deliver_notifications)
            )
            return await self.ctx.incident(q, incident.id)

    async def set_postmortem(self, incident_id: str, body: str, *, publish: bool) -> Incident:
        """Store (and optionally publish) the postmortem of a resolved incident."""
        body = check_message(body, what="postmortem")
        async with self.ctx.write() as q:
            incident = await self.ctx.incident(q, incident_id)
            if incident.status not in (IncidentStatus.RESOLVED, IncidentStatus.POSTMORTEM):
                raise Conflict(
                    f"incident {incident.id} is {incident.status}; "
                    "a postmortem is written after the incident is resolved"
                )
            now = self.ctx.now()
            first_publish = publish and incident.postmortem_published_at is None
            incident = replace(
                incident,
                postmortem_body=body,
                postmortem_updated_at=now,
                updated_at=now,
                status=IncidentStatus.POSTMORTEM.value if publish else incident.status,
                postmortem_published_at=now if first_publish else incident.postmortem_published_at,
            )
            await q.save_incident(incident)
            if first_publish:
                await self.ctx.emit(q, Event("postmortem", incident.id, None, now))
            return await self.ctx.incident(q, incident.id)

    async def backfill_incident(
        self,
        title: str,
        *,
        impact: str,
        components: Sequence[ComponentSpec],
        started: datetime,
        resolved: datetime,
        message: str,
    ) -> Incident:
        """Record a past incident; its components' downtime in that window counts in uptime."""
        title, message = check_title(title, "incident name"), check_message(message)
        parsed_impact = parse_impact(impact)
        now = self.ctx.now()
        if resolved <= started:
            zone = await self.ctx.time_zone()
            raise InvalidInput(
                f"--resolved ({human(resolved, zone, now)}) must be after --started "
                f"({human(started, zone, now)})"
            )
        if resolved > now:
            zone = await self.ctx.time_zone()
            raise InvalidInput(
                "a backfilled incident must have ended; --resolved is in the future "
                f"({human(resolved, zone, now)})"
            )
        async with self.ctx.write() as q:
            specs = await self.ctx.components_with_status(q, components)
            incident = Incident(
                id=new_id(),
                kind=Kind.INCIDENT,
                name=title,
                status=IncidentStatus.RESOLVED.value,
                impact=parsed_impact,
                created_at=now,
                updated_at=now,
                started_at=started,
                resolved_at=resolved,
                backfilled=True,
            )
            await q.save_incident(incident)
            default = DEFAULT_STATUS_FOR_IMPACT[parsed_impact]
            for component, status in specs:
                await q.set_incident_component(incident.id, component.id, status or default)
            await q.save_update(
                IncidentUpdate(
                    id=new_id(),
                    incident_id=incident.id,
                    status=incident.status,
                    body=message,
                    created_at=resolved,
                    display_at=resolved,
                    updated_at=now,
                    deliver_notifications=False,
                )
            )
            return await self.ctx.incident(q, incident.id)

    async def get_incident(self, incident_id: str) -> Incident:
        async with self.ctx.read() as q:
            return await self.ctx.incident(q, incident_id)

    async def list_incidents(
        self,
        *,
        open_only: bool = False,
        kind: Kind | None = Kind.INCIDENT,
        limit: int | None = None,
    ) -> list[Incident]:
        async with self.ctx.read() as q:
            return await q.list_incidents(kind, open_only=open_only, limit=limit)

    def _reclassify(self, incident: Incident, severity: str | None) -> Incident:
        """The incident under a new severity; its impact follows unless it was overridden."""
        if severity is None:
            return incident
        name = self.severity_for(severity)
        planned = self.ctx.comms.impact_for(name) if self.ctx.comms and name else None
        if planned is None or incident.impact_override:
            return replace(incident, severity=name)
        return replace(incident, severity=name, impact=planned)

    async def _open_incident(self, q: Queries, incident_id: str) -> Incident:
        incident = await self.ctx.incident(q, incident_id)
        if incident.is_maintenance:
            raise InvalidInput(
                f"{incident.id} is a maintenance; use `statuspage maintenance ...` for it"
            )
        check_incident_transition(incident.status, IncidentStatus.INVESTIGATING)
        return incident

    async def _apply(
        self,
        q: Queries,
        incident_id: str,
        changes: Sequence[tuple[str, ComponentStatus | None]],
        cause: ChangeCause,
        keep_worse: frozenset[str] = frozenset(),
    ) -> list[AffectedComponent]:
        """Record the incident's hold on each component and apply the status it asks for.

        For the components in `keep_worse` (their status was implied by the impact, not
        given), a worse status that other open incidents hold stays on the page.
        """
        affected = []
        for component_id, status in changes:
            component = await self.ctx.component(q, component_id)
            target = component.status if status is None else status
            await q.set_incident_component(incident_id, component_id, target)
            if component_id in keep_worse:
                target = max(
                    target,
                    await self.ctx.restore_status(q, component_id, incident_id),
                    key=lambda s: s.rank,
                )
            change = await self.ctx.apply_status(q, component, target, cause, incident_id)
            if change is not None:
                affected.append(change)
        return affected

    async def _add_update(
        self,
        q: Queries,
        incident: Incident,
        status: str,
        body: str,
        affected: Sequence[AffectedComponent],
        deliver: bool,
        previous_status: str | None,
        translations: Texts | None = None,
    ) -> IncidentUpdate:
        now = self.ctx.now()
        update = IncidentUpdate(
            id=new_id(),
            incident_id=incident.id,
            status=status,
            body=body,
            created_at=now,
            display_at=now,
            updated_at=now,
            affected_components=tuple(affected),
            deliver_notifications=deliver,
            previous_status=previous_status,
        )
        await q.save_update(update)
        if translations:
            await store_translations(
                self.ctx, q, TranslationSubject.UPDATE, update.id, "body", translations
            )
            update = replace(update, translations=tuple(
                Translation("body", lang, text) for lang, text in translations.items()
            ))  # fmt: skip
        return update

    async def _texts(self, q: Queries, given: Texts | None, field: str = "body") -> dict[str, str]:
        """Translations a user gave, checked against the page's language (none: empty)."""
        what = "incident name translation" if field == "name" else "message translation"
        return await given_translations(q, given, field, what)
