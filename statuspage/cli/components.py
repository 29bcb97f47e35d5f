"""`statuspage component ...` and `statuspage group ...`."""

from __future__ import annotations

import click

from statuspage.cli.context import Context, Group, json_option, pass_context
from statuspage.cli.output import (
    component_details,
    components_table,
    echo_json,
    status_text,
    table,
    translation_lines,
)
from statuspage.cli.translations import clear_or_texts, language_argument, translated_line
from statuspage.model import Component, ComponentStatus, TranslationSubject
from statuspage.model import Group as ComponentGroup
from statuspage.serialize import (
    Json,
    component_json,
    components_json,
    group_json,
    manage_component_json,
    translations_json,
)
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
        body = with_translations(components_json(components, groups, page.id), components, groups)
        return components_table(components, groups), body

    text, body = ctx.run(use)
    if as_json:
        echo_json(body)
    else:
        click.echo(text)


def with_translations(
    items: list[Json], components: list[Component], groups: list[ComponentGroup]
) -> list[Json]:
    """`--json` rows with `translations` (ours): {language: {field: text}}."""
    texts = {c.id: c.translations for c in components} | {g.id: g.translations for g in groups}
    return [item | {"translations": translations_json(texts.get(item["id"], ()))} for item in items]


@component.command("show")
@click.argument("ref", metavar="NAME_OR_ID")
@json_option
@pass_context
def component_show(ctx: Context, ref: str, as_json: bool) -> None:
    """Show a component, with its name and description in other languages.

    \b
    Example:
      statuspage component show API
    """

    async def use(svc: Operations) -> tuple[Component, list[ComponentGroup], str]:
        return await svc.get_component(ref), await svc.list_groups(), (await svc.page()).id

    found, groups, page_id = ctx.run(use)
    if as_json:
        echo_json(manage_component_json(found, page_id))
    else:
        click.echo(component_details(found, groups))


@component.command("translate")
@click.argument("ref", metavar="NAME_OR_ID")
@click.argument("language", metavar="LANG")
@click.option("--name", help="The component's name in LANG.")
@click.option("--description", help="Its description in LANG.")
@click.option("--clear", is_flag=True, help="Remove its name and description in LANG.")
@pass_context
def component_translate(
    ctx: Context, ref: str, language: str, name: str | None, description: str | None, clear: bool
) -> None:
    """Give a component's name and description in another language (LANG: zh-Hans, ru; zh
    or ru-RU work too), or remove them with --clear. Readers in LANG see them; others, and
    fields left untranslated, show the page's own language.

    \b
    Example:
      statuspage component translate API ru --name "API" --description "REST-интерфейс"
      statuspage component translate API zh --clear
    """
    texts = clear_or_texts(clear, name=name, description=description)
    code = language_argument(language)

    async def use(svc: Operations) -> Component:
        found = await svc.translate(TranslationSubject.COMPONENT, ref, code, texts)
        return await svc.get_component(found)

    changed = ctx.run(use)
    click.echo(translated_line(f"component {changed.name}", code, texts))
    click.echo("\n".join(translation_lines(changed.translations)) or "  (no translations left)")


@component.command("set")
@click.argument("ref", metavar="NAME_OR_ID")
@click.argument("status", metavar="STATUS")
@json_option
@pass_context
def component_set(ctx: Context, ref: str, status: str, as_json: bool) -> None:
    """Set a component's status by hand (recorded as a manual change).

    STATUS is one of: operational, degraded_performance, partial_outage, major_outage,
    under_maintenance (any case, spaces for underscores, or a prefix: "partial outage",
    partial); or auto. A status set by hand stays until a person changes it: alerts
    (automation) leave the component alone until `auto` hands it back to them.

    \b
    Example:
      statuspage component set API degraded_performance
      statuspage component set API auto
    """

    from statuspage.cli.words import component_status

    wanted = component_status(status, extra=("auto",))

    async def use(svc: Operations) -> Json:
        changed = await svc.set_component_status(ref, wanted)
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
        groups = await svc.list_groups()
        shown = [
            group_json(g, [c for c in components if c.group_id == g.id], page.id) for g in groups
        ]
        return with_translations(shown, [], groups)

    groups = ctx.run(use)
    if as_json:
        echo_json(groups)
    elif not groups:
        click.echo('No groups yet. Add one with: statuspage group add "NAME"')
    else:
        click.echo(groups_table(groups))


def groups_table(groups: list[Json]) -> str:
    """Groups; a TRANSLATED column once any group has a translation."""
    translated = any(g["translations"] for g in groups)
    rows = [
        (
            str(g["name"]),
            str(len(g["components"])),
            status_text(ComponentStatus(g["status"])),
            *([", ".join(sorted(g["translations"])) or "-"] if translated else []),
            str(g["id"]),
        )
        for g in groups
    ]
    headers = ("GROUP", "COMPONENTS", "STATUS", *(["TRANSLATED"] if translated else []), "ID")
    return table(headers, rows)


@group.command("translate")
@click.argument("ref", metavar="NAME_OR_ID")
@click.argument("language", metavar="LANG")
@click.option("--name", help="The group's name in LANG.")
@click.option("--description", help="Its description in LANG.")
@click.option("--clear", is_flag=True, help="Remove its name and description in LANG.")
@pass_context
def group_translate(
    ctx: Context, ref: str, language: str, name: str | None, description: str | None, clear: bool
) -> None:
    """Give a group's name and description in another language, or remove them with --clear.

    \b
    Example:
      statuspage group translate Core zh-Hans --name "核心服务"
    """
    texts = clear_or_texts(clear, name=name, description=description)
    code = language_argument(language)

    async def use(svc: Operations) -> ComponentGroup:
        found = await svc.translate(TranslationSubject.GROUP, ref, code, texts)
        return next(g for g in await svc.list_groups() if g.id == found)

    changed = ctx.run(use)
    click.echo(translated_line(f"group {changed.name}", code, texts))
    click.echo("\n".join(translation_lines(changed.translations)) or "  (no translations left)")


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
