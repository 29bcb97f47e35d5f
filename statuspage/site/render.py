"""The Jinja2 environment of the public site: gettext, times in the page's zone, labels, fragments.

Every user-visible string goes through gettext (Jinja2's i18n extension; Babel catalogs in
statuspage/locale). Labels defined here are marked with N_ so `make messages` extracts them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from statuspage import markdown
from statuspage.languages import QUERY, locale_id
from statuspage.resources import LOCALES, STATIC, TEMPLATES
from statuspage.site.language_links import language_links


def N_(text: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return text


COMPONENT_LABELS = {
    "operational": N_("Operational"),
    "degraded_performance": N_("Degraded performance"),
    "partial_outage": N_("Partial outage"),
    "major_outage": N_("Major outage"),
    "under_maintenance": N_("Under maintenance"),
}
INDICATOR_LABELS = {
    "none": N_("All Systems Operational"),
    "minor": N_("Minor Service Outage"),
    "major": N_("Partial System Outage"),
    "critical": N_("Major Service Outage"),
    "maintenance": N_("Service Under Maintenance"),
}
UPDATE_LABELS = {
    "investigating": N_("Investigating"),
    "identified": N_("Identified"),
    "monitoring": N_("Monitoring"),
    "resolved": N_("Resolved"),
    "postmortem": N_("Postmortem"),
    "scheduled": N_("Scheduled"),
    "in_progress": N_("In progress"),
    "verifying": N_("Verifying"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
    "update": N_("Update"),
}
IMPACT_LABELS = {
    "none": N_("No impact"),
    "minor": N_("Minor impact"),
    "major": N_("Major impact"),
    "critical": N_("Critical impact"),
    "maintenance": N_("Maintenance"),
}
# The icon of each component status and page indicator (symbols in statuspage/templates/icons.html).
ICONS = {
    "operational": "ok",
    "none": "ok",
    "degraded_performance": "minor",
    "minor": "minor",
    "partial_outage": "major",
    "major": "major",
    "major_outage": "critical",
    "critical": "critical",
    "under_maintenance": "maint",
    "maintenance": "maint",
    "feed": "feed",
}


@dataclass(frozen=True)
class Chrome:
    """What every page shares: the page's identity, contacts, links and asset URLs."""

    name: str
    url: str
    time_zone: str
    contact_email: str = ""
    contact_url: str = ""
    social_url: str = ""
    social_handle: str = ""
    security_contact: str = ""
    assets: tuple[tuple[str, str], ...] = ()  # (name, versioned URL)
    # The channels /subscribe offers (email, sms, webhook, slack); none: no subscribe links.
    subscribe_channels: tuple[str, ...] = ()

    def __hash__(self) -> int:
        # Part of nearly every cache key of a publish: hash it once, not thousands of times.
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(tuple(getattr(self, f) for f in self.__dataclass_fields__))
            object.__setattr__(self, "_hash", cached)
        return cached

    def asset(self, name: str) -> str:
        return dict(self.assets).get(name, "/static/" + name)


class Renderer:
    """Renders templates in one language, caching fragments by the inputs they depend on.

    `language` is a BCP 47 tag (zh-Hans); `locale` its Babel locale id (zh_Hans), for Babel.
    """

    def __init__(self, language: str = "en") -> None:
        self.language = language
        self.locale = locale_id(language)
        # Links inside this language's tree: "/ru/history", "/en/history" (every language has
        # its tree; the unprefixed paths are negotiated, statuspage.site.negotiation).
        self.prefix = "/" + language
        # The unprefixed path of the published page being rendered (set by the SiteBuilder):
        # what the language links of base.html point at; None on other pages.
        self.path: str | None = None
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True),
            extensions=["jinja2.ext.i18n"],
            undefined=StrictUndefined,
            trim_blocks=True,
            auto_reload=False,  # templates ship with the package: no stat per render
            lstrip_blocks=True,
        )
        translations: NullTranslations = Translations.load(str(LOCALES), [self.locale], "messages")
        self.env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        self.gettext = translations.gettext
        self.env.globals.update(self._helpers())
        self.env.globals["language"] = language  # base.html's <html lang>, on every page
        self._fragments: dict[Hashable, Markup] = {}
        self._used: dict[Hashable, Markup] = {}

    def page(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(**context)

    def fragment(
        self, key: Hashable, template: str, context: Callable[[], dict[str, Any]]
    ) -> Markup:
        """A rendered piece, reused while `key` (everything it depends on) is unchanged.

        `context` is called only when the piece must be rendered again.
        """
        full = (template, key)
        found = self._fragments.get(full)
        if found is None:
            found = Markup(self.page(template, **context()))  # noqa: S704 - autoescaped template
        self._used[full] = found
        return found

    def sweep(self) -> None:
        """Forget fragments the last publish did not use."""
        self._fragments, self._used = self._used, {}

    def _helpers(self) -> dict[str, Callable[..., Any]]:
        return {
            "when": self.when,
            "day": self.day,
            "month": self.month,
            "duration": self.duration,
            "md": markdown.render,
            "plain": markdown.plain,
            "component_label": lambda s: self.gettext(COMPONENT_LABELS[str(s)]),
            "indicator_label": lambda s: self.gettext(INDICATOR_LABELS[s]),
            "update_label": self.update_label,
            "impact_label": lambda s: self.gettext(IMPACT_LABELS[str(s)]),
            "icon": icon,
            "href": self.href,
            "dynamic_href": self.dynamic_href,
            "language_links": lambda: language_links(self.language, self.path),
        }

    def href(self, path: str) -> str:
        """A published page's path in this language's tree: href("/history") is
        "/ru/history" in Russian; href("/") is "/ru/"."""
        return self.prefix + path

    def dynamic_href(self, path: str) -> str:
        """A path answered by the server for every language (/subscribe): the language rides
        along as ?lang=."""
        return f"{path}{'&' if '?' in path else '?'}{QUERY}={self.language}"

    def when(self, at: datetime | None, tz: ZoneInfo, *, with_date: bool = True) -> Markup:
        """A time in the page's zone with the zone's name, inside <time datetime=...>."""
        if at is None:
            return Markup("")
        local = at.astimezone(tz)
        pattern = "MMM d, y, HH:mm" if with_date else "HH:mm"
        text = f"{format_datetime(local, pattern, locale=self.locale)} {local.strftime('%Z')}"
        return Markup('<time datetime="{}">{}</time>').format(_iso(at), text)

    def day(self, value: date, pattern: str = "MMM d, y") -> str:
        return format_date(value, pattern, locale=self.locale)

    def month(self, value: date) -> str:
        return format_date(value, "LLLL y", locale=self.locale)

    def duration(self, start: datetime, end: datetime | None) -> str:
        if end is None:
            return self.gettext("ongoing")
        minutes = max(0, round((end - start) / timedelta(minutes=1)))
        hours, minutes = divmod(minutes, 60)
        days, hours = divmod(hours, 24)
        if days:
            return self.gettext("%(d)d d %(h)d h") % {"d": days, "h": hours}
        if hours:
            return self.gettext("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
        return self.gettext("%(m)d min") % {"m": minutes}

    def update_label(self, status: str, previous: str | None) -> str:
        key = "update" if previous == status else status
        return self.gettext(UPDATE_LABELS.get(key, status))


def icon(status: str, label: str = "") -> Markup:
    """A status icon: decorative (aria-hidden) unless given a label."""
    name = ICONS.get(str(status), "ok")
    if label:
        return Markup(
            '<svg class="i i-{0}" role="img" aria-label="{1}"><use href="#i-{0}"></use></svg>'
        ).format(name, label)
    return Markup(
        '<svg class="i i-{0}" aria-hidden="true" focusable="false"><use href="#i-{0}"></use></svg>'
    ).format(name)


def _iso(at: datetime) -> str:
    return at.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def asset_urls() -> tuple[tuple[str, str], ...]:
    """Each static file's URL with a content hash, so a CDN may cache it for long."""
    out = []
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
            name = path.relative_to(STATIC).as_posix()
            out.append((name, f"/static/{name}?v={digest}"))
    return tuple(out)


__all__ = ["Chrome", "Renderer", "asset_urls", "escape", "icon"]
