"""Use cases the admin API needs for components and groups, built on the CLI's own use cases.

Each is one transaction: the use cases it calls join it (see `Store.write`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from statuspage.errors import Conflict
from statuspage.model import Component, Group, TranslationSubject, check_title
from statuspage.service.components import (
    Components,
    check_description,
    check_position,
)
from statuspage.service.context import ServiceContext
from statuspage.service.translations import FieldTexts, Translations
from statuspage.storage import Queries


@dataclass(frozen=True)
class ComponentChange:
    """Fields of a component to change; `given` names those present in the request."""

    given: frozenset[str]
    name: str | None = None
    description: str | None = None
    group: str | None = None
    position: int | None = None
    status: str | None = None
    showcase: bool | None = None
    only_show_if_degraded: bool | None = None
    start_date: date | None = None
    translations: FieldTexts | None = None  # language -> field -> text (None removes it)


class ComponentAdmin:
    """The Manage API's component and group edits, built on `Components`."""

    def __init__(
        self, ctx: ServiceContext, components: Components, translations: Translations
    ) -> None:
        self.ctx = ctx
        self.components = components
        self.translations = translations

    async def create_component(self, change: ComponentChange) -> Component:
        """`add_component`, then the fields it does not take, in one transaction."""
        async with self.ctx.write():
            created = await self.components.add_component(
                change.name or "",
                group=change.group,
                description=change.description,
                position=change.position,
                status=change.status or "operational",
                start_date=change.start_date,
            )
            rest = change.given & {"showcase", "only_show_if_degraded"}
            return await self.edit_component(created.id, replace(change, given=rest))

    async def edit_component(self, ref: str, change: ComponentChange) -> Component:
        """Change the fields given; a status change goes through `set_component_status`."""
        async with self.ctx.write() as q:
            component = await self.ctx.component(q, ref)
            edited = await self._edited(q, component, change)
            if edited != component:
                await q.save_component(replace(edited, updated_at=self.ctx.now()))
            await self.translations.translate_fields(
                TranslationSubject.COMPONENT, component.id, change.translations
            )
            if "status" in change.given and change.status is not None:
                return await self.components.set_component_status(component.id, change.status)
            return await self.ctx.component(q, component.id)

    async def _edited(self, q: Queries, c: Component, change: ComponentChange) -> Component:
        given = change.given
        if "name" in given:
            name = check_title(change.name or "", "component name")
            other = await q.find_component(name)
            if other is not None and other.id != c.id:
                raise Conflict(f"a component named {name!r} already exists")
            c = replace(c, name=name)
        if "group" in given:
            group_id = (await self.components.group(q, change.group)).id if change.group else None
            c = replace(c, group_id=group_id)
        if "description" in given:
            c = replace(
                c, description=check_description(change.description, "component description")
            )
        if "position" in given and change.position is not None:
            c = replace(c, position=check_position(change.position) or c.position)
        if "showcase" in given and change.showcase is not None:
            c = replace(c, showcase=change.showcase)
        if "only_show_if_degraded" in given and change.only_show_if_degraded is not None:
            c = replace(c, only_show_if_degraded=change.only_show_if_degraded)
        if "start_date" in given:
            c = replace(c, start_date=change.start_date)
        return c

    async def get_group(self, ref: str) -> Group:
        async with self.ctx.read() as q:
            return await self.components.group(q, ref)

    async def create_group(
        self,
        name: str,
        *,
        description: str | None = None,
        position: int | None = None,
        components: Sequence[str] = (),
        translations: FieldTexts | None = None,
    ) -> Group:
        """`add_group`, then move the named components into it, in one transaction."""
        async with self.ctx.write():
            group = await self.components.add_group(name, description, position)
            return await self.edit_group(group.id, components=components, translations=translations)

    async def edit_group(
        self,
        ref: str,
        *,
        name: str | None = None,
        description: str | None = None,
        clear_description: bool = False,
        position: int | None = None,
        components: Sequence[str] | None = None,
        translations: FieldTexts | None = None,
    ) -> Group:
        """Rename, describe, move or set the members of a group (others leave it), and
        translate it."""
        async with self.ctx.write() as q:
            group = await self.components.group(q, ref)
            edited = group
            if name is not None:
                edited = replace(edited, name=check_title(name, "group name"))
                other = await q.find_group(edited.name)
                if other is not None and other.id != group.id:
                    raise Conflict(f"a group named {edited.name!r} already exists")
            if description is not None or clear_description:
                edited = replace(
                    edited, description=check_description(description, "group description")
                )
            if position is not None:
                edited = replace(edited, position=check_position(position) or group.position)
            if edited != group:
                await q.save_group(replace(edited, updated_at=self.ctx.now()))
            if components is not None:
                await self._set_members(q, group, components)
            await self.translations.translate_fields(
                TranslationSubject.GROUP, group.id, translations
            )
            return await self.components.group(q, group.id)

    async def _set_members(self, q: Queries, group: Group, refs: Sequence[str]) -> None:
        members = [
            c for c, _ in await self.ctx.components_with_status(q, [(r, None) for r in refs])
        ]
        wanted = {c.id for c in members}
        now = self.ctx.now()
        for c in await q.list_components():
            if c.group_id == group.id and c.id not in wanted:
                await q.save_component(replace(c, group_id=None, updated_at=now))
            elif c.id in wanted and c.group_id != group.id:
                await q.save_component(replace(c, group_id=group.id, updated_at=now))
