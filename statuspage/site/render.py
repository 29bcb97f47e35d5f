"""The Jinja2 environment of the public site: gettext, times in the page's zone, labels, fragments.

Every user-visible string goes through gettext (Jinja2's i18n extension; Babel catalogs in
statuspage/locale). Labels defined here are marked with N_ so `make messages` extracts them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, match_skeleton
from babel.numbers import NumberPattern, parse_pattern
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from statuspage import markdown
from statuspage.languages import DEFAULT, QUERY, locale_id
from statuspage.model import Translation, translated
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
# The note beside a text shown untranslated, by the language it is written in. Dedicated
# phrasings read naturally ("Оригинал на английском" needs the prepositional case); a
# language without one gets "Original in %(language)s" with the language's name.
ORIGINAL_IN = {
    "en": N_("Original in English"),
    "zh-Hans": N_("Original in Chinese"),
    "ru": N_("Original in Russian"),
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
    # The page's default language, and the language `name` is in when a rendering in another
    # language shows it untranslated (then "" once translated). BuildContext fills both.
    page_language: str = DEFAULT
    name_lang: str = ""
    # Branding (page set --logo/--accent): the logo's and the accent stylesheet's URLs, or "".
    logo_url: str = ""
    accent_url: str = ""

    def __hash__(self) -> int:
        # Part of nearly every cache key of a publish: hash it once, not thousands of times.
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(tuple(getattr(self, f) for f in self.__dataclass_fields__))
            object.__setattr__(self, "_hash", cached)
        return cached

    def asset(self, name: str) -> str:
        return dict(self.assets).get(name, "/static/" + name)


@dataclass(frozen=True)
class Shown:
    """A text as a page shows it: translated, or the original with the language it is in.

    In a template it is the text, inside <span lang=...> when untranslated (screen readers
    then pronounce it right); `attr` gives the lang attribute for an element of its own.
    """

    text: str
    lang: str | None = None  # the original's language when `text` is untranslated

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> Markup:
        if self.lang is None:
            return escape(self.text)
        return Markup('<span lang="{}">{}</span>').format(self.lang, self.text)

    @property
    def attr(self) -> Markup:
        return Markup(' lang="{}"').format(self.lang) if self.lang else Markup("")


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
        self.ngettext = translations.ngettext
        self._cldr = Locale.parse(self.locale)
        self._patterns: dict[str, str] = {}
        self._time = self._pattern("Hm")
        both = str(self._cldr.datetime_formats["medium"])
        self._datetime = both.replace("{1}", self._pattern("yMMMd")).replace("{0}", self._time)
        self._percent_full = _percent_pattern(self._cldr, 2)
        self._percent_short = _percent_pattern(self._cldr, 0)
        self._notes: dict[str, str] = {}
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
            "days_ago": self.days_ago,
            "percent": self.percent,
            "original_note": self.original_note,
            "language_name": self.language_name,
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
        """A time in the page's zone with the zone's name, inside <time datetime=...>:
        "Dec 3, 2026, 14:05 UTC", "3 декабря 2026 г., 14:05 MSK", "2026年12月3日 14:05 CST"."""
        if at is None:
            return Markup("")
        local = at.astimezone(tz)
        pattern = self._datetime if with_date else self._time
        text = f"{format_datetime(local, pattern, locale=self.locale)} {local.strftime('%Z')}"
        return Markup('<time datetime="{}">{}</time>').format(_iso(at), text)

    def day(self, value: date, skeleton: str = "yMMMd") -> str:
        """A date by a CLDR skeleton (the locale's own order and words): "yMMMd" is
        "Dec 3, 2026", "3 декабря 2026 г.", "2026年12月3日"; "MMMd" leaves the year out."""
        return format_date(value, self._pattern(skeleton), locale=self.locale)

    def month(self, value: date) -> str:
        """A month and year as a heading: "December 2026", "Декабрь 2026 г.", "2026年12月"
        (CLDR writes Russian months in lower case; a heading starts with a capital)."""
        text = self.day(value, "yMMMM")
        return text[:1].upper() + text[1:]

    def _pattern(self, skeleton: str) -> str:
        found = self._patterns.get(skeleton)
        if found is None:
            # English keeps its short month names (Dec 3, 2026); Russian and Chinese dates
            # read best with the full month (3 декабря 2026 г.).
            wanted = skeleton if self.language == DEFAULT else skeleton.replace("MMM", "MMMM")
            wanted = wanted.replace("MMMMM", "MMMM")
            best = match_skeleton(wanted, self._cldr.datetime_skeletons) or skeleton
            found = self._patterns[skeleton] = self._cldr.datetime_skeletons[best].pattern
        return found

    def percent(self, value: str | float | None, *, short: bool = False) -> str:
        """An uptime percentage in the locale's style ("99.95%", "99,95 %"), from the
        two-decimal figure statuspage.uptime.percent gives (a string, so it is never
        rounded again). `short` drops trailing zeros (100%, 99.5%) for calendar cells."""
        if value is None or value == "":
            return ""
        number = Decimal(str(value)) / 100
        pattern = self._percent_short if short else self._percent_full
        return str(pattern.apply(number, self._cldr))

    def duration(self, start: datetime, end: datetime | None) -> str:
        """How long something lasted: "2 h 5 min", "1 день 3 ч", "2 天 3 小时"."""
        if end is None:
            return self.gettext("ongoing")
        minutes = max(0, round((end - start) / timedelta(minutes=1)))
        hours, minutes = divmod(minutes, 60)
        days, hours = divmod(hours, 24)
        ngettext = self.ngettext
        if days:
            parts = [ngettext("%(num)d day", "%(num)d days", days) % {"num": days}]
            parts.append(ngettext("%(num)d h", "%(num)d h", hours) % {"num": hours})
        elif hours:
            parts = [ngettext("%(num)d h", "%(num)d h", hours) % {"num": hours}]
            parts.append(ngettext("%(num)d min", "%(num)d min", minutes) % {"num": minutes})
        elif minutes == 0 and end > start:  # a few seconds: not "0 min" (as if nothing)
            parts = ["< " + ngettext("%(num)d min", "%(num)d min", 1) % {"num": 1}]
        else:
            parts = [ngettext("%(num)d min", "%(num)d min", minutes) % {"num": minutes}]
        return " ".join(parts)

    def days_ago(self, days: int) -> str:
        return self.ngettext("%(num)d day ago", "%(num)d days ago", days) % {"num": days}

    def shown(
        self, translations: tuple[Translation, ...], field: str, original: str, source: str
    ) -> Shown:
        """A text in this renderer's language when it has a translation, else the original
        (written in `source`, the page's language) marked as such."""
        if self.language == source:
            return Shown(original)
        found = translated(translations, field, self.language)
        return Shown(found) if found is not None else Shown(original, source)

    def language_name(self, code: str) -> str:
        """A language's name in this renderer's language: "английский", "英语"."""
        return str(Locale.parse(locale_id(code)).get_display_name(self.locale) or code)

    def original_note(self, source: str) -> str:
        """The note beside an untranslated text: "Original in English", "原文为英文",
        "Оригинал на английском"."""
        found = self._notes.get(source)
        if found is None:
            phrase = ORIGINAL_IN.get(source)
            if phrase is not None:
                found = self.gettext(phrase)
            else:  # a language a catalogue added: its name in the reader's language
                name = self.language_name(source)
                found = self.gettext("Original in %(language)s") % {"language": name}
            self._notes[source] = found
        return found

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


def _percent_pattern(cldr: Locale, least: int) -> NumberPattern:
    """The locale's percent format with two decimals (at least `least` of them shown)."""
    pattern = parse_pattern(cldr.percent_formats[None].pattern)
    pattern.frac_prec = (least, 2)
    return pattern


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


__all__ = ["Chrome", "Renderer", "Shown", "asset_urls", "escape", "icon"]
