"""Feeds: /history.rss and /history.atom (feedgen), /feed.json (JSON Feed 1.1), /maintenance.ics.

One entry per incident or maintenance, newest first. An entry's body lists the updates
newest first: the time in the page's zone, the status label in bold, then the body.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator
from markupsafe import Markup

from statuspage.markdown import plain
from statuspage.model import ACTIVE_MAINTENANCE, Incident, MaintenanceStatus
from statuspage.serialize import iso
from statuspage.site.artifacts import Doc
from statuspage.site.context import BuildContext
from statuspage.text import publishable

FEED_LIMIT = 50
CANCELLED_KEPT = timedelta(days=90)
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
JSON_FEED = "application/feed+json; charset=utf-8"
ICS = "text/calendar; charset=utf-8"


def build(ctx: BuildContext) -> Iterator[Doc]:
    snap = ctx.snap
    shown = tuple((i.id, snap.versions.get(i.id)) for i in entries(ctx))
    key = (shown, snap.page, ctx.chrome)
    feed: list[FeedGenerator] = []

    def generator() -> FeedGenerator:  # built once for both RSS and Atom
        if not feed:
            feed.append(_feed(ctx))
        return feed[0]

    def rss() -> bytes:
        return bytes(_links(ctx, generator(), "/history.rss").rss_str(pretty=False))

    def atom() -> bytes:
        return bytes(_links(ctx, generator(), "/history.atom").atom_str(pretty=False))

    yield Doc("/history.rss", RSS, rss, key)
    yield Doc("/history.atom", ATOM, atom, key)
    yield Doc("/feed.json", JSON_FEED, lambda: json_feed(ctx), key)
    windows = tuple((m.id, snap.versions.get(m.id)) for m in snap.maintenances)
    names = tuple((c.name, c.translations) for c in snap.components)
    ics_key = (windows, names, snap.page, snap.today, ctx.chrome)
    yield Doc("/maintenance.ics", ICS, lambda: ical(ctx), ics_key)


def entries(ctx: BuildContext) -> Sequence[Incident]:
    """The newest entries, in the order of their publication dates (newest first); sorted
    once per snapshot, however many feeds ask."""

    def newest() -> Sequence[Incident]:
        ordered = sorted(ctx.snap.incidents, key=lambda i: i.created_at, reverse=True)
        return ordered[:FEED_LIMIT]

    return ctx.memo(("feed entries", ctx.snap.revision, ctx.snap.taken_at), newest)


def _links(ctx: BuildContext, fg: FeedGenerator, self_path: str) -> FeedGenerator:
    """The feed's links for one format: itself as "self", the page as "alternate" (feedgen
    takes RSS's channel link from the last one)."""
    links = [
        {"href": url(ctx, self_path), "rel": "self"},
        {"href": url(ctx, "/"), "rel": "alternate"},
    ]
    fg.link(links, replace=True)
    return fg


def url(ctx: BuildContext, path: str) -> str:
    """The absolute URL of a page in this feed's language (/ru/incidents/... in Russian)."""
    return ctx.chrome.url.rstrip("/") + ctx.renderer.href(path)


def ident(ctx: BuildContext, path: str) -> str:
    """A feed's or entry's id: in the page's own language the unprefixed URL, as before there
    were language trees, so readers subscribed since then see no entry twice; in another
    language the URL in its tree (a feed of its own)."""
    if ctx.language == ctx.page_language:
        return ctx.chrome.url.rstrip("/") + path
    return url(ctx, path)


def last_change(ctx: BuildContext) -> datetime:
    """When the feed's entries last changed (not the components: they are not in it)."""
    return max((i.updated_at for i in entries(ctx)), default=ctx.snap.page.updated_at)


def entry_html(ctx: BuildContext, incident: Incident) -> Markup:
    key = (incident.id, ctx.snap.versions.get(incident.id), ctx.chrome)
    return ctx.fragment(key, "feed_entry.html", i=incident)


def _feed(ctx: BuildContext) -> FeedGenerator:
    """RSS and Atom; text goes through `publishable`, since XML refuses control characters
    that a database from before they were refused at input may hold."""
    gettext, name = ctx.renderer.gettext, publishable(ctx.chrome.name)
    fg = FeedGenerator()
    fg.id(ident(ctx, "/history"))
    fg.title(gettext("%(name)s status history") % {"name": name})
    fg.description(gettext("Incidents and maintenance of %(name)s") % {"name": name})
    fg.language(ctx.language)
    fg.updated(last_change(ctx))
    fg.lastBuildDate(last_change(ctx))
    fg.generator("statuspage")
    for incident in entries(ctx):
        link = url(ctx, f"/incidents/{incident.id}")
        entry = fg.add_entry(order="append")
        entry.id(ident(ctx, f"/incidents/{incident.id}"))
        entry.guid(ident(ctx, f"/incidents/{incident.id}"), permalink=True)
        entry.title(publishable(ctx.tr(incident, "name").text))
        entry.link(href=link)
        entry.published(incident.created_at)
        entry.updated(incident.updated_at)
        html = publishable(str(entry_html(ctx, incident)))
        entry.content(html, type="html")
        entry.description(html)
    return fg


def json_feed(ctx: BuildContext) -> bytes:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1) in this build's language."""
    name = ctx.chrome.name
    items = [_json_item(ctx, i) for i in entries(ctx)]
    body = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": ctx.renderer.gettext("%(name)s status history") % {"name": name},
        "home_page_url": url(ctx, "/"),
        "feed_url": url(ctx, "/feed.json"),
        "description": ctx.renderer.gettext("Incidents and maintenance of %(name)s")
        % {"name": name},
        "language": ctx.language,
        "items": items,
    }
    return json.dumps(body, ensure_ascii=False, indent=1).encode()


def _json_item(ctx: BuildContext, i: Incident) -> dict[str, object]:
    title = ctx.tr(i, "name")
    latest = ctx.tr(i.updates[0], "body") if i.updates else None
    return {
        "id": ident(ctx, f"/incidents/{i.id}"),
        "url": url(ctx, f"/incidents/{i.id}"),
        "title": title.text,
        "content_html": str(entry_html(ctx, i)),
        "summary": plain(latest.text) if latest else "",
        "date_published": iso(i.created_at),
        "date_modified": iso(i.updated_at),
        "tags": list(dict.fromkeys([i.kind.value, i.impact.value])),
    }


def calendar_items(ctx: BuildContext) -> list[Incident]:
    """Scheduled and in-progress maintenance, and recently cancelled ones (calendars drop them)."""
    keep = ctx.snap.taken_at - CANCELLED_KEPT
    out = []
    for m in ctx.snap.maintenances:
        if m.scheduled_for is None or m.scheduled_until is None:
            continue
        live = m.status == MaintenanceStatus.SCHEDULED or m.status in ACTIVE_MAINTENANCE
        cancelled = m.status == MaintenanceStatus.CANCELLED and m.scheduled_until >= keep
        if live or cancelled:
            out.append(m)
    return out


def ical(ctx: BuildContext) -> bytes:
    """An iCalendar (RFC 5545) feed: one VEVENT per maintenance window, stable UIDs."""
    page = ctx.snap.page
    host = urlsplit(page.url).hostname or "statuspage"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//statuspage//maintenance calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:"
        + _text(ctx.renderer.gettext("%(name)s maintenance") % {"name": ctx.chrome.name}),
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
    ]
    for m in calendar_items(ctx):
        lines += _vevent(ctx, m, host)
    lines.append("END:VCALENDAR")
    return ("".join(_fold(line) + "\r\n" for line in lines)).encode()


def _vevent(ctx: BuildContext, m: Incident, host: str) -> list[str]:
    assert m.scheduled_for is not None and m.scheduled_until is not None
    names = [
        ctx.tr(ctx.snap.component_by_id[c], "name").text
        for c in m.component_ids
        if c in ctx.snap.component_by_id
    ]
    summary, body = ctx.tr(m, "name"), ctx.tr(m.updates[0], "body") if m.updates else None
    description = plain(body.text, limit=2000) if body else ""
    source = summary.lang or (body.lang if body else None)
    if source:
        description += "\n\n" + ctx.renderer.original_note(source)
    if names:
        description += "\n\n" + ctx.renderer.gettext("Affects: %(names)s") % {
            "names": ", ".join(names)
        }
    link = url(ctx, f"/incidents/{m.id}")
    return [
        "BEGIN:VEVENT",
        f"UID:{m.id}@{host}",
        "DTSTAMP:" + _utc(m.updated_at),
        "LAST-MODIFIED:" + _utc(m.updated_at),
        "CREATED:" + _utc(m.created_at),
        "SEQUENCE:" + str(len(m.updates)),
        "DTSTART:" + _utc(m.scheduled_for),
        "DTEND:" + _utc(m.scheduled_until),
        f"SUMMARY;LANGUAGE={summary.lang or ctx.language}:" + _text(summary.text),
        "DESCRIPTION:" + _text(f"{description}\n\n{link}".strip()),
        "URL:" + link,
        "STATUS:" + ("CANCELLED" if m.status == MaintenanceStatus.CANCELLED else "CONFIRMED"),
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def _utc(at: datetime) -> str:
    return (iso(at) or "").replace("-", "").replace(":", "")[:15] + "Z"


def _text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11; control characters are not allowed in it)."""
    return (
        publishable(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)
