"""Use cases for scheduled maintenance: schedule, start, complete, cancel, and the tick."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from statuspage.errors import InvalidInput
from statuspage.events import Event, Notice
from statuspage.local_time import human
from statuspage.model import (
    AffectedComponent,
    ChangeCause,
    ComponentStatus,
    Impact,
    Incident,
    IncidentUpdate,
    Kind,
    MaintenanceStatus,
    Translation,
    TranslationSubject,
    check_maintenance_transition,
    check_message,
    check_title,
    check_window,
    new_id,
)
from statuspage.service.context import ServiceContext
from statuspage.service.translations import Texts, given_translations, store_translations
from statuspage.storage import Queries

DEFAULT_MESSAGES = {
    MaintenanceStatus.SCHEDULED: "Maintenance is scheduled for the window shown.",
    MaintenanceStatus.IN_PROGRESS: "Scheduled maintenance is currently in progress. "
    "We will provide updates as necessary.",
    MaintenanceStatus.VERIFYING: "Maintenance work is done; we are verifying the results.",
    MaintenanceStatus.COMPLETED: "The scheduled maintenance has been completed.",
    MaintenanceStatus.CANCELLED: "This scheduled maintenance has been cancelled.",
}
MAINTENANCE_NAME = "maintenance name translation"
PHASES = {
    MaintenanceStatus.SCHEDULED: "maintenance_updated",
    MaintenanceStatus.IN_PROGRESS: "maintenance_started",
    MaintenanceStatus.VERIFYING: "maintenance_updated",
    MaintenanceStatus.COMPLETED: "maintenance_completed",
    MaintenanceStatus.CANCELLED: "maintenance_cancelled",
}


@dataclass(frozen=True)
class Transition:
    """One automatic transition performed by `tick`."""

    incident_id: str
    name: str
    status: MaintenanceStatus


@dataclass(frozen=True)
class TickReport:
    """What one tick did: maintenance transitions, and the comms kit's notices (reminders)."""

    transitions: list[Transition]
    notices: list[Notice]


class Maintenance:
    """Scheduled maintenance: schedule, transition, and the timed tick."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def schedule_maintenance(
        self,
        title: str,
        *,
        start: datetime,
        end: datetime,
        components: Sequence[str],
        message: str | None = None,
        auto_start: bool = True,
        auto_complete: bool = True,
        deliver_notifications: bool = True,
        translations: Texts | None = None,
        title_translations: Texts | None = None,
    ) -> Incident:
        """Schedule a maintenance window over some components.

        `translations` are the message in other languages, `title_translations` the name.
        """
        title = check_title(title, "maintenance name")
        body = check_message(message or DEFAULT_MESSAGES[MaintenanceStatus.SCHEDULED])
        zone = await self.ctx.time_zone()
        now = self.ctx.now()
        check_window(start, end, zone, now)
        if end <= now:
            raise InvalidInput(
                f"the window ends in the past ({human(end, zone, now)}); record past work with "
                "`statuspage incident backfill`"
            )
        async with self.ctx.write() as q:
            texts = await given_translations(q, translations)
            names = await given_translations(q, title_translations, "name", MAINTENANCE_NAME)
            specs = await self.ctx.components_with_status(q, [(c, None) for c in components])
            incident = Incident(
                id=new_id(),
                kind=Kind.MAINTENANCE,
                name=title,
                status=MaintenanceStatus.SCHEDULED.value,
                impact=Impact.MAINTENANCE,
                created_at=now,
                updated_at=now,
                started_at=start,
                scheduled_for=start,
                scheduled_until=end,
                auto_start=auto_start,
                auto_complete=auto_complete,
            )
            await q.save_incident(incident)
            await store_translations(
                self.ctx, q, TranslationSubject.INCIDENT, incident.id, "name", names
            )
            for component, _ in specs:
                await q.set_incident_component(
                    incident.id, component.id, ComponentStatus.UNDER_MAINTENANCE
                )
            update = await self._maintenance_update(
                q, incident, incident.status, body, deliver_notifications, None, texts=texts
            )
            await self.ctx.emit(
                q,
                Event("maintenance_scheduled", incident.id, update.id, now, deliver_notifications),
            )
            return await self.ctx.incident(q, incident.id)

    async def transition_maintenance(
        self,
        incident_id: str,
        status: MaintenanceStatus,
        *,
        message: str | None = None,
        deliver_notifications: bool = True,
        translations: Texts | None = None,
    ) -> Incident:
        """Start, verify, complete or cancel a maintenance (refused when the state forbids it);
        `translations` are the message in other languages."""
        body = check_message(message or DEFAULT_MESSAGES[status])
        async with self.ctx.write() as q:
            texts = await given_translations(q, translations)
            incident = await self.ctx.incident(q, incident_id)
            if not incident.is_maintenance:
                raise InvalidInput(
                    f"{incident.id} is an incident, not a maintenance; use"
                    " `statuspage incident update|resolve ...` for it"
                )
            return await self._transition(q, incident, status, body, deliver_notifications, texts)

    async def tick(self) -> list[Transition]:
        """Perform the automatic maintenance transitions that are due now."""
        return (await self.tick_report()).transitions

    async def tick_report(self) -> TickReport:
        """Due maintenance transitions, then (in a transaction of their own, so a comms
        problem never holds up maintenance) the comms plan's reminders."""
        async with self.ctx.write() as q:
            transitions = await self._due_transitions(q)
        if self.ctx.comms is None:
            return TickReport(transitions, [])
        async with self.ctx.write() as q:
            notices = list(await self.ctx.comms.on_tick(q, self.ctx.now()))
        return TickReport(transitions, notices)

    async def _due_transitions(self, q: Queries) -> list[Transition]:
        done: list[Transition] = []
        for incident in await q.due_maintenance(self.ctx.now()):
            current = incident
            if current.status == MaintenanceStatus.SCHEDULED:
                current = await self._transition(
                    q,
                    current,
                    MaintenanceStatus.IN_PROGRESS,
                    DEFAULT_MESSAGES[MaintenanceStatus.IN_PROGRESS],
                    True,
                )
                done.append(Transition(current.id, current.name, MaintenanceStatus.IN_PROGRESS))
            until = current.scheduled_until
            if current.auto_complete and until is not None and until <= self.ctx.now():
                current = await self._transition(
                    q,
                    current,
                    MaintenanceStatus.COMPLETED,
                    DEFAULT_MESSAGES[MaintenanceStatus.COMPLETED],
                    True,
                )
                done.append(Transition(current.id, current.name, MaintenanceStatus.COMPLETED))
        return done

    async def _transition(
        self,
        q: Queries,
        incident: Incident,
        status: MaintenanceStatus,
        body: str,
        deliver: bool,
        texts: Texts | None = None,
    ) -> Incident:
        check_maintenance_transition(incident.status, status)
        now = self.ctx.now()
        previous = incident.status
        ended = status in (MaintenanceStatus.COMPLETED, MaintenanceStatus.CANCELLED)
        incident = replace(
            incident,
            status=status.value,
            updated_at=now,
            started_at=now
            if status is MaintenanceStatus.IN_PROGRESS and previous == MaintenanceStatus.SCHEDULED
            else incident.started_at,
            resolved_at=now if ended else None,
        )
        await q.save_incident(incident)
        affected = []
        for component_id in incident.component_ids:
            if status is MaintenanceStatus.CANCELLED:
                continue
            target = (
                ComponentStatus.UNDER_MAINTENANCE
                if not ended
                else await self.ctx.restore_status(q, component_id, incident.id)
            )
            component = await self.ctx.component(q, component_id)
            change = await self.ctx.apply_status(
                q, component, target, ChangeCause.MAINTENANCE, incident.id
            )
            if change is not None:
                affected.append(change)
        update = await self._maintenance_update(
            q, incident, status.value, body, deliver, previous, tuple(affected), texts
        )
        await self.ctx.emit(q, Event(PHASES[status], incident.id, update.id, now, deliver))
        return await self.ctx.incident(q, incident.id)

    async def _maintenance_update(
        self,
        q: Queries,
        incident: Incident,
        status: str,
        body: str,
        deliver: bool,
        previous: str | None,
        affected: tuple[AffectedComponent, ...] = (),
        texts: Texts | None = None,
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
            deliver_notifications=deliver,
            previous_status=previous,
            affected_components=affected,
        )
        await q.save_update(update)
        if texts:
            await store_translations(
                self.ctx, q, TranslationSubject.UPDATE, update.id, "body", texts
            )
            update = replace(update, translations=tuple(
                Translation("body", lang, text) for lang, text in texts.items()
            ))  # fmt: skip
        return update
