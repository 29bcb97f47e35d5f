"""Use cases for the page, component groups and components."""

from __future__ import annotations

import difflib
from dataclasses import replace
from datetime import date
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from statuspage.audit import current_actor
from statuspage.automation.state import Hold
from statuspage.errors import Conflict, InvalidInput, NotFound
from statuspage.model import (
    ChangeCause,
    Component,
    ComponentStatus,
    Group,
    Page,
    StatusChange,
    check_message,
    check_title,
    new_id,
    parse_enum,
    pick,
    unknown_name,
)
from statuspage.service.context import ServiceContext
from statuspage.storage import Queries
from statuspage.text import check_text

AUTO = "auto"  # `component set NAME auto`: automation may set the status again


def check_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        close = closest_time_zone(name)
        hint = f"did you mean {close!r}? " if close else ""
        raise InvalidInput(
            f"unknown time zone {name!r}; {hint}use an IANA name such as Etc/UTC or Europe/Berlin"
        ) from exc
    return name


def closest_time_zone(name: str) -> str | None:
    """The IANA zone a mistyped name most likely means ("europe/berln" -> Europe/Berlin)."""
    zones = {z.casefold(): z for z in available_timezones()}
    close = difflib.get_close_matches(name.strip().casefold(), zones, n=1, cutoff=0.8)
    return zones[close[0]] if close else None


def check_page_url(url: str) -> str:
    """The page's public URL: absolute http(s), no query or fragment; without a trailing /."""
    parts = urlsplit(check_text(url, "page URL").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            f"the page URL must be an absolute http(s) URL such as https://status.example.com, "
            f"not {url!r}"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InvalidInput(f"the page URL cannot carry a query, fragment or credentials: {url!r}")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        raise InvalidInput(f"the page URL has a bad port: {url!r}") from exc
    return url.strip().rstrip("/")


def check_position(position: int | None) -> int | None:
    if position is not None and position < 1:
        raise InvalidInput(f"position must be 1 or more, not {position}")
    return position


def check_description(description: str | None, what: str) -> str | None:
    if description is None:
        return None
    return check_message(description, required=False, what=what) or None


class Components:
    """The page, its groups and components, and their statuses."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def page(self) -> Page:
        async with self.ctx.read() as q:
            found = await q.get_page()
        if found is None:
            raise NotFound("the database has no page yet; run `statuspage init`")
        return found

    async def ensure_page(self, name: str, url: str, time_zone: str) -> Page:
        """Create the page row if there is none; return the page."""
        async with self.ctx.write() as q:
            found = await q.get_page()
            if found is not None:
                return found
            now = self.ctx.now()
            page = Page(
                new_id(),
                check_title(name, "page name"),
                check_page_url(url),
                check_time_zone(time_zone),
                now,
                now,
            )
            await q.save_page(page)
            return page

    async def update_page(
        self, *, name: str | None = None, url: str | None = None, time_zone: str | None = None
    ) -> Page:
        async with self.ctx.write() as q:
            page = await q.get_page()
            if page is None:
                raise NotFound("the database has no page yet; run `statuspage init`")
            page = replace(
                page,
                name=check_title(name, "page name") if name is not None else page.name,
                url=check_page_url(url) if url is not None else page.url,
                time_zone=check_time_zone(time_zone) if time_zone is not None else page.time_zone,
                updated_at=self.ctx.now(),
            )
            await q.save_page(page)
            return page

    async def add_group(
        self, name: str, description: str | None = None, position: int | None = None
    ) -> Group:
        name = check_title(name, "group name")
        async with self.ctx.write() as q:
            if await q.find_group(name) is not None:
                raise Conflict(f"a group named {name!r} already exists")
            now = self.ctx.now()
            group = Group(
                new_id(),
                name,
                check_description(description, "group description"),
                check_position(position) or await q.next_position("component_groups"),
                now,
                now,
            )
            await q.save_group(group)
            return group

    async def list_groups(self) -> list[Group]:
        async with self.ctx.read() as q:
            return await q.list_groups()

    async def group(self, q: Queries, ref: str) -> Group:
        found = await q.find_group(ref.strip())
        if found is None:
            names = [g.name for g in await q.list_groups()]
            raise NotFound(unknown_name("group", ref, names, "groups"))
        return found

    async def remove_group(self, ref: str, *, ungroup: bool = False) -> Group:
        """Remove a group; its components must be moved out first, or `ungroup` does it."""
        async with self.ctx.write() as q:
            group = await self.group(q, ref)
            members = [c.name for c in await q.list_components() if c.group_id == group.id]
            if members and not ungroup:
                raise Conflict(
                    f"group {group.name!r} still holds {', '.join(members)}; remove them "
                    "first or pass --ungroup to keep them without a group"
                )
            await q.ungroup_components(group.id, self.ctx.now())
            await q.delete_group(group.id)
            return group

    async def add_component(
        self,
        name: str,
        *,
        group: str | None = None,
        description: str | None = None,
        position: int | None = None,
        status: str = "operational",
        start_date: date | None = None,
    ) -> Component:
        name = check_title(name, "component name")
        parsed = parse_enum(ComponentStatus, status, "component status")
        async with self.ctx.write() as q:
            if await q.find_component(name) is not None:
                raise Conflict(f"a component named {name!r} already exists")
            group_id = (await self.group(q, group)).id if group else None
            now = self.ctx.now()
            component = Component(
                id=new_id(),
                name=name,
                status=parsed,
                position=check_position(position) or await q.next_position("components"),
                created_at=now,
                updated_at=now,
                description=check_description(description, "component description"),
                group_id=group_id,
                start_date=start_date,
            )
            await q.save_component(component)
            await q.record_status_change(_first_change(component))
            return component

    async def list_components(self) -> list[Component]:
        async with self.ctx.read() as q:
            return await q.list_components()

    async def get_component(self, ref: str) -> Component:
        async with self.ctx.read() as q:
            return await self.ctx.component(q, ref)

    async def set_component_status(self, ref: str, status: str) -> Component:
        """Set a component's status by hand; recorded with cause "manual". Automation leaves
        it alone from now on; the status "auto" hands it back (to what alerts, incidents and
        maintenance ask for, or operational)."""
        async with self.ctx.write() as q:
            component = await self.ctx.component(q, ref)
            choices = (*(s.value for s in ComponentStatus), AUTO)
            if pick(status, choices, "component status") == AUTO:
                await q.delete_hold(component.id)
                target = await self.ctx.restore_status(q, component.id, "")
                await self.ctx.apply_status(q, component, target, ChangeCause.MANUAL)
                return await self.ctx.component(q, component.id)
            parsed = parse_enum(ComponentStatus, status, "component status")
            await self.ctx.apply_status(q, component, parsed, ChangeCause.MANUAL)
            await q.save_hold(Hold(component.id, parsed, self.ctx.now(), current_actor().name))
            return await self.ctx.component(q, component.id)

    async def remove_component(self, ref: str) -> Component:
        """Remove a component and its history; refused while an open incident affects it."""
        async with self.ctx.write() as q:
            component = await self.ctx.component(q, ref)
            for incident in await q.list_incidents(open_only=True):
                if component.id in incident.component_ids:
                    raise Conflict(
                        f"component {component.name!r} is affected by open "
                        f"{incident.kind.value} {incident.id} ({incident.name}); end it first"
                    )
            await q.delete_component(component.id)
            return component


def _first_change(component: Component) -> StatusChange:
    """A component's history starts with the status it was created in."""
    return StatusChange(
        component.id, component.created_at, None, component.status, ChangeCause.MANUAL
    )
