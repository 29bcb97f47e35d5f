"""`statuspage token ...`: API keys for the admin API and the remote CLI (local only)."""

from __future__ import annotations

from datetime import datetime

import click

from statuspage.cli.context import Context, Group, json_option, pass_context
from statuspage.cli.output import echo_json, table
from statuspage.cli.times import local
from statuspage.cli.words import Word
from statuspage.keys import ApiKey
from statuspage.serialize import Json, iso
from statuspage.service import Service


@click.group(cls=Group)
def token() -> None:
    """Create, list and revoke API keys for the admin API."""


def key_json(key: ApiKey) -> Json:
    return {
        "id": key.id,
        "name": key.name,
        "scope": key.scope.value,
        "created_at": iso(key.created_at),
        "created_by": key.created_by,
        "last_used_at": iso(key.last_used_at),
        "last_used_from": key.last_used_from,
        "revoked_at": iso(key.revoked_at),
    }


@token.command("create")
@click.argument("name")
@click.option(
    "--scope",
    type=Word(["read", "write", "admin", "alerts"], "scope"),
    default="write",
    show_default=True,
    help="read: GET only; write: incidents, components, postmortems; admin: also page "
    "settings and deletions; alerts: only posts alerts to /hooks/alerts/... (nothing else).",
)
@json_option
@pass_context
def create(ctx: Context, name: str, scope: str, as_json: bool) -> None:
    """Create an API key. The key is shown once, now: only its hash is stored.

    \b
    Example:
      statuspage token create deploy-bot --scope write
    """
    key, secret = ctx.run_local(lambda svc: svc.create_api_key(name, scope))
    if as_json:
        echo_json({**key_json(key), "key": secret})
        return
    click.echo(f"Created key {key.name} ({key.id}), scope {key.scope.value}:")
    click.echo(secret)
    if key.scope.value == "alerts":  # the hooks take only Bearer; the CLI cannot use it
        click.echo("Store it now; it is not shown again. Send it to /hooks/alerts/... as")
    else:  # the Manage API also takes OAuth; /metrics and the hooks only Bearer
        click.echo("Store it now; it is not shown again. Use it as STATUSPAGE_TOKEN, or send it as")
    click.echo("the header  Authorization: Bearer <key>")


@token.command("list")
@json_option
@pass_context
def list_keys(ctx: Context, as_json: bool) -> None:
    """List API keys (never the keys themselves): scope, when made and last used, revoked.

    \b
    Example:
      statuspage token list
    """

    async def use(svc: Service) -> tuple[list[ApiKey], str]:
        return await svc.list_api_keys(), (await svc.page()).time_zone

    keys, tz = ctx.run_local(use)
    if as_json:
        echo_json([key_json(k) for k in keys])
    elif not keys:
        click.echo("No API keys yet. Create one with: statuspage token create NAME")
    else:
        headers = ("NAME", "SCOPE", "CREATED", "LAST USED", "REVOKED", "ID")
        click.echo(table(headers, [_row(k, tz) for k in keys]))


def _row(key: ApiKey, tz: str) -> tuple[str, ...]:
    def show(value: datetime | None) -> str:
        return local(value, tz) if value else "-"

    used = show(key.last_used_at)
    if key.last_used_from:
        used += f" ({key.last_used_from})"
    return (key.name, key.scope.value, show(key.created_at), used, show(key.revoked_at), key.id)


@token.command("revoke")
@click.argument("ref", metavar="NAME_OR_ID")
@pass_context
def revoke(ctx: Context, ref: str) -> None:
    """Revoke an API key; it stops working at once.

    \b
    Example:
      statuspage token revoke deploy-bot
    """
    key = ctx.run_local(lambda svc: svc.revoke_api_key(ref))
    click.echo(f"Revoked key {key.name} ({key.id}).")
