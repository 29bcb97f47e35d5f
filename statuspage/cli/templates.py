"""`statuspage template ...`: the incident templates `incident declare --template` starts from."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from statuspage.cli.context import Context, Group, json_option, pass_context
from statuspage.cli.output import echo_json, table
from statuspage.incident_templates import IncidentTemplate
from statuspage.model import Component, pick
from statuspage.serialize import Json

if TYPE_CHECKING:
    from statuspage.service.operations import Operations


@click.group(cls=Group)
def template() -> None:
    """Incident templates: list, show, add and remove; `incident declare --template NAME`
    starts an incident from one."""


@template.command("list")
@json_option
@pass_context
def list_templates(ctx: Context, as_json: bool) -> None:
    """List the incident templates.

    \b
    Example:
      statuspage template list
    """

    async def use(svc: Operations) -> tuple[list[IncidentTemplate], list[Component]]:
        return await svc.list_templates(), await svc.list_components()

    found, components = ctx.run(use)
    names = {c.id: c.name for c in components}
    if as_json:
        echo_json([template_record(t, names) for t in found])
    elif not found:
        click.echo("No templates. Add one: statuspage template add NAME --title ... -m ...")
    else:
        rows = [(t.name, t.update_status or "-", _components(t, names), t.title) for t in found]
        click.echo(table(("NAME", "STATUS", "COMPONENTS", "TITLE"), rows))


@template.command("show")
@click.argument("name")
@json_option
@pass_context
def show_template(ctx: Context, name: str, as_json: bool) -> None:
    """Show an incident template: title, first update, status and components.

    \b
    Example:
      statuspage template show "API errors"
    """

    async def use(svc: Operations) -> tuple[IncidentTemplate, dict[str, str]]:
        return await svc.get_template(name), await _names(svc)

    found, names = ctx.run(use)
    if as_json:
        echo_json(template_record(found, names))
    else:
        click.echo(template_details(found, names))


@template.command("add")
@click.argument("name")
@click.option("--title", required=True, help="The incident's title.")
@click.option("--message", "-m", required=True, help="The first update (Markdown).")
@click.option(
    "--component",
    "components",
    multiple=True,
    metavar="NAME",
    help="A component such incidents usually concern; repeat for several.",
)
@click.option("--status", metavar="STATUS", help="The incident's status (default: investigating).")
@json_option
@pass_context
def add_template(
    ctx: Context,
    name: str,
    title: str,
    message: str,
    components: tuple[str, ...],
    status: str | None,
    as_json: bool,
) -> None:
    """Add an incident template.

    \b
    Example:
      statuspage template add "API errors" --title "Elevated API errors" \\
        -m "We are investigating elevated error rates on the API." --component API
      statuspage incident declare --template "API errors" --impact major
    """
    from statuspage.service.templates import TEMPLATE_STATUSES

    wanted = pick(status, TEMPLATE_STATUSES, "template status") if status else None

    async def use(svc: Operations) -> tuple[IncidentTemplate, dict[str, str]]:
        created = await svc.create_template(
            name, title=title, body=message, update_status=wanted, components=components
        )
        return created, await _names(svc)

    created, names = ctx.run(use)
    if as_json:
        echo_json(template_record(created, names))
    else:
        click.echo(f"Added template {created.name!r}.")
        click.echo(template_details(created, names))


@template.command("remove")
@click.argument("name")
@pass_context
def remove_template(ctx: Context, name: str) -> None:
    """Remove an incident template (incidents declared from it stay as they are).

    \b
    Example:
      statuspage template remove "API errors"
    """
    removed = ctx.run(lambda svc: svc.remove_template(name))
    click.echo(f"Removed template {removed.name!r}.")


async def _names(svc: Operations) -> dict[str, str]:
    return {c.id: c.name for c in await svc.list_components()}


def _components(t: IncidentTemplate, names: dict[str, str]) -> str:
    return ", ".join(names.get(c, c) for c in t.component_ids) or "-"


def template_details(t: IncidentTemplate, names: dict[str, str]) -> str:
    lines = [
        f"Template:   {t.name}",
        f"Title:      {t.title}",
        f"Status:     {t.update_status or 'investigating'}",
        f"Components: {_components(t, names)}",
        "Message:",
        *(f"  {line}" for line in t.body.splitlines()),
    ]
    return "\n".join(lines)


def template_record(t: IncidentTemplate, names: dict[str, str]) -> Json:
    return {
        "id": t.id,
        "name": t.name,
        "title": t.title,
        "body": t.body,
        "update_status": t.update_status,
        "components": [names.get(c, c) for c in t.component_ids],
    }
