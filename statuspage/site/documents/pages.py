"""The human-readable site: the home page and one page per incident (rendered at publish time).

Nothing here runs on a request: `build` yields the documents the publisher renders once per
change. The uptime bars and day cells here are shared with the history and uptime pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from markupsafe import Markup

from statuspage.branding import accent_css, accent_path, logo_path
from statuspage.model import Component, ComponentStatus, Group, Incident, Page, worst_status
from statuspage.site.artifacts import HTML, Doc
from statuspage.site.context import BuildContext
from statuspage.site.render import COMPONENT_LABELS, Shown
from statuspage.site.uptime_view import PHONE_DAYS, Uptime, shown
from statuspage.uptime import Day, percent

PAST_DAYS = 7
IMMUTABLE = "public, max-age=31536000, immutable"
CSS_TYPE = "text/css; charset=utf-8"
# Open incidents after the first two show their latest update folded, so that on a phone the
# components stay reachable however many incidents are open (page.js unfolds them on a wide
# screen; without scripts they stay folded, one tap away).
COLLAPSE_AFTER = 2
IMPACT_RANK = {"none": 0, "maintenance": 0, "minor": 1, "major": 2, "critical": 3}


def build(ctx: BuildContext) -> Iterator[Doc]:
    yield Doc("/", HTML, lambda: home(ctx))
    yield from branding_docs(ctx.snap.page)
    names = tuple((c.id, c.name, c.translations) for c in ctx.snap.components)
    world = ctx.token("incident pages", (names, ctx.chrome))
    yield from ctx.memo(
        ("incident docs", ctx.snap.incidents_version, world), lambda: incident_docs(ctx, world)
    )


def branding_urls(page: Page) -> dict[str, str]:
    """The Chrome fields of the page's logo and accent: the URLs they are published at."""
    css = accent_css(page.accent)
    return {
        "logo_url": logo_path(page.logo) if page.logo else "",
        "accent_url": accent_path(css) if css else "",
    }


def branding_docs(page: Page) -> Iterator[Doc]:
    """The logo and the accent stylesheet, at URLs named by their content (cached for ever)."""
    logo, css = page.logo, accent_css(page.accent)
    if logo is not None:
        data = logo.data
        yield Doc(logo_path(logo), logo.content_type, lambda: data, logo.digest, cache=IMMUTABLE)
    if css:
        yield Doc(accent_path(css), CSS_TYPE, lambda: css, css, cache=IMMUTABLE)


def incident_docs(ctx: BuildContext, world: int) -> list[Doc]:
    """One page per incident, keyed by its version and by what every such page shows."""
    versions = ctx.snap.versions
    made: dict[str, tuple[str | None, Doc]] = ctx.memo(("incident doc cache", world), dict)
    out = []
    for i in ctx.snap.incidents:
        version = versions.get(i.id)
        found = made.get(i.id)
        if found is None or found[0] != version:
            found = made[i.id] = (version, _incident_doc(ctx, i, version, world))
        out.append(found[1])
    if len(made) > 2 * len(out) + 100:  # forget deleted incidents now and then
        for gone in made.keys() - versions.keys():
            del made[gone]
    return out


def _incident_doc(ctx: BuildContext, i: Incident, version: str | None, world: int) -> Doc:
    return Doc(f"/incidents/{i.id}", HTML, _incident_page(ctx, i), (version, world))


def home(ctx: BuildContext) -> str:
    snap = ctx.snap
    return ctx.render(
        "home.html",
        title=ctx.renderer.gettext("%(name)s status") % {"name": ctx.chrome.name},
        status=snap.status,
        updated_at=snap.updated_at,
        incidents=[
            notice(ctx, i, collapsed=n >= COLLAPSE_AFTER)
            for n, i in enumerate(by_impact(snap.unresolved))
        ],
        collapse_after=COLLAPSE_AFTER,
        legend=legend(ctx),
        active=[notice(ctx, i) for i in snap.active_maintenance],
        upcoming=[notice(ctx, i) for i in snap.upcoming_maintenance],
        rows=list(component_rows(ctx)),
        untranslated=untranslated_names(ctx),
        past=past_days(ctx),
    )


def untranslated_names(ctx: BuildContext) -> str | None:
    """The page's language when a listed component or group name has no translation into
    this build's language (the list then says so once), else None."""
    if ctx.language == ctx.page_language:
        return None
    shown = visible_components(ctx.snap.components)
    groups = {c.group_id for c in shown}
    names = [ctx.tr(c, "name") for c in shown]
    names += [ctx.tr(g, "name") for g in ctx.snap.groups if g.id in groups]
    return ctx.page_language if any(n.lang for n in names) else None


def by_impact(incidents: Iterable[Incident]) -> list[Incident]:
    """Open incidents as the home page lists them: the worst impact first, then the most
    recently started (a customer reads first what hurts most, and the newest of those)."""
    newest_first = sorted(incidents, key=lambda i: i.started_at, reverse=True)
    return sorted(newest_first, key=lambda i: IMPACT_RANK.get(str(i.impact), 0), reverse=True)


def legend(ctx: BuildContext) -> list[tuple[str, str]]:
    """What each colour of an uptime bar means, with "no data" (the bar's grey)."""
    gettext = ctx.renderer.gettext
    shown = [(CSS[s], gettext(_label(s))) for s in LEGEND]
    return [*shown, (CSS[None], gettext("No data"))]


def notice(ctx: BuildContext, incident: Incident, *, collapsed: bool = False) -> Markup:
    """An open incident or maintenance; `collapsed` folds its latest update into <details>
    (with many open incidents, the components stay within reach on a phone)."""
    names = _names(ctx, incident)
    key = (incident.id, ctx.snap.versions.get(incident.id), names, collapsed, ctx.chrome)
    return ctx.fragment(key, "notice.html", i=incident, names=names, collapsed=collapsed)


def summary(ctx: BuildContext, incident: Incident) -> Markup:
    key = (incident.id, ctx.snap.versions.get(incident.id), ctx.chrome)
    return ctx.fragment(key, "summary.html", i=incident)


def component_rows(ctx: BuildContext) -> Iterator[Markup]:
    """Groups (with their members) and ungrouped components, in page order."""
    groups = {g.id: g for g in ctx.snap.groups}
    members: dict[str | None, list[Component]] = {}
    for c in visible_components(ctx.snap.components):
        members.setdefault(c.group_id, []).append(c)
    seen: set[str] = set()
    for c in ctx.snap.components:
        if c.group_id is None and c in members.get(None, []):
            yield component_row(ctx, c)
        elif c.group_id in groups and c.group_id not in seen and members.get(c.group_id):
            seen.add(c.group_id)
            yield group_row(ctx, groups[c.group_id], members[c.group_id])


def visible_components(components: Iterable[Component]) -> list[Component]:
    """Components the page lists: "only show if degraded" ones only while not operational."""
    return [
        c
        for c in components
        if not (c.only_show_if_degraded and c.status is ComponentStatus.OPERATIONAL)
    ]


def component_row(ctx: BuildContext, c: Component) -> Markup:
    up = ctx.uptime.get(c.id)
    bar = uptime_bar(ctx, c.id, ctx.tr(c, "name").text, up) if (up and c.showcase) else Markup("")
    return ctx.fragment((c, bar, ctx.chrome), "component.html", c=c, bar=bar)


def group_row(ctx: BuildContext, g: Group, members: Sequence[Component]) -> Markup:
    rows = [component_row(ctx, c) for c in members]
    status = worst_status(c.status for c in members)
    up = ctx.uptime.get(g.id)
    figure = percent(up.figure) if up else ""
    key = (g, tuple(rows), status, figure, ctx.chrome)
    return ctx.fragment(
        key,
        "group.html",
        g=g,
        members=rows,
        status=status.value,
        figure=figure,
        open=status is not ComponentStatus.OPERATIONAL,
    )


def uptime_bar(ctx: BuildContext, bar_id: str, name: str, up: Uptime) -> Markup:
    figure, recent = percent(up.figure), percent(up.recent)
    events = event_names(ctx, up)
    key = (bar_id, name, up.stamp, shown(up.today), figure, recent, events, ctx.chrome)
    return ctx.lazy(key, "bar.html", lambda: _bar_context(ctx, bar_id, name, up, figure, recent))


def _bar_context(
    ctx: BuildContext, bar_id: str, name: str, up: Uptime, figure: str, recent: str
) -> dict[str, Any]:
    """A bar's days, captions and labels; a row younger than the span shown says "since 3 Dec"."""
    since, since30 = up.since(), up.since(PHONE_DAYS)
    return {
        "id": bar_id,
        "name": name,
        "days": [bar_cell(ctx, d) for d in up.bar],
        "figure": figure,
        "recent": recent,
        "since": ctx.day(since, "MMMd") if since else "",
        "since30": ctx.day(since30, "MMMd") if since30 else "",
    }


CSS = {
    None: "s-none",
    ComponentStatus.OPERATIONAL: "s-ok",
    ComponentStatus.UNDER_MAINTENANCE: "s-maint",
    ComponentStatus.DEGRADED_PERFORMANCE: "s-minor",
    ComponentStatus.PARTIAL_OUTAGE: "s-major",
    ComponentStatus.MAJOR_OUTAGE: "s-critical",
}


LEGEND = (
    ComponentStatus.OPERATIONAL,
    ComponentStatus.DEGRADED_PERFORMANCE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.MAJOR_OUTAGE,
    ComponentStatus.UNDER_MAINTENANCE,
)


def cell(ctx: BuildContext, d: Day) -> dict[str, Any]:
    """What one day of a bar or calendar shows: class, date, uptime text, details."""
    gettext = ctx.renderer.gettext
    renderer = ctx.renderer
    if d.uptime is None:
        text, short = gettext("No data"), ""
    else:
        short = renderer.percent(percent(d.uptime), short=True)
        text = gettext("%(pct)s uptime") % {"pct": renderer.percent(percent(d.uptime))}
    lines = []
    for seconds, label in (
        (d.major_seconds, "major_outage"),
        (d.partial_seconds, "partial_outage"),
    ):
        if seconds:
            span = ctx.renderer.duration(ctx.snap.taken_at, ctx.snap.taken_at + _secs(seconds))
            lines.append(f"{gettext(_label(label))}: {span}")
    if not lines and d.worst is not None and d.worst is not ComponentStatus.OPERATIONAL:
        lines.append(gettext(_label(d.worst)))
    lines += [ctx.incident_name(event, name) for event, name in d.events[:3]]
    if len(d.events) > 3:
        lines.append(gettext("and %(n)d more") % {"n": len(d.events) - 3})
    return {
        "css": CSS[d.worst],
        "date": ctx.day(d.day, "MMMd"),
        "full_date": ctx.day(d.day),
        "text": text,
        "short": short,
        "lines": lines,
        "iso": d.day.isoformat(),
        "number": d.day.day,
    }


BAR_CELL = Markup("<li class={css} tabindex=0><span><b>{date}</b> {text}{lines}</span>")
CALENDAR_CELL = Markup(
    '<td class="d {css}" id="d-{iso}"><span class="num">{number}</span>'
    '<span class="pct">{short}</span><span class="visually-hidden">{full_date}: {text}</span></td>'
)


def bar_cell(ctx: BuildContext, d: Day) -> Markup:
    """One day of an uptime bar, as HTML; days are equal between publishes, so it is memoised."""

    def make() -> Markup:
        c = cell(ctx, d)
        lines = Markup("").join(Markup("<br>{}").format(line) for line in c["lines"])
        return BAR_CELL.format(css=c["css"], date=c["date"], text=c["text"], lines=lines)

    return ctx.memo(("bar cell", d, _event_names(ctx, d)), make)


def calendar_cell(ctx: BuildContext, d: Day) -> Markup:
    key = ("calendar cell", d, _event_names(ctx, d))
    return ctx.memo(key, lambda: CALENDAR_CELL.format(**cell(ctx, d)))


def event_names(ctx: BuildContext, up: Uptime) -> tuple[str, ...]:
    """The incident names a row's days show, in this language: days keep only the originals,
    so a new translation must change the keys of what shows them."""
    if ctx.language == ctx.page_language:
        return ()
    key = ("row events", up.stamp, shown(up.today))
    ids = ctx.memo(key, lambda: tuple(dict.fromkeys(e for d in up.days for e in d.events)))
    return tuple(ctx.incident_name(i, n) for i, n in ids)


def _event_names(ctx: BuildContext, d: Day) -> tuple[str, ...]:
    """The names a day's details show, in this language (a day keeps only the originals)."""
    if not d.events or ctx.language == ctx.page_language:
        return ()
    return tuple(ctx.incident_name(event, name) for event, name in d.events[:3])


def _label(status: str) -> str:
    return COMPONENT_LABELS[str(status)]


def _secs(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


def past_days(ctx: BuildContext) -> list[tuple[str, list[Markup]]]:
    """The last seven days, each with the incidents and maintenance that began on it."""
    by_day: dict[date, list[Incident]] = {}
    first = ctx.snap.today - timedelta(days=PAST_DAYS - 1)
    for i in ctx.snap.incidents:  # newest first: stop at the first one before the week
        if i.is_maintenance and i.status == "scheduled":
            continue
        day = shown_at(i).astimezone(ctx.snap.tz).date()
        if day < first:
            break
        if day <= ctx.snap.today:
            by_day.setdefault(day, []).append(i)
    days = [ctx.snap.today - timedelta(days=n) for n in range(PAST_DAYS)]
    return [(ctx.day(d), [summary(ctx, i) for i in by_day.get(d, [])]) for d in days]


def shown_at(i: Incident) -> datetime:
    """When an item belongs in lists: when it began, or a maintenance's planned start until it
    does (a maintenance completed before its window is filed when it ran)."""
    return i.listed_at


def _names(ctx: BuildContext, incident: Incident) -> tuple[Shown, ...]:
    """The names of the components an incident affects, in this language."""
    found = (ctx.snap.component_by_id.get(cid) for cid in incident.component_ids)
    return tuple(ctx.tr(c, "name") for c in found if c is not None)


def _incident_page(ctx: BuildContext, incident: Incident) -> Any:
    return lambda: ctx.render(
        "incident.html",
        title=f"{ctx.tr(incident, 'name').text} · {ctx.chrome.name}",
        section="history",
        i=incident,
        names=_names(ctx, incident),
    )
