"""`statuspage init`, `serve`, `tick` and `page`: the database and the server."""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import click

from statuspage.cli.automation import automation_tick
from statuspage.cli.context import Context, Group, json_option, pass_context
from statuspage.cli.output import echo_json, page_details
from statuspage.cli.translations import clear_or_texts, language_argument, translated_line
from statuspage.comms.compose.validate import validate_plan
from statuspage.comms.kit import plan_path
from statuspage.errors import InvalidInput
from statuspage.model import Page, TranslationSubject
from statuspage.serialize import page_json, translations_json
from statuspage.service import Service
from statuspage.service.operations import Operations

DEMO_NAME = "Acme Cloud"
DEMO_TIME_ZONE = "America/New_York"


@click.command()
@click.option("--demo", is_flag=True, help="Fill an empty database with a realistic demo page.")
@click.option("--name", help="Page name (default: setting STATUSPAGE_PAGE_NAME).")
@click.option("--url", help="Public URL of the page (default: STATUSPAGE_PUBLIC_URL).")
@click.option("--time-zone", help="IANA time zone for display (default: STATUSPAGE_TIME_ZONE).")
@pass_context
def init(
    ctx: Context, demo: bool, name: str | None, url: str | None, time_zone: str | None
) -> None:
    """Create or migrate the database. Running it again is harmless.

    \b
    Example:
      statuspage --db /var/lib/statuspage/status.db init --name "Acme Status" \\
        --url https://status.acme.example --time-zone Europe/Berlin
    """
    settings = ctx.settings

    async def use(svc: Service) -> tuple[list[str], str]:
        applied = svc.applied_migrations
        page = await svc.ensure_page(
            name or (DEMO_NAME if demo else settings.page_name),
            url or settings.public_url,
            time_zone or (DEMO_TIME_ZONE if demo else settings.time_zone),
        )
        note = ""
        if demo:
            from statuspage.demo import load_demo

            note = await load_demo(svc)
        return applied, f"Page {page.name!r} ({page.id}), time zone {page.time_zone}. {note}"

    existed = settings.db.exists()
    applied, summary = ctx.run_local(use, create=True)
    verb = "Migrated" if existed else "Created"
    if applied or not existed:
        click.echo(f"{verb} {settings.db}: applied {', '.join(applied) or 'nothing'}.")
    else:
        click.echo(f"{settings.db} is up to date.")
    click.echo(summary.strip())


# uvicorn's exit code for an app that refuses to start (uvicorn.main.STARTUP_FAILURE; also
# uvicorn.config's in newer releases): the same number in every release we allow.
STARTUP_FAILURE = 3


@contextlib.contextmanager
def exit_code_2_on_failed_start() -> Iterator[None]:
    """uvicorn exits 3 when the app refuses to start; ours is 2, as for every refusal."""
    try:
        yield
    except SystemExit as exc:
        if exc.code == STARTUP_FAILURE:
            raise SystemExit(2) from exc
        raise


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help="Server processes; each serves the page from memory.",
)
@click.option(
    "--no-fast-path",
    is_flag=True,
    help="Answer every request the ordinary ASGI way (default: setting STATUSPAGE_FAST_PATH).",
)
@pass_context
@exit_code_2_on_failed_start()
def serve(ctx: Context, host: str, port: int, workers: int, no_fast_path: bool) -> None:
    """Serve the status page, its feeds and APIs, the subscription pages and the admin API
    under uvicorn; the server also runs the dispatcher and the automatic transitions.

    \b
    Example:
      statuspage --db status.db serve --host 0.0.0.0 --port 8000 --workers 2
    """
    import uvicorn

    from statuspage.site.serving import http_options

    ctx.run_local(lambda svc: svc.page())  # fail early, with one line, when there is no database
    refuse_broken_plan(ctx)
    check_port_free(host, port)
    if not ctx.settings.secret_key:
        click.echo(
            "warning: STATUSPAGE_SECRET_KEY is not set: /subscribe takes no subscriptions and "
            "messages to subscribers cannot be sent (their links are signed with it)",
            err=True,
        )
    os.environ["STATUSPAGE_DB"] = str(ctx.settings.db.resolve())
    fast_path = ctx.settings.fast_path and not no_fast_path
    uvicorn.run(
        "statuspage.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        **http_options(fast_path),  # our protocol on a tested uvicorn, else plain uvicorn
        proxy_headers=True,
        server_header=False,
        access_log=ctx.settings.access_log,
    )


def check_port_free(host: str, port: int) -> None:
    """Refuse, in one line, an address another process already listens on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InvalidInput(f"cannot listen on {host}: {exc.strerror}") from exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind(address)
        except OSError as exc:
            raise InvalidInput(
                f"cannot listen on {host}:{port}: {exc.strerror}; is another server running "
                "there? Choose another with --port"
            ) from exc


def refuse_broken_plan(ctx: Context) -> None:
    """Print every error of the configured comms plan and exit 2, before serving anything."""
    path = plan_path(ctx.settings)
    if path is None:
        return
    if not path.is_file():
        click.echo(f"error: no comms plan at {path}; check STATUSPAGE_COMMS_PLAN", err=True)
        click.get_current_context().exit(2)
    report = validate_plan(path, environ=os.environ)
    if report.plan is None:
        for issue in report.issues.errors:
            click.echo(str(issue), err=True)
        click.echo(f"error: the comms plan {path} does not validate; not serving", err=True)
        click.get_current_context().exit(2)


@click.command()
@pass_context
def tick(ctx: Context) -> None:
    """Perform due automatic transitions once (maintenance start and completion; alerts
    whose `for` or `hold_down` is over), send the comms plan's due reminders (overdue
    updates, maintenance starting soon) and delete subscriptions never confirmed in time.

    The server does this on its own every few seconds; run this from cron when no
    server runs.

    \b
    Example:
      * * * * *  statuspage --db /var/lib/statuspage/status.db tick
    """
    done = ctx.run_local(lambda svc: svc.tick_report())
    purged = ctx.run_local(lambda svc: svc.purge_unconfirmed())
    automatic = automation_tick(ctx)
    for t in done.transitions:
        click.echo(f"{t.incident_id}  {t.status.value}  {t.name}")
    for notice in done.notices:
        click.echo(f"{notice.incident_id}  {notice.text}")
    if purged:
        noun = "subscription" if purged == 1 else "subscriptions"
        click.echo(f"Deleted {purged} {noun} never confirmed.")
    if not done.transitions and not done.notices and not purged and not automatic:
        click.echo("Nothing due.")


@click.group(cls=Group)
def page() -> None:
    """Show or change the page's name, URL, time zone and language."""


@page.command("show")
@json_option
@pass_context
def page_show(ctx: Context, as_json: bool) -> None:
    """Show the page's settings: name, URL, time zone, default language, and its name in
    other languages.

    \b
    Example:
      statuspage page show --json
    """
    found = ctx.run(lambda svc: svc.page())
    if as_json:
        echo_json(
            page_json(found)
            | {"language": found.language, "translations": translations_json(found.translations)}
        )
    else:
        click.echo(page_details(found))


@page.command("set")
@click.option("--name")
@click.option("--url")
@click.option("--time-zone")
@click.option(
    "--language",
    metavar="TAG",
    help="The default language: the one messages and names are written in (en, zh-Hans, ru; "
    "zh or ru-RU work too). Readers in other languages get translations where given.",
)
@click.option(
    "--logo",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A logo shown beside the page's name: PNG, JPEG, WebP or SVG (no scripts), "
    "at most 256 KiB.",
)
@click.option("--no-logo", is_flag=True, help="Remove the logo.")
@click.option(
    "--accent",
    metavar="COLOUR",
    help="The colour of links and buttons, as #rgb or #rrggbb (e.g. '#0b5fff'); it must "
    "reach 4.5:1 contrast on the light page (WCAG AA). '' restores the default.",
)
@pass_context
def page_set(
    ctx: Context,
    name: str | None,
    url: str | None,
    time_zone: str | None,
    language: str | None,
    logo: Path | None,
    no_logo: bool,
    accent: str | None,
) -> None:
    """Change the page's name, public URL, display time zone, default language, logo or accent.

    \b
    Example:
      statuspage page set --time-zone America/New_York
      statuspage page set --language zh-Hans
      statuspage page set --logo logo.svg --accent '#0b5fff'
    """
    code = language_argument(language, "--language") if language is not None else None
    branded = logo is not None or no_logo or accent is not None
    if branded:
        from statuspage.branding import check_accent, check_logo

        data = logo.read_bytes() if logo is not None else None
        if data is not None:
            check_logo(data)  # refused before anything is written
        if accent:
            check_accent(accent)
    changed = None
    if name is not None or url is not None or time_zone is not None or code is not None:
        changed = ctx.run(
            lambda svc: svc.update_page(name=name, url=url, time_zone=time_zone, language=code)
        )
    if branded:
        changed = ctx.run_local(
            lambda svc: svc.set_page_branding(logo=data, accent=accent, remove_logo=no_logo)
        )
    if changed is None:
        changed = ctx.run(lambda svc: svc.page())
    click.echo(
        f"{changed.name}: {changed.url}, time zone {changed.time_zone}, "
        f"language {changed.language}."
    )
    if branded:
        shown = f"logo {changed.logo.content_type}" if changed.logo else "no logo"
        click.echo(f"Branding: {shown}, accent {changed.accent or 'default'}.")


@page.command("translate")
@click.argument("language", metavar="LANG")
@click.option("--name", help="The page's name in LANG.")
@click.option("--clear", is_flag=True, help="Remove the page's name in LANG.")
@pass_context
def page_translate(ctx: Context, language: str, name: str | None, clear: bool) -> None:
    """Give the page's name in another language (or remove it with --clear).

    \b
    Example:
      statuspage page translate ru --name "Статус Acme"
    """
    texts = clear_or_texts(clear, name=name)
    code = language_argument(language)

    async def use(svc: Operations) -> Page:
        await svc.translate(TranslationSubject.PAGE, "", code, texts)
        return await svc.page()

    found = ctx.run(use)
    click.echo(translated_line("the page", code, texts))
    click.echo(page_details(found))
