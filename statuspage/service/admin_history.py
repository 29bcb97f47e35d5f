"""Admin use cases on an incident's record: delete it, edit an update, manage its postmortem,
and find incidents page by page."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from statuspage.errors import Conflict, InvalidInput, NotFound
from statuspage.model import (
    ChangeCause,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    check_message,
)
from statuspage.service.context import ServiceContext
from statuspage.service.incidents import Incidents
from statuspage.service.translations import FieldTexts, Translations


class History:
    """Corrections to the record: deleting incidents, editing updates, postmortems."""

    def __init__(
        self, ctx: ServiceContext, incidents: Incidents, translations: Translations
    ) -> None:
        self.ctx = ctx
        self.incidents = incidents
        self.translations = translations

    async def delete_incident(self, incident_id: str) -> Incident:
        """Delete an incident and its updates; components it still holds are released first."""
        async with self.ctx.write() as q:
            incident = await self.ctx.incident(q, incident_id)
            if incident.is_open:
                for component_id in await q.incident_component_statuses(incident.id):
                    target = await self.ctx.restore_status(q, component_id, incident.id)
                    component = await self.ctx.component(q, component_id)
                    await self.ctx.apply_status(
                        q, component, target, ChangeCause.MANUAL, incident_id=None
                    )
            await q.delete_incident(incident.id)
            return incident

    async def edit_incident_update(
        self,
        incident_id: str,
        update_id: str,
        *,
        body: str | None = None,
        display_at: datetime | None = None,
        deliver_notifications: bool | None = None,
        translations: FieldTexts | None = None,
    ) -> IncidentUpdate:
        """Correct an update's text, translations or displayed time. Nothing is sent again."""
        async with self.ctx.write() as q:
            incident = await self.ctx.incident(q, incident_id)
            found = [u for u in incident.updates if u.id == update_id.strip()]
            if not found:
                raise NotFound(f"incident {incident.id} has no update {update_id!r}")
            update = found[0]
            edited = replace(
                update,
                body=check_message(body) if body is not None else update.body,
                display_at=display_at or update.display_at,
                deliver_notifications=update.deliver_notifications
                if deliver_notifications is None
                else deliver_notifications,
            )
            if edited != update:
                edited = replace(edited, updated_at=self.ctx.now())
                await q.save_update(edited)
                await q.save_incident(replace(incident, updated_at=self.ctx.now()))
            for language, fields in (translations or {}).items():
                text = fields.get("body")
                await self.translations.translate_update(incident.id, update.id, language, text)
            if not translations:
                return edited
            again = await self.ctx.incident(q, incident.id)
            return next(u for u in again.updates if u.id == update.id)

    async def publish_postmortem(self, incident_id: str) -> Incident:
        """Publish the postmortem already written (see `set_postmortem`)."""
        incident = await self.incidents.get_incident(incident_id)
        if not incident.postmortem_body:
            raise Conflict(f"incident {incident.id} has no postmortem yet; PUT one first")
        return await self.incidents.set_postmortem(
            incident.id, incident.postmortem_body, publish=True
        )

    async def revert_postmortem(self, incident_id: str) -> Incident:
        """Take a published postmortem off the page; it stays as a draft."""
        async with self.ctx.write() as q:
            incident = await self.ctx.incident(q, incident_id)
            if incident.postmortem_published_at is None:
                raise Conflict(f"the postmortem of incident {incident.id} is not published")
            reverted = replace(
                incident,
                status=IncidentStatus.RESOLVED.value,
                postmortem_published_at=None,
                updated_at=self.ctx.now(),
            )
            await q.save_incident(reverted)
            return await self.ctx.incident(q, incident.id)

    async def delete_postmortem(self, incident_id: str) -> Incident:
        """Delete a draft postmortem (a published one is reverted first)."""
        async with self.ctx.write() as q:
            incident = await self.ctx.incident(q, incident_id)
            if incident.postmortem_body is None:
                raise NotFound(f"incident {incident.id} has no postmortem")
            if incident.postmortem_published_at is not None:
                raise Conflict("the postmortem is published; revert it before deleting it")
            now = self.ctx.now()
            cleared = replace(
                incident, postmortem_body=None, postmortem_updated_at=None, updated_at=now
            )
            await q.save_incident(cleared)
            return await self.ctx.incident(q, incident.id)

    async def find_incidents(
        self,
        *,
        kind: str | None = None,
        open_only: bool = False,
        statuses: list[str] | None = None,
        text: str | None = None,
        limit: int = 100,
        page: int = 1,
    ) -> list[Incident]:
        """One page of incidents, newest first, with the filters of the Manage API."""
        if limit < 1 or page < 1:
            raise InvalidInput("limit and page start at 1")
        async with self.ctx.read() as q:
            ids = await q.incident_ids(
                kind=kind,
                open_only=open_only,
                statuses=statuses,
                text=text,
                limit=limit,
                offset=(page - 1) * limit,
            )
            return [await self.ctx.incident(q, i) for i in ids]
