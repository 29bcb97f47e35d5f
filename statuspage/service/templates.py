"""Use cases for incident templates."""

from __future__ import annotations

from collections.abc import Sequence

from statuspage.errors import Conflict, InvalidInput, NotFound
from statuspage.incident_templates import IncidentTemplate
from statuspage.model import (
    IncidentStatus,
    MaintenanceStatus,
    check_message,
    check_title,
    new_id,
    unknown_name,
)
from statuspage.service.context import ServiceContext
from statuspage.storage import Queries

TEMPLATE_STATUSES = [s.value for s in IncidentStatus if s is not IncidentStatus.POSTMORTEM] + [
    s.value for s in MaintenanceStatus if s is not MaintenanceStatus.CANCELLED
]


class Templates:
    """Incident templates."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def create_template(
        self,
        name: str,
        *,
        title: str,
        body: str,
        group_id: str | None = None,
        update_status: str | None = None,
        should_tweet: bool = False,
        should_send_notifications: bool = True,
        components: Sequence[str] = (),
    ) -> IncidentTemplate:
        """Store a template; components are given by name or id."""
        name, title = check_title(name, "template name"), check_title(title, "template title")
        body = check_message(body, what="template body")
        if update_status is not None and update_status not in TEMPLATE_STATUSES:
            raise InvalidInput(
                f"invalid update_status {update_status!r}; accepted values: "
                + ", ".join(TEMPLATE_STATUSES)
            )
        async with self.ctx.write() as q:
            if await q.find_template(name) is not None:
                raise Conflict(f"a template named {name!r} already exists")
            specs = await self.ctx.components_with_status(q, [(c, None) for c in components])
            now = self.ctx.now()
            template = IncidentTemplate(
                id=new_id(),
                name=name,
                title=title,
                body=body,
                created_at=now,
                updated_at=now,
                group_id=(group_id.strip() or None) if group_id is not None else None,
                update_status=update_status,
                should_tweet=should_tweet,
                should_send_notifications=should_send_notifications,
                component_ids=tuple(c.id for c, _ in specs),
            )
            await q.save_template(template)
            return template

    async def list_templates(self) -> list[IncidentTemplate]:
        async with self.ctx.read() as q:
            return await q.list_templates()

    async def get_template(self, ref: str) -> IncidentTemplate:
        async with self.ctx.read() as q:
            return await self.template(q, ref)

    async def remove_template(self, ref: str) -> IncidentTemplate:
        async with self.ctx.write() as q:
            template = await self.template(q, ref)
            await q.delete_template(template.id)
            return template

    async def template(self, q: Queries, ref: str) -> IncidentTemplate:
        found = await q.find_template(ref.strip())
        if found is None:
            names = [t.name for t in await q.list_templates()]
            raise NotFound(unknown_name("incident template", ref, names, "templates"))
        return found
