"""/uptime (every component by month) and /uptime/{id} (a monthly calendar per component)."""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from babel import Locale

from statuspage.model import worst_status
from statuspage.site.artifacts import HTML, Doc
from statuspage.site.context import BuildContext
from statuspage.site.documents.pages import calendar_cell, event_names, visible_components
from statuspage.site.render import Shown
from statuspage.site.uptime_view import BAR_DAYS, CALENDAR_MONTHS, Uptime, shown
from statuspage.uptime import Day, overall, percent

Column = tuple[date, date]  # a month column: the month's first day, the first day it counts


def build(ctx: BuildContext) -> Iterator[Doc]:
    columns = _columns(ctx.snap.today)
    rows = list(_rows(ctx, columns))
    key = (tuple(rows), ctx.chrome, bool(ctx.snap.probes))
    yield Doc("/uptime", HTML, lambda: _overview(ctx, columns, rows), key)
    parents = {g.id: ctx.tr(g, "name") for g in ctx.snap.groups}
    for row in rows:
        up = ctx.uptime[row["id"]]
        parent = parents.get(row["parent"] or "")
        events = event_names(ctx, up)
        doc_key = (row["id"], row["name"], parent, up.stamp, shown(up.today), events, ctx.chrome)
        yield Doc(
            f"/uptime/{row['id']}", HTML, _calendar_page(ctx, row["name"], parent, up), doc_key
        )


def _months(today: date) -> list[date]:
    """The first day of this month and the previous ones, oldest first."""
    out = [today.replace(day=1)]
    for _ in range(CALENDAR_MONTHS - 1):
        out.append((out[-1] - timedelta(days=1)).replace(day=1))
    return out[::-1]


def _columns(today: date) -> list[Column]:
    """The overview's month columns, oldest first: the last three months and, before them,
    the part of the month the 90-day figure begins in ("September 2026, from Sep 5"), so
    every day that figure counts is in a month column and the two can be reconciled."""
    first = today - timedelta(days=BAR_DAYS - 1)
    months = _months(today)
    head = [(first.replace(day=1), first)] if first < months[0] else []
    return [*head, *((m, m) for m in months)]


def _rows(ctx: BuildContext, months: Sequence[Column]) -> Iterator[dict[str, Any]]:
    groups = {g.id: g for g in ctx.snap.groups}
    shown: set[str] = set()
    for c in visible_components(ctx.snap.components):
        if c.group_id in groups and c.group_id not in shown:
            shown.add(c.group_id)
            g = groups[c.group_id]
            yield _row(ctx, g.id, ctx.tr(g, "name"), months, group=True)
        yield _row(ctx, c.id, ctx.tr(c, "name"), months, parent=c.group_id)


def _row(
    ctx: BuildContext,
    row_id: str,
    name: Shown,
    months: Sequence[Column],
    *,
    group: bool = False,
    parent: str | None = None,
) -> dict[str, Any]:
    up = ctx.uptime[row_id]
    key = ("uptime row", row_id, up.stamp, shown(up.today), tuple(months))

    def compute() -> tuple[tuple[str, str], ...]:
        cells = tuple(
            _month_cell([d for d in _in_month(up.days, m) if d.day >= start]) for m, start in months
        )
        return (*cells, _month_cell(up.bar))

    cells = ctx.memo(key, compute)
    return {
        "id": row_id,
        "name": name,
        "group": group,
        "child": parent is not None,
        "parent": parent,
        "cells": cells,
    }


def _month_cell(days: Sequence[Day]) -> tuple[str, str]:
    """The month's uptime and its worst status (shown as an icon with a label)."""
    known = [d.worst for d in days if d.worst is not None]
    worst = worst_status(known) if known else None
    shown = worst.value if worst is not None and worst.value != "operational" else ""
    return percent(overall(days)), shown


def _in_month(days: Sequence[Day], month: date) -> list[Day]:
    return [d for d in days if d.day.year == month.year and d.day.month == month.month]


def _overview(ctx: BuildContext, months: Sequence[Column], rows: list[dict[str, Any]]) -> str:
    gettext = ctx.renderer.gettext
    today = ctx.snap.today
    first = today - timedelta(days=BAR_DAYS - 1)
    return ctx.render(
        "uptime.html",
        title=gettext("Uptime") + f" · {ctx.chrome.name}",
        section="uptime",
        # (label, its first day when the column holds only part of the month)
        month_labels=[(ctx.month(m), ctx.day(s, "MMMd") if s != m else None) for m, s in months],
        bar_span=(ctx.day(first, "MMMd"), ctx.day(today, "MMMd")),
        rows=rows,
        untranslated=next((r["name"].lang for r in rows if r["name"].lang), None),
        probed=bool(ctx.snap.probes),  # some component's uptime comes from checks
    )


def _calendar_page(ctx: BuildContext, name: Shown, parent: Shown | None, up: Uptime) -> Any:
    def render() -> str:
        locale = Locale.parse(ctx.renderer.locale)
        first = locale.first_week_day
        names = locale.days["format"]
        weekdays = [
            (names["narrow"][(first + n) % 7], names["wide"][(first + n) % 7]) for n in range(7)
        ]
        return ctx.render(
            "uptime_component.html",
            title=ctx.renderer.gettext("%(name)s uptime") % {"name": name.text}
            + f" · {ctx.chrome.name}",
            section="uptime",
            name=name,
            parent=parent,
            weekdays=weekdays,
            months=[_month(ctx, up, m, first) for m in reversed(_months(ctx.snap.today))],
        )

    return render


def _month(ctx: BuildContext, up: Uptime, month: date, first_weekday: int) -> dict[str, Any]:
    days = {d.day: d for d in _in_month(up.days, month)}
    weeks = calendar.Calendar(first_weekday).monthdatescalendar(month.year, month.month)
    grid = [
        [
            (calendar_cell(ctx, days.get(d) or Day(d, None)) if d.month == month.month else None)
            for d in week
        ]
        for week in weeks
    ]
    events = dict.fromkeys(e for d in days.values() for e in d.events)
    return {
        "label": ctx.month(month),
        "figure": percent(overall(days.values())),
        "weeks": grid,
        "events": [(f"/incidents/{i}", ctx.incident_name(i, n)) for i, n in events],
    }
