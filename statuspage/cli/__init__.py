"""The `statuspage` console script: thin click commands over the use cases.

Commands are imported when used (see LazyGroup): `statuspage --help` loads none of them,
and `statuspage incident list` loads the incident commands only, not the web server,
templates or channel clients.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import click

from statuspage.cli.group import SUMMARIES, LazyGroup, UsageLine

# name -> (module:attribute, the summary `statuspage --help` shows: the start of its help)
COMMANDS = {
    "init": ("statuspage.cli.server:init", "Create or migrate the database."),
    "serve": ("statuspage.cli.server:serve", "Serve the status page, its feeds and APIs..."),
    "tick": ("statuspage.cli.server:tick", "Perform due automatic transitions once..."),
    "page": ("statuspage.cli.server:page", "Show or change the page's name, URL, time zone..."),
    "component": ("statuspage.cli.components:component", "Add, list, set and remove components."),
    "group": ("statuspage.cli.components:group", "Add, list and remove component groups."),
    "incident": (
        "statuspage.cli.incidents:incident",
        "Declare, update, resolve and review incidents.",
    ),
    "template": (
        "statuspage.cli.templates:template",
        "Incident templates: list, show, add and remove...",
    ),
    "maintenance": ("statuspage.cli.maintenance:maintenance", "Schedule and run maintenance..."),
    "subscribers": ("statuspage.cli.subscribers:subscribers", "Subscribers: list, add, remove..."),
    "export": ("statuspage.cli.export:export", "Write the whole public site..."),
    "plan": ("statuspage.cli.plan:plan", "Check comms plans and see who hears what."),
    "comms": ("statuspage.cli.comms:comms", "The messages of incidents: preview, approve..."),
    "token": ("statuspage.cli.tokens:token", "Create, list and revoke API keys for the admin API."),
    "audit": ("statuspage.cli.audit:audit", "Show the audit log, newest first..."),
    "secret": (
        "statuspage.cli.secret:secret",
        "Make the secret key that signs subscriber links...",
    ),
    "report": ("statuspage.cli.report:report", "Comms KPIs: per incident, per severity..."),
    "automation": ("statuspage.cli.automation:automation", "Alerts in: the rules that turn..."),
    "checks": ("statuspage.cli.checks:checks", "Built-in checks: HTTP(S), TCP and DNS probes..."),
    "mirror": ("statuspage.cli.mirror:mirror", "The public site in object storage..."),
    "db": ("statuspage.cli.db:db", "Move the database between SQLite and PostgreSQL."),
}
# Commands of one group that live in another module.
EXTRA = {
    "comms": (
        "statuspage.cli.delivery:dispatch",
        "statuspage.cli.delivery:status",
        "statuspage.cli.delivery:retry",
    )
}
SUMMARIES.update({name: summary for name, (_, summary) in COMMANDS.items()})


@click.group(
    cls=LazyGroup,
    lazy={name: target for name, (target, _) in COMMANDS.items()},
    extra=EXTRA,
    context_settings={"help_option_names": ["-h", "--help"]},
)
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
    if server:
        check_server_url(server)
    if ctx.invoked_subcommand in NO_SETTINGS:
        return  # works even while the settings are wrong (it makes the key they lack)
    from statuspage.cli.context import Context
    from statuspage.config import load_settings

    ctx.obj = Context(load_settings(overrides={"db": db}), server=server or None)


def check_server_url(server: str) -> None:
    """Refuse a --server that is not an http(s) URL, with the URL it most likely means."""
    parts = urlsplit(server)
    if parts.scheme in ("http", "https") and parts.netloc:
        return
    host = server.split("://", 1)[-1]
    loopback = host.startswith(("127.", "localhost", "[::1]"))
    guess = ("http://" if loopback else "https://") + host
    raise UsageLine(
        f"--server {server!r} is not a URL; did you mean {guess!r}? "
        "(give the scheme: http:// or https://)"
    )


LOCAL_ONLY = {
    "init", "serve", "tick", "token", "audit", "comms", "export", "checks", "mirror", "db"
}  # fmt: skip
NO_SETTINGS = {"secret", "db"}


def main() -> None:
    cli(prog_name="statuspage")
