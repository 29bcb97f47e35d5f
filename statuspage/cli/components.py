"""`statuspage component ...` and `statuspage group ...`."""

from __future__ import annotations

import click

from statuspage.cli.context import Context, Group, json_option, pass_context
from statuspage.cli.output import components_table, echo_json, status_text, table
from statuspage.model import ComponentStatus
from statuspage.serialize import Json, component_json, components_json, group_json
from statuspage.service.operations import Operations


@click.group(cls=Group)
def component() -> None:
    """Add, list, set and remove components."""


@component.command("add")
@click.argument("name")
@click.option("--group", "group_ref", metavar="GROUP", help="Group name or id.")
@click.option("--description", help="Shown on hover on the page.")
@click.option("--position", type=int, help="Order on the page (1 = first).")
@json_option
@pass_context
def component_add(
    ctx: Context,
    name: str,
    group_ref: str | None,
    description: str | None,
    position: int | None,
    as_json: bool,
) -> None:
    """Add a component.

    \b
    Example:
      statuspage component add "API" --group "Core" --description "REST and GraphQL API"
    """

    async def use(svc: Operations) -> tuple[str, Json]:
        created = await svc.add_component(
            name, group=group_ref, description=description, position=position
        )
        return created.name, component_json(created, (await svc.page()).id)

    created_name, body = ctx.run(use)
    if as_json:
        echo_json(body)
    else:
        click.echo(f"Added component {created_name} ({body['id']}).")


@component.command("list")
@json_option
@pass_context
def component_list(ctx: Context, as_json: bool) -> None:
    """List components and their status, grouped as on the page.

    \b
    Example:
      statuspage component list --json
    """

    async def use(svc: Operations) -> tuple[str, list[Json]]:
        components, groups = await svc.list_components(), await svc.list_groups()
        page = await svc.page()
        return components_table(components, groups), components_json(components, groups, page.id)

    text, body = ctx.run(use)
    if as_json:
        echo_json(body)
    else:
        click.echo(text)


@component.command("set")
@click.argument("ref", metavar="NAME_OR_ID")
@click.argument("status", metavar="STATUS")
@json_option
@pass_context
def component_set(ctx: Context, ref: str, status: str, as_json: bool) -> None:
    """Set a component's status by hand (recorded as a manual change).

    STATUS is one of: operational, degraded_performance, partial_outage, major_outage,
    under_maintenance; or auto. A status set by hand stays until a person changes it: alerts
    (automation) leave the component alone until `auto` hands it back to them.

    \b
    Example:
      statuspage component set API degraded_performance
      statuspage component set API auto
    """

    async def use(svc: Operations) -> Json:
        changed = await svc.set_component_status(ref, status)
        return component_json(changed, (await svc.page()).id)

    body = ctx.run(use)
    if as_json:
        echo_json(body)
    else:
        click.echo(f"{body['name']} is now {status_text(ComponentStatus(str(body['status'])))}.")


@component.command("remove")
@click.argument("ref", metavar="NAME_OR_ID")
@pass_context
def component_remove(ctx: Context, ref: str) -> None:
    """Remove a component and its history (refused while an open incident affects it).

    \b
    Example:
      statuspage component remove "Legacy API"
    """
    removed = ctx.run(lambda svc: svc.remove_component(ref))
    click.echo(f"Removed component {removed.name} ({removed.id}).")


@click.group(cls=Group)
def group() -> None:
    """Add, list and remove component groups."""


@group.command("add")
@click.argument("name")
@click.option("--description", help="Shown under the group's name.")
@click.option("--position", type=int, help="Order on the page (1 = first).")
@json_option
@pass_context
def group_add(
    ctx: Context, name: str, description: str | None, position: int | None, as_json: bool
) -> None:
    """Add a component group.

    \b
    Example:
      statuspage group add "Core" --description "What every customer uses"
    """

    async def use(svc: Operations) -> Json:
        created = await svc.add_group(name, description, position)
        return group_json(created, [], (await svc.page()).id)

    body = ctx.run(use)
    if as_json:
        echo_json(body)
    else:
        click.echo(f"Added group {body['name']} ({body['id']}).")


@group.command("list")
@json_option
@pass_context
def group_list(ctx: Context, as_json: bool) -> None:
    """List component groups with their components.

    \b
    Example:
      statuspage group list
    """

    async def use(svc: Operations) -> list[Json]:
        page, components = await svc.page(), await svc.list_components()
        return [
            group_json(g, [c for c in components if c.group_id == g.id], page.id)
            for g in await svc.list_groups()
        ]

    groups = ctx.run(use)
    if as_json:
        echo_json(groups)
    elif not groups:
        click.echo('No groups yet. Add one with: statuspage group add "NAME"')
    else:
        click.echo(
            table(
                ("GROUP", "COMPONENTS", "STATUS", "ID"),
                [
                    (
                        str(g["name"]),
                        str(len(g["components"])),
                        status_text(ComponentStatus(g["status"])),
                        str(g["id"]),
                    )
                    for g in groups
                ],
            )
        )


@group.command("remove")
@click.argument("ref", metavar="NAME_OR_ID")
@click.option("--ungroup", is_flag=True, help="Keep its components, without a group.")
@pass_context
def group_remove(ctx: Context, ref: str, ungroup: bool) -> None:
    """Remove a component group.

    \b
    Example:
      statuspage group remove "Legacy" --ungroup
    """
    removed = ctx.run(lambda svc: svc.remove_group(ref, ungroup=ungroup))
    click.echo(f"Removed group {removed.name} ({removed.id}).")
