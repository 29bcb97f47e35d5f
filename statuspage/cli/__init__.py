"""The `statuspage` console script: thin click commands over the use cases."""

from __future__ import annotations

import click

from statuspage.cli.audit import audit
from statuspage.cli.automation import automation
from statuspage.cli.checks import checks
from statuspage.cli.comms import comms
from statuspage.cli.components import component, group
from statuspage.cli.context import Context, Group, UsageLine
from statuspage.cli.db import db
from statuspage.cli.delivery import dispatch, retry, status
from statuspage.cli.export import export
from statuspage.cli.incidents import incident
from statuspage.cli.maintenance import maintenance
from statuspage.cli.plan import plan
from statuspage.cli.report import report
from statuspage.cli.secret import secret
from statuspage.cli.server import init, page, serve, tick
from statuspage.cli.subscribers import subscribers
from statuspage.cli.tokens import token
from statuspage.config import load_settings


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    envvar="STATUSPAGE_DB",
    default="statuspage.db",
    show_default=True,
    help="SQLite database file, or a postgresql:// URL.",
)
@click.option(
    "--server",
    envvar="STATUSPAGE_SERVER",
    metavar="URL",
    help="Work on the server at URL through its admin API (key from STATUSPAGE_TOKEN).",
)
@click.version_option(package_name="statuspage")
@click.pass_context
def cli(ctx: click.Context, db: str, server: str | None) -> None:
    """Run a status page: components, incidents, maintenance and the server.

    \b
    Example:
      statuspage init && statuspage component add API
      statuspage incident declare "API errors" --impact major --component API \\
        --message "We are investigating."
      STATUSPAGE_TOKEN=sp_... statuspage --server https://status.acme.example incident list
    """
    if server and ctx.invoked_subcommand in LOCAL_ONLY:
        raise UsageLine(
            f"`statuspage {ctx.invoked_subcommand}` works on the local database only; "
            "run it on the server without --server"
        )
    if ctx.invoked_subcommand in NO_SETTINGS:
        return  # works even while the settings are wrong (it makes the key they lack)
    ctx.obj = Context(load_settings(overrides={"db": db}), server=server or None)


LOCAL_ONLY = {"init", "serve", "tick", "token", "audit", "comms", "export", "checks", "db"}
NO_SETTINGS = {"secret", "db"}

for command in (
    init,
    serve,
    tick,
    page,
    component,
    group,
    incident,
    maintenance,
    subscribers,
    export,
    plan,
    comms,
    token,
    audit,
    secret,
    report,
    automation,
    checks,
    db,
):
    cli.add_command(command)
for command in (dispatch, status, retry):
    comms.add_command(command)


def main() -> None:
    cli(prog_name="statuspage")
