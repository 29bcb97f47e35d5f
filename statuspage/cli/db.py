"""`statuspage db copy`: move an install from its SQLite file to PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from statuspage.cli.context import Group
from statuspage.errors import StatuspageError
from statuspage.service.moving import copy_install


@click.group(cls=Group)
def db() -> None:
    """Move the database between SQLite and PostgreSQL."""


@db.command("copy")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("target")
def db_copy(source: Path, target: str) -> None:
    """Copy every table of the SQLite database SOURCE into the PostgreSQL database TARGET.

    TARGET is migrated first and its rows replaced, so running it again gives the same
    result; row counts are compared table by table. Stop the servers first.

    \b
    Example:
      statuspage db copy /var/lib/statuspage/status.db postgresql://status@db/status
    """
    try:
        shown, counts = asyncio.run(copy_install(source, target))
    except StatuspageError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Copied {sum(counts.values())} rows in {len(counts)} tables to {shown}.")
