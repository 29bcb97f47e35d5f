"""`statuspage secret generate`: a key for STATUSPAGE_SECRET_KEY."""

from __future__ import annotations

import click

from statuspage.cli.context import Group
from statuspage.setting_rules import generate_key


@click.group(cls=Group)
def secret() -> None:
    """Make the secret key that signs subscriber links and derives SMS codes."""


@secret.command("generate")
def secret_generate() -> None:
    """Print a new random key (64 URL-safe characters, 384 bits) for STATUSPAGE_SECRET_KEY.

    Changing the key makes the links in messages already sent stop working.

    \b
    Example:
      echo "STATUSPAGE_SECRET_KEY=$(statuspage secret generate)" >> /etc/statuspage.env
    """
    click.echo(generate_key())
