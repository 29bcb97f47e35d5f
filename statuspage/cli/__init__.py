"""The `statuspage` console script: thin click commands over the use cases."""

from __future__ import annotations

from pathlib import Path

import click

from statuspage.cli.comms import comms
from statuspage.cli.components import component, group
from statuspage.cli.context import Context, Group
from statuspage.cli.delivery import dispatch, retry, status
from statuspage.cli.incidents import incident
from statuspage.cli.maintenance import maintenance
from statuspage.cli.plan import plan
from statuspage.cli.server import init, page, serve, tick
from statuspage.config import load_settings


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="STATUSPAGE_DB",
    default="statuspage.db",
    show_default=True,
    help="SQLite database file.",
)
@click.version_option(package_name="statuspage")
@click.pass_context
def cli(ctx: click.Context, db: Path) -> None:
    """Run a status page: components, incidents, maintenance and the server.

    \b
    Example:
      statuspage init && statuspage component add API
      statuspage incident declare "API errors" --impact major --component API \\
        --message "We are investigating."
    """
    ctx.obj = Context(load_settings(overrides={"db": db}))


for command in (init, serve, tick, page, component, group, incident, maintenance, plan, comms):
    cli.add_command(command)
for command in (dispatch, status, retry):
    comms.add_command(command)


def main() -> None:
    cli(prog_name="statuspage")
