"""Importing subscribers from CSV rows: every row checked, the good ones in one transaction.

Columns: `channel` and `address` (required); `phone_country`, `components` (names or ids,
separated by ";"; empty or "all": every component), `tags` (";"), `language`; `state` (a
row that says "unsubscribed" is skipped). `id`, `created_at`, `updated_at`,
`confirmed_at` and `unsubscribed_at` (what `export` writes) are ignored.

A new subscriber gets every field of the row. For one we have, a filled cell sets that
field and an empty one leaves it alone (their own choice of components stays unless the
file says otherwise), so importing the same file again changes nothing. Someone who
unsubscribed is never subscribed again by an import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from statuspage import subscriber_csv
from statuspage.addresses import Address, normalise
from statuspage.confirmations import close_confirmation, open_confirmation
from statuspage.errors import InvalidInput
from statuspage.model import Subscriber, SubscriberState, new_id
from statuspage.service.context import ServiceContext
from statuspage.service.subscription_base import (
    SubscriptionRules,
    check_tags,
    parse_channel,
)
from statuspage.storage import Queries

REQUIRED = ("channel", "address")
OPTIONAL = ("phone_country", "components", "tags", "language", "state")
IGNORED = ("id", "created_at", "updated_at", "confirmed_at", "unsubscribed_at")
ACTIVE, PENDING = SubscriberState.ACTIVE, SubscriberState.PENDING


@dataclass(frozen=True)
class ImportRow:
    line: int  # in the file, for the report
    values: Mapping[str, str]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    line: int
    address: Address
    given: Mapping[str, str]


def check_columns(columns: Sequence[str]) -> None:
    """Refuse a file whose header lacks a required column or names an unknown one."""
    known = (*REQUIRED, *OPTIONAL, *IGNORED)
    for name in columns:
        if name not in known:
            raise InvalidInput(f"unknown column {name!r}; columns: {', '.join(known)}")
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise InvalidInput(f"the header needs the column {missing[0]!r}")


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(";") if part.strip())


class SubscriberImport:
    """Importing subscribers from CSV."""

    def __init__(self, ctx: ServiceContext, rules: SubscriptionRules) -> None:
        self.ctx = ctx
        self.rules = rules

    async def import_subscribers(
        self, columns: Sequence[str], rows: Sequence[ImportRow], skip_confirmation: bool
    ) -> ImportReport:
        check_columns(columns)
        report = ImportReport()
        parsed = [r for r in (self._parse(row, report) for row in rows) if r is not None]
        async with self.ctx.write(public=False) as q:
            seen: dict[str, int] = {}
            for row in parsed:
                key = f"{row.address.channel.value}:{row.address.value}"
                if key in seen:
                    report.rejected.append((row.line, f"the same address as line {seen[key]}"))
                    continue
                seen[key] = row.line
                try:
                    await self._import(q, row, skip_confirmation, report)
                except InvalidInput as exc:
                    report.rejected.append((row.line, str(exc)))
        report.rejected.sort()
        return report

    async def import_csv(self, text: str, skip_confirmation: bool) -> ImportReport:
        """Import a CSV file's text (see statuspage.subscriber_csv)."""
        header, rows = subscriber_csv.read(text)
        return await self.import_subscribers(
            header, [ImportRow(line, values) for line, values in rows], skip_confirmation
        )

    def _parse(self, row: ImportRow, report: ImportReport) -> _Row | None:
        values = {k: (v or "").strip() for k, v in row.values.items()}
        if values.get(subscriber_csv.PROBLEM):
            report.rejected.append((row.line, values[subscriber_csv.PROBLEM]))
            return None
        if values.get("state", "").lower() == "unsubscribed":
            report.skipped.append((row.line, "unsubscribed in the file"))
            return None
        try:
            channel = parse_channel(values.get("channel", ""))
            country = values.get("phone_country") or None
            address = normalise(channel, values.get("address", ""), country, self.ctx.address_rules)
            check_tags(_split(values.get("tags", "")))
        except InvalidInput as exc:
            report.rejected.append((row.line, str(exc)))
            return None
        return _Row(row.line, address, values)

    async def _import(self, q: Queries, row: _Row, skip: bool, report: ImportReport) -> None:
        given = row.given
        wanted = await self.rules.wanted(q, _components(given), given.get("language") or "en")
        found = await q.find_subscriber(row.address.channel, row.address.value)
        if found is not None and found.state is SubscriberState.UNSUBSCRIBED:
            report.skipped.append((row.line, "unsubscribed; not subscribed again by an import"))
            return
        now = self.ctx.now()
        if found is None:
            s = Subscriber(
                new_id(), row.address.channel, row.address.value, ACTIVE if skip else PENDING,
                now, now, all_components=wanted.component_ids is None,
                component_ids=wanted.component_ids or (), tags=check_tags(_split(given.get(
                    "tags", ""))), language=wanted.language,
                phone_country=row.address.phone_country, confirmed_at=now if skip else None,
            )  # fmt: skip
            await q.save_subscriber(s)
            if not skip:
                await open_confirmation(q, s, self.ctx.subscription_policy, now)
            report.created += 1
            return
        found = replace(found, component_ids=tuple(sorted(found.component_ids)))
        changed = _merged(found, given, wanted.component_ids, wanted.language)
        if skip and changed.state is PENDING:
            changed = replace(changed, state=ACTIVE, confirmed_at=now)
            why = "subscribed without confirmation by an import"
            await close_confirmation(q, found.id, why, now)
        if changed == found:
            report.unchanged += 1
            return
        await q.save_subscriber(replace(changed, updated_at=now))
        report.updated += 1


def _components(given: Mapping[str, str]) -> tuple[str, ...] | None:
    """The components a row names; None: every component."""
    names = _split(given.get("components", ""))
    return None if names in ((), ("all",)) else names


def _merged(
    s: Subscriber, given: Mapping[str, str], ids: tuple[str, ...] | None, language: str
) -> Subscriber:
    """A subscriber we have, with the fields the row fills in."""
    if given.get("components"):
        s = replace(s, all_components=ids is None, component_ids=ids or ())
    if given.get("tags"):
        s = replace(s, tags=check_tags(_split(given["tags"])))
    if given.get("language"):
        s = replace(s, language=language)
    return s
