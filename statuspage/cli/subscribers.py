"""`statuspage subscribers ...`: list, add, remove, tag, import, export, count, data requests.

Every command works locally and, with --server, through the Manage API, with the same
output. Subscribers are personal data: remote mode needs a key with the admin scope.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from statuspage import subscriber_csv
from statuspage.addresses import display_phone
from statuspage.cli.context import Context, Group, UsageLine, json_option, pass_context
from statuspage.cli.output import echo_json, table
from statuspage.cli.subscriber_views import NO_KEY, details, import_report, plural, rows
from statuspage.cli.words import Word
from statuspage.model import Channel, Subscriber
from statuspage.serialize import Json, subscriber_data_json, subscriber_json
from statuspage.service.operations import Operations
from statuspage.service.subscribers import NewSubscriber, SubscriberEdit

CHANNELS = Word([c.value for c in Channel], "channel")
STATES = Word(["active", "pending", "unsubscribed", "all"], "state")


async def shaped(svc: Operations, found: Sequence[Subscriber]) -> list[Json]:
    """The Manage API's JSON of these subscribers."""
    every = [c.id for c in await svc.list_components()]
    purge = await svc.purge_times([s.id for s in found])
    return [
        subscriber_json(s, every, purge_at=purge.get(s.id), display_phone=display_phone(
            s.address) if s.channel is Channel.SMS else None)
        for s in found
    ]  # fmt: skip


def warn_without_key(ctx: Context) -> None:
    """Subscribers added where no key is set get nothing from here: say so (a server
    with its own key may still send to them, so they are stored anyway)."""
    if not ctx.server and not ctx.settings.secret_key:
        click.echo(NO_KEY, err=True)


@click.group(cls=Group)
def subscribers() -> None:
    """Subscribers: list, add, remove, tag, import, export, count; data requests."""


@subscribers.command("list")
@click.option("--channel", type=CHANNELS, help="Only this channel.")
@click.option("--component", metavar="NAME", help="Only those who hear about it (or all).")
@click.option("--tag", help="Only those with this tag.")
@click.option("--state", type=STATES, default="all", show_default=True)
@json_option
@pass_context
def list_command(
    ctx: Context, channel: str | None, component: str | None, tag: str | None, state: str,
    as_json: bool,
) -> None:  # fmt: skip
    """List subscribers, oldest first.

    \b
    Example:
      statuspage subscribers list --component API --tag enterprise --state active
    """

    async def use(svc: Operations) -> tuple[str, list[Json]]:
        found = await svc.list_subscribers(
            channel=channel, state=state, tag=tag, component=component
        )
        return rows(found, await svc.list_components()), await shaped(svc, found)

    text, body = ctx.run(use)
    if as_json:
        echo_json(body)
    else:
        click.echo(text)


@subscribers.command("show")
@click.argument("ref", metavar="ID_OR_ADDRESS")
@json_option
@pass_context
def show_command(ctx: Context, ref: str, as_json: bool) -> None:
    """Show one subscriber: every field we hold, times in the page's time zone.

    \b
    Example:
      statuspage subscribers show ann@example.com
    """

    async def use(svc: Operations) -> tuple[str, Json]:
        found = await svc.get_subscriber(ref)
        purge = (await svc.purge_times([found.id])).get(found.id)
        zone = (await svc.page()).time_zone
        text = details(found, await svc.list_components(), zone, purge)
        return text, (await shaped(svc, [found]))[0]

    text, body = ctx.run(use)
    if as_json:
        echo_json(body)
    else:
        click.echo(text)


@subscribers.command("add")
@click.argument("channel", type=CHANNELS)
@click.argument("address")
@click.option("--component", "components", multiple=True, metavar="NAME",
              help="A component to hear about (repeat it); none: every component.")  # fmt: skip
@click.option("--tag", "tags", multiple=True, help="A tag for the plan's segments (repeat it).")
@click.option("--language", default="en", show_default=True,
              help="Language of the messages: a code such as en, de or pt_BR (en where the "
              "templates lack it).")  # fmt: skip
@click.option("--country", help="The number's country when it is not in +E.164 form (US...).")
@click.option("--skip-confirmation", is_flag=True,
              help="Subscribe at once: no confirmation (they agreed elsewhere).")  # fmt: skip
@json_option
@pass_context
def add_command(
    ctx: Context, channel: str, address: str, components: tuple[str, ...], tags: tuple[str, ...],
    language: str, country: str | None, skip_confirmation: bool, as_json: bool,
) -> None:  # fmt: skip
    """Add a subscriber; they get a confirmation unless --skip-confirmation.

    \b
    Example:
      statuspage subscribers add email ann@example.com --component API --tag enterprise
      statuspage subscribers add sms "415 555 0123" --country US --skip-confirmation
    """
    new = NewSubscriber(Channel(channel), address, country, components or None, tags, language,
                        skip_confirmation)  # fmt: skip

    async def use(svc: Operations) -> tuple[Subscriber, Json]:
        found = await svc.add_subscriber(new)
        return found, (await shaped(svc, [found]))[0]

    found, body = ctx.run(use)
    if as_json:
        echo_json(body)
    elif found.state.value == "active":
        click.echo(f"Added {found.address} ({found.id}), active.")
    else:
        click.echo(f"Added {found.address} ({found.id}), pending: a confirmation is on its way.")
    warn_without_key(ctx)


@subscribers.command("remove")
@click.argument("ref", metavar="ID_OR_ADDRESS")
@pass_context
def remove_command(ctx: Context, ref: str) -> None:
    """Unsubscribe a subscriber (the record stays, so an import cannot add them again).

    \b
    Example:
      statuspage subscribers remove ann@example.com
    """
    [done] = ctx.run(lambda svc: svc.unsubscribe_subscribers([ref]))
    click.echo(f"Unsubscribed {done.address} ({done.id}).")


def _tagging(ctx: Context, ref: str, edit: SubscriberEdit) -> None:
    done = ctx.run(lambda svc: svc.edit_subscriber(ref, edit))
    click.echo(f"{done.address} ({done.id}) has tags: {', '.join(done.tags) or 'none'}.")


@subscribers.command("tag")
@click.argument("ref", metavar="ID_OR_ADDRESS")
@click.argument("tags", nargs=-1, required=True)
@pass_context
def tag_command(ctx: Context, ref: str, tags: tuple[str, ...]) -> None:
    """Add tags to a subscriber (tags feed the comms plan's segments).

    \b
    Example:
      statuspage subscribers tag ann@example.com enterprise region-eu
    """
    _tagging(ctx, ref, SubscriberEdit(add_tags=tags))


@subscribers.command("untag")
@click.argument("ref", metavar="ID_OR_ADDRESS")
@click.argument("tags", nargs=-1, required=True)
@pass_context
def untag_command(ctx: Context, ref: str, tags: tuple[str, ...]) -> None:
    """Remove tags from a subscriber.

    \b
    Example:
      statuspage subscribers untag ann@example.com region-eu
    """
    _tagging(ctx, ref, SubscriberEdit(remove_tags=tags))


@subscribers.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--skip-confirmation", is_flag=True,
              help="New subscribers are active at once (they agreed elsewhere).")  # fmt: skip
@pass_context
def import_command(ctx: Context, file: Path, skip_confirmation: bool) -> None:
    """Import subscribers from CSV: every row is checked, the good ones are imported in
    one transaction (rejected rows are listed with their line; exit code 1). Importing
    the same file again changes nothing; someone who unsubscribed is never re-added.

    Columns: channel, address (required); phone_country, components and tags (";"
    between names; no components: every one), language, state.

    \b
    Example:
      statuspage subscribers import customers.csv --skip-confirmation
    """
    text = _read(file)
    report = ctx.run(lambda svc: svc.import_csv(text, skip_confirmation))
    import_report(report, str(file))
    warn_without_key(ctx)
    if report.rejected:
        click.get_current_context().exit(1)


def _read(file: Path) -> str:
    try:
        raw = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
        return raw.decode("utf-8")
    except OSError as exc:
        raise UsageLine(f"cannot read {file}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise UsageLine(f"{file} is not UTF-8 text") from exc


@subscribers.command("export")
@click.argument("file", required=False,
                type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))  # fmt: skip
@click.option("--id", "ref", metavar="ID_OR_ADDRESS",
              help="Everything held on one subscriber, as JSON (a data request).")  # fmt: skip
@pass_context
def export_command(ctx: Context, file: Path | None, ref: str | None) -> None:
    """Write every subscriber as CSV (what `import` reads), or with --id everything we
    hold on one subscriber as JSON. FILE "-" (or none, with --id) is standard output.

    \b
    Example:
      statuspage subscribers export subscribers.csv
      statuspage subscribers export --id ann@example.com > ann.json
    """
    if ref is not None:
        data = subscriber_data_json(ctx.run(lambda svc: svc.subscriber_data(ref)))
        _write(file, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    if file is None:
        raise UsageLine("name the file to write (or - for standard output), or give --id")

    async def use(svc: Operations) -> tuple[int, str]:
        found = await svc.list_subscribers()
        return len(found), subscriber_csv.write(found, await svc.list_components())

    count, text = ctx.run(use)
    _write(file, text)
    click.echo(f"Wrote {plural(count, 'subscriber')} to {file}.", err=str(file) == "-")


def _write(file: Path | None, text: str) -> None:
    if file is None or str(file) == "-":
        click.echo(text, nl=False)
        return
    try:
        file.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageLine(f"cannot write {file}: {exc.strerror}") from exc


@subscribers.command("count")
@click.option("--state", type=STATES, default="active", show_default=True)
@click.option("--tag", help="Only those with this tag.")
@click.option("--component", metavar="NAME", help="Only those who hear about it (or all).")
@json_option
@pass_context
def count_command(
    ctx: Context, state: str, tag: str | None, component: str | None, as_json: bool
) -> None:
    """Count subscribers per channel.

    \b
    Example:
      statuspage subscribers count --state pending
    """
    counts = ctx.run(lambda svc: svc.count_subscribers(state=state, tag=tag, component=component))
    if as_json:
        echo_json(counts)
        return
    lines: list[tuple[str, ...]] = [(k, str(n)) for k, n in counts.items()]
    click.echo(table(("CHANNEL", state.upper()), [*lines, ("total", str(sum(counts.values())))]))


@subscribers.command("delete")
@click.option("--id", "ref", required=True, metavar="ID_OR_ADDRESS", help="Who to erase.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_context
def delete_command(ctx: Context, ref: str, yes: bool) -> None:
    """Erase a subscriber (a data request): their record, and every message to them,
    sent or not. It cannot be undone; nothing is sent to them afterwards.

    \b
    Example:
      statuspage subscribers delete --id ann@example.com --yes
    """
    if not yes and not stdin_is_terminal():
        raise UsageLine(f"erasing {ref} cannot be undone: pass --yes to erase without asking")
    if not yes and not click.confirm(f"Erase everything about {ref}?", err=True):
        raise UsageLine(f"nothing erased: {ref} stays (pass --yes to erase without asking)")
    done = ctx.run(lambda svc: svc.erase_subscriber(ref))
    click.echo(f"Erased {done.address} ({done.id}) and every message to them.")


def stdin_is_terminal() -> bool:
    """Whether someone can answer a question (not a script, a pipe or cron)."""
    return sys.stdin is not None and sys.stdin.isatty()
