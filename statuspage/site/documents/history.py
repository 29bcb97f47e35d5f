"""/history (the most recent incidents and maintenance) and /history/YYYY-MM[/N] month pages.

Month pages have stable URLs, so a CDN and the publisher both keep closed months as they
are; a month with many incidents is split into pages of PER_PAGE.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from statuspage.model import Incident
from statuspage.site.artifacts import HTML, Doc
from statuspage.site.context import BuildContext
from statuspage.site.documents.pages import shown_at, summary

RECENT = 50
PER_PAGE = 100
Link = tuple[str, str] | None


def build(ctx: BuildContext) -> Iterator[Doc]:
    key = ("history docs", ctx.snap.incidents_version, ctx.snap.today.replace(day=1), ctx.chrome)
    yield from ctx.memo(key, lambda: list(_build(ctx)))


def _build(ctx: BuildContext) -> Iterator[Doc]:
    months = _months(ctx)
    by_month: dict[date, list[Incident]] = {m: [] for m in months}
    listed = [i for i in ctx.snap.incidents if not (i.is_maintenance and i.status == "scheduled")]
    for i in listed:
        by_month.setdefault(_month_of(ctx, i), []).append(i)
    # Month pages list the months without counts, so a new incident leaves older months alone.
    counted = tuple((_href(m), ctx.month(m), len(by_month[m])) for m in months)
    archive = tuple((href, label, None) for href, label, _ in counted)
    pages = [(m, part, chunk) for m in months for part, chunk in _chunks(by_month[m])]
    for index, (month, part, items) in enumerate(pages):
        newer = _link(ctx, pages[index - 1][:2]) if index > 0 else None
        older = _link(ctx, pages[index + 1][:2]) if index + 1 < len(pages) else None
        yield _page(ctx, _href(month, part), month, part, items, newer, older, archive)
    recent = listed[:RECENT]
    key: Hashable = (_versions(ctx, recent), counted, ctx.chrome)
    # No pager here: the archive below (every month, with counts) is the way to older months.
    yield Doc("/history", HTML, lambda: _recent(ctx, recent, counted), key)


def _recent(ctx: BuildContext, items: Sequence[Incident], archive: tuple[Any, ...]) -> str:
    gettext = ctx.renderer.gettext
    grouped: dict[date, list[Any]] = {}
    for i in items:
        grouped.setdefault(_month_of(ctx, i), []).append(summary(ctx, i))
    if not grouped:
        grouped[ctx.snap.today.replace(day=1)] = []
    return ctx.render(
        "history.html",
        title=gettext("Incident history") + f" · {ctx.chrome.name}",
        section="history",
        heading=gettext("Incident history"),
        months=[(ctx.month(m), rows) for m, rows in grouped.items()],
        newer=None,
        older=None,
        archive=archive,
        current="",
    )


def _page(
    ctx: BuildContext,
    path: str,
    month: date,
    part: int | None,
    items: Sequence[Incident],
    newer: Link,
    older: Link,
    archive: tuple[Any, ...],
) -> Doc:
    key = (_versions(ctx, items), newer, older, archive, ctx.chrome)

    def render() -> str:
        label = ctx.month(month)
        gettext = ctx.renderer.gettext
        heading = gettext("Incident history: %(month)s") % {"month": label}
        if part:
            heading += " · " + gettext("part %(n)d") % {"n": part}
        return ctx.render(
            "history.html",
            title=f"{label} · {ctx.chrome.name}",
            section="history",
            heading=heading,
            months=[(label, [summary(ctx, i) for i in items])],
            newer=newer,
            older=older,
            archive=archive,
            current=_href(month),
        )

    return Doc(path, HTML, render, key)


def _chunks(items: list[Incident]) -> list[tuple[int | None, list[Incident]]]:
    """A month's pages, newest first: the newest at the month's URL (part None), then parts
    numbered from the oldest, so a new incident changes only the newest page."""
    oldest_first = items[::-1]
    chunks = [oldest_first[n : n + PER_PAGE] for n in range(0, len(oldest_first), PER_PAGE)]
    chunks = chunks or [[]]
    parts: list[int | None] = [*range(1, len(chunks)), None]
    return [(part, chunk[::-1]) for part, chunk in zip(parts, chunks, strict=True)][::-1]


def _months(ctx: BuildContext) -> list[date]:
    """Every month from the oldest incident's to this one, newest first."""
    current = ctx.snap.today.replace(day=1)
    oldest = min((_month_of(ctx, i) for i in ctx.snap.incidents), default=current)
    months, month = [], current
    while month >= oldest:
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return months


def _month_of(ctx: BuildContext, incident: Incident) -> date:
    return _local_month(shown_at(incident), ctx.snap.tz)


@lru_cache(maxsize=65_536)
def _local_month(at: datetime, tz: ZoneInfo) -> date:
    return at.astimezone(tz).date().replace(day=1)


def _versions(ctx: BuildContext, items: Sequence[Incident]) -> tuple[object, ...]:
    versions = ctx.snap.versions
    return tuple((i.id, versions.get(i.id)) for i in items)


def _link(ctx: BuildContext, page: tuple[date, int | None]) -> tuple[str, str]:
    month, part = page
    label = ctx.month(month)
    if part:
        label += " · " + ctx.renderer.gettext("part %(n)d") % {"n": part}
    return _href(month, part), label


def _href(month: date, part: int | None = None) -> str:
    return f"/history/{month:%Y-%m}" + (f"/{part}" if part else "")
