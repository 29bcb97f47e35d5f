"""How `statuspage subscribers ...` prints subscribers: a table, one in detail, the import."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import click

from statuspage.cli.output import table
from statuspage.cli.times import local
from statuspage.model import Channel, Component, Subscriber
from statuspage.service.subscriber_import import ImportReport

NO_KEY = (
    "warning: STATUSPAGE_SECRET_KEY is not set here: no message to subscribers (confirmations "
    "included) can be sent without it; set it where `statuspage serve` runs"
)


def rows(found: Sequence[Subscriber], components: Sequence[Component]) -> str:
    if not found:
        return "No subscribers."
    names = {c.id: c.name for c in components}
    return table(
        ("ID", "CHANNEL", "STATE", "COMPONENTS", "TAGS", "ADDRESS"),
        [(s.id, s.channel.value, s.state.value, components_of(s, names), ",".join(s.tags) or "-",
          s.address) for s in found],
    )  # fmt: skip


def components_of(s: Subscriber, names: dict[str, str]) -> str:
    return "all" if s.all_components else ", ".join(names.get(c, c) for c in s.component_ids)


def details(
    s: Subscriber, components: Sequence[Component], time_zone: str, purge_at: datetime | None
) -> str:
    """Every field of one subscriber, times in the page's time zone."""

    def when(value: datetime | None) -> str:
        return local(value, time_zone) if value else "-"

    state = s.state.value
    if purge_at is not None:
        state += f" (deleted {when(purge_at)} unless confirmed)"
    lines = [
        f"Subscriber {s.id}: {s.address}",
        f"Channel:      {s.channel.value}",
        f"State:        {state}",
        f"Components:   {components_of(s, {c.id: c.name for c in components})}",
        f"Tags:         {', '.join(s.tags) or '-'}",
        f"Language:     {s.language}",
    ]
    if s.channel is Channel.SMS:
        lines.append(f"Country:      {s.phone_country or '-'}")
    lines += [
        f"Created:      {when(s.created_at)}",
        f"Updated:      {when(s.updated_at)}",
        f"Confirmed:    {when(s.confirmed_at)}",
        f"Unsubscribed: {when(s.unsubscribed_at)}",
    ]
    return "\n".join(lines)


def import_report(r: ImportReport, name: str) -> None:
    """Skipped and rejected rows in line order (stderr), then the totals; exit 1 on any
    rejected row."""
    problems = [(line, f"skipped: {why}") for line, why in r.skipped]
    problems += [(line, f"rejected: {why}") for line, why in r.rejected]
    for line, what in sorted(problems, key=lambda p: p[0]):
        click.echo(f"{name}:{line}: {what}", err=True)
    click.echo(
        f"Imported {r.created} new, {r.updated} updated, {r.unchanged} unchanged; "
        f"{len(r.skipped)} skipped, {len(r.rejected)} rejected."
    )


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
