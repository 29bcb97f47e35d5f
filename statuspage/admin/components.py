"""Manage API: the page, components and component groups."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from statuspage.admin.fields import BodySpec, Field, QueryParam
from statuspage.admin.operations import Call, operation
from statuspage.admin.shared import COMPONENT_STATUSES, PAGE_ID, PAGING, page_slice
from statuspage.keys import Scope
from statuspage.model import Component, Group
from statuspage.serialize import Json, manage_component_json, manage_group_json, manage_page_json
from statuspage.service.admin_components import ComponentChange
from statuspage.service.components import AUTO

TRANSLATIONS = (
    "Ours: the texts in other languages, by language tag (zh, zh-CN and zh-Hans all name "
    "zh-Hans); null removes a translation. The page's own language is the fields themselves."
)


def translations_field(*fields: str, note: str = TRANSLATIONS) -> Field:
    """Ours: a `translations` object of the given fields (see fields.translations_schema)."""
    return Field("translations", "translations", note, enum=fields)


PAGE_BODY = BodySpec(
    "page",
    (
        Field("name", "string", "The page's name.", max_length=255, blank=False),
        Field("url", "string", "The page's public URL: absolute http(s).", blank=False),
        Field(
            "time_zone", "string", "IANA time zone for display, e.g. Europe/Berlin.", blank=False
        ),
        Field(
            "language",
            "string",
            "Ours: the page's default language, the one its texts are written in (a tag "
            "such as en, zh-Hans or ru).",
            blank=False,
            max_length=35,
        ),
        translations_field("name"),
    ),
)
COMPONENT_BODY = BodySpec(
    "component",
    (
        Field("name", "string", max_length=255, blank=False),
        Field("description", "string", "Shown on hover; null clears it.", nullable=True),
        Field(
            "status",
            "string",
            "A status set by hand holds: automation leaves the component alone until "
            '"auto" (ours, not Statuspage\'s) hands it back to what its alerts, open incidents '
            "and maintenance ask for (operational when nothing does).",
            enum=(*COMPONENT_STATUSES, AUTO),
        ),
        Field("showcase", "boolean", "Show the component's uptime bars."),
        Field("group_id", "string", "Group id (or name); null ungroups.", nullable=True),
        Field("only_show_if_degraded", "boolean"),
        Field("start_date", "date", "Uptime counts from this day.", nullable=True),
        Field("position", "integer", "Order on the page, from 1."),
        translations_field("name", "description"),
    ),
)
# A new component has no override to hand back: it takes Statuspage's statuses only.
NEW_COMPONENT = replace(
    COMPONENT_BODY,
    fields=tuple(
        Field("status", "string", enum=COMPONENT_STATUSES) if f.name == "status" else f
        for f in COMPONENT_BODY.fields
    ),
    required=("name",),
)
GROUP_FIELDS = (
    Field("name", "string", max_length=255, blank=False),
    Field("description", "string", nullable=True),
    Field("components", "list", "Ids (or names) of the member components."),
    Field("position", "integer", "Order on the page, from 1."),
    translations_field("name", "description"),
)
# Statuspage puts a group's description beside the wrapper; both places work.
GROUP_BODY = BodySpec(
    "component_group",
    GROUP_FIELDS,
    top_level=(Field("description", "string", nullable=True),),
)
NEW_GROUP = replace(GROUP_BODY, required=("name",))
COMPONENT = PAGE_ID + "/components/{component_id}"
GROUP = PAGE_ID + "/component-groups/{component_group_id}"


@operation(
    "GET",
    "/pages",
    scope=Scope.READ,
    summary="List pages (this server has one)",
    response="PageList",
)
async def list_pages(call: Call) -> list[Json]:
    return [manage_page_json(call.page)]


@operation("GET", PAGE_ID, scope=Scope.READ, summary="Get the page", response="Page")
async def get_page(call: Call) -> Json:
    return manage_page_json(call.page)


async def _patch_page(call: Call) -> Json:
    values = call.body
    changed = await call.service.edit_page(
        name=values.get("name"),
        url=values.get("url"),
        time_zone=values.get("time_zone"),
        language=values.get("language"),
        translations=values.get("translations"),
    )
    return manage_page_json(changed)


for _method in ("PATCH", "PUT"):
    operation(
        _method,
        PAGE_ID,
        scope=Scope.ADMIN,
        summary="Change the page",
        response="Page",
        body=PAGE_BODY,
    )(_patch_page)


async def _json(call: Call, component: Component) -> Json:
    return manage_component_json(component, call.page.id)


@operation(
    "GET",
    PAGE_ID + "/components",
    scope=Scope.READ,
    summary="List components",
    response="ComponentList",
    query=PAGING,
)
async def list_components(call: Call) -> list[Json]:
    components = page_slice(await call.service.list_components(), call)
    return [manage_component_json(c, call.page.id) for c in components]


def _change(values: dict[str, Any]) -> ComponentChange:
    given = set(values)
    if "group_id" in given:
        given.add("group")
    return ComponentChange(
        given=frozenset(given),
        name=values.get("name"),
        description=values.get("description"),
        group=values.get("group_id"),
        position=values.get("position"),
        status=values.get("status"),
        showcase=values.get("showcase"),
        only_show_if_degraded=values.get("only_show_if_degraded"),
        start_date=values.get("start_date"),
        translations=values.get("translations"),
    )


@operation(
    "POST",
    PAGE_ID + "/components",
    scope=Scope.WRITE,
    summary="Create a component",
    response="Component",
    status=201,
    body=NEW_COMPONENT,
)
async def create_component(call: Call) -> Json:
    return await _json(call, await call.service.create_component(_change(call.body)))


@operation(
    "GET",
    COMPONENT,
    scope=Scope.READ,
    summary="Get a component (by id or name)",
    response="Component",
)
async def get_component(call: Call) -> Json:
    return await _json(call, await call.service.get_component(call.path["component_id"]))


async def _edit_component(call: Call) -> Json:
    ref = call.path["component_id"]
    return await _json(call, await call.service.edit_component(ref, _change(call.body)))


for _method in ("PATCH", "PUT"):
    operation(
        _method,
        COMPONENT,
        scope=Scope.WRITE,
        summary="Change a component",
        response="Component",
        body=COMPONENT_BODY,
    )(_edit_component)


@operation(
    "DELETE",
    COMPONENT,
    scope=Scope.ADMIN,
    summary="Delete a component and its history",
    response="Component",
)
async def delete_component(call: Call) -> Json:
    return await _json(call, await call.service.remove_component(call.path["component_id"]))


async def _group_json(call: Call, group: Group) -> Json:
    members = [c for c in await call.service.list_components() if c.group_id == group.id]
    return manage_group_json(group, members, call.page.id)


@operation(
    "GET",
    PAGE_ID + "/component-groups",
    scope=Scope.READ,
    summary="List component groups",
    response="ComponentGroupList",
    query=PAGING,
)
async def list_groups(call: Call) -> list[Json]:
    groups = page_slice(await call.service.list_groups(), call)
    components = await call.service.list_components()
    return [
        manage_group_json(g, [c for c in components if c.group_id == g.id], call.page.id)
        for g in groups
    ]


@operation(
    "POST",
    PAGE_ID + "/component-groups",
    scope=Scope.WRITE,
    summary="Create a component group",
    response="ComponentGroup",
    status=201,
    body=NEW_GROUP,
)
async def create_group(call: Call) -> Json:
    values = call.body
    group = await call.service.create_group(
        values["name"],
        description=values.get("description"),
        position=values.get("position"),
        components=values.get("components", ()),
        translations=values.get("translations"),
    )
    return await _group_json(call, group)


@operation(
    "GET", GROUP, scope=Scope.READ, summary="Get a component group", response="ComponentGroup"
)
async def get_group(call: Call) -> Json:
    return await _group_json(call, await call.service.get_group(call.path["component_group_id"]))


async def _edit_group(call: Call) -> Json:
    values = call.body
    group = await call.service.edit_group(
        call.path["component_group_id"],
        name=values.get("name"),
        description=values.get("description"),
        clear_description="description" in values and values["description"] is None,
        position=values.get("position"),
        components=values.get("components"),
        translations=values.get("translations"),
    )
    return await _group_json(call, group)


for _method in ("PATCH", "PUT"):
    operation(
        _method,
        GROUP,
        scope=Scope.WRITE,
        summary="Change a component group",
        response="ComponentGroup",
        body=GROUP_BODY,
    )(_edit_group)

UNGROUP = QueryParam(
    "ungroup",
    "boolean",
    "Keep the group's components, ungrouped (ours; false refuses to delete a non-empty group).",
    default=True,
)


@operation(
    "DELETE",
    GROUP,
    scope=Scope.ADMIN,
    summary="Delete a component group",
    response="ComponentGroup",
    query=(UNGROUP,),
)
async def delete_group(call: Call) -> Json:
    group = await call.service.remove_group(
        call.path["component_group_id"], ungroup=call.query["ungroup"]
    )
    return manage_group_json(group, [], call.page.id)
