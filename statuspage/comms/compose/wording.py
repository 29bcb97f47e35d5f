"""A message's facts in the recipient's language: translated texts, labels, dates, notes.

An update, an incident's name, component names and the page's name are shown in the
message's language when they have a translation (`model.translated`), else as written in
the page's default language (`Page.language`). When the update's text is not in the
message's language, `fallback_note` says so in the reader's language ("原文为英文",
"Оригинал на английском"). Status labels come from the package's catalogues
(statuspage/locale), so the page and the messages use one wording.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.support import NullTranslations, Translations

from statuspage import languages
from statuspage.languages import codes as shipped_codes
from statuspage.model import (
    STATUS_LABELS,
    Component,
    ComponentStatus,
    Incident,
    IncidentUpdate,
    Page,
    Translation,
    languages_of,
    translated,
)
from statuspage.resources import LOCALES

DEFAULT_LANGUAGE = "en"

# The catalogue's wording of each component status (sentence case, as the page shows it).
_COMPONENT_MSGIDS = {
    ComponentStatus.OPERATIONAL: "Operational",
    ComponentStatus.DEGRADED_PERFORMANCE: "Degraded performance",
    ComponentStatus.PARTIAL_OUTAGE: "Partial outage",
    ComponentStatus.MAJOR_OUTAGE: "Major outage",
    ComponentStatus.UNDER_MAINTENANCE: "Under maintenance",
}

# "Original in <language>", in the reader's language; the language named as that sentence
# needs it (Chinese: 英文, the written language; Russian: the prepositional case).
_ORIGINAL_IN = {
    "en": ("Original in {name}", {"en": "English", "zh-Hans": "Chinese", "ru": "Russian"}),
    "zh-Hans": ("原文为{name}", {"en": "英文", "zh-Hans": "中文", "ru": "俄文"}),
    "ru": ("Оригинал на {name}", {"en": "английском", "zh-Hans": "китайском", "ru": "русском"}),
}
_ORIGINAL_OTHER = {"en": "Original: {name}", "zh-Hans": "原文：{name}", "ru": "Оригинал: {name}"}


PHASE_LABELS = {
    "zh-Hans": {
        "declared": "新事件", "updated": "事件更新", "resolved": "已解决",
        "postmortem": "事后分析", "maintenance_scheduled": "维护已计划",
        "maintenance_starting_soon": "维护即将开始", "maintenance_started": "维护已开始",
        "maintenance_updated": "维护进展", "maintenance_completed": "维护已完成",
        "maintenance_cancelled": "维护已取消", "reminder": "提醒", "escalation": "升级提醒",
    },
    "ru": {
        "declared": "инцидент", "updated": "обновление", "resolved": "решено",
        "postmortem": "разбор инцидента", "maintenance_scheduled": "обслуживание запланировано",
        "maintenance_starting_soon": "обслуживание скоро начнётся",
        "maintenance_started": "обслуживание началось",
        "maintenance_updated": "обновление по обслуживанию",
        "maintenance_completed": "обслуживание завершено",
        "maintenance_cancelled": "обслуживание отменено", "reminder": "напоминание",
        "escalation": "эскалация",
    },
}  # fmt: skip


def phase_label(phase: str, language: str) -> str:
    """A phase as owners read it: "maintenance started", "维护已开始"."""
    return PHASE_LABELS.get(language, {}).get(phase, phase.replace("_", " "))


def locale_of(language: str) -> str:
    """The Babel locale id of a language tag (zh-Hans -> zh_Hans); en when Babel lacks it."""
    candidate = language.replace("-", "_")
    try:
        Locale.parse(candidate)
    except (UnknownLocaleError, ValueError, TypeError):
        return DEFAULT_LANGUAGE
    return candidate


@cache
def catalogue(language: str) -> NullTranslations:
    """The package's compiled catalogue for a language (NullTranslations for English)."""
    if language == DEFAULT_LANGUAGE:
        return NullTranslations()
    found = Translations.load(str(LOCALES), [locale_of(language)])
    return found if isinstance(found, Translations) else NullTranslations()


def status_label(status: str, language: str) -> str:
    """An incident or maintenance status as a label in the message's language."""
    english = STATUS_LABELS.get(status, status)
    return english if language == DEFAULT_LANGUAGE else catalogue(language).gettext(english)


def component_label(status: ComponentStatus, language: str) -> str:
    if language == DEFAULT_LANGUAGE:
        return status.label
    return catalogue(language).gettext(_COMPONENT_MSGIDS[status])


def update_label(update: IncidentUpdate, language: str) -> str:
    """The update's label ("Identified"; "Update" when the status did not change)."""
    if language == DEFAULT_LANGUAGE:
        return update.label
    if update.previous_status == update.status:
        return catalogue(language).gettext("Update")
    return status_label(update.status, language)


def language_name(code: str, reader: str) -> str:
    """A language's name as a reader of `reader` writes it."""
    if reader == DEFAULT_LANGUAGE and code in shipped_codes():
        return languages.get(code).english_name
    try:
        found = Locale.parse(locale_of(code)).get_display_name(locale_of(reader))
    except (UnknownLocaleError, ValueError):
        found = None
    return str(found or code)


def fallback_note(reader: str, original: str) -> str:
    """ "原文为英文": the text is shown as originally written, in `original`."""
    pattern, names = _ORIGINAL_IN.get(reader, _ORIGINAL_IN[DEFAULT_LANGUAGE])
    if original in names:
        return pattern.format(name=names[original])
    other = _ORIGINAL_OTHER.get(reader, _ORIGINAL_OTHER[DEFAULT_LANGUAGE])
    return other.format(name=language_name(original, reader))


def local_time(value: datetime, tz: str) -> str:
    """14:30 CET: the time people read in the page's time zone (the same in every language)."""
    moment = value.astimezone(ZoneInfo(tz))
    return f"{moment:%H:%M} {moment.tzname()}"


def local_datetime(value: datetime, tz: str, language: str) -> str:
    """The day and time in the message's language: "10 Mar 2026, 14:30 CET",
    "2026年3月10日 14:30 CET", "10 марта 2026 г., 14:30 CET"."""
    moment = value.astimezone(ZoneInfo(tz))
    locale = locale_of(language)
    if locale == DEFAULT_LANGUAGE:
        return f"{format_date(moment.date(), 'd MMM y', locale='en')}, {local_time(value, tz)}"
    day = format_date(moment.date(), "long", locale=locale)
    joined = str(Locale.parse(locale).datetime_formats["medium"])
    return joined.replace("{1}", day).replace("{0}", local_time(value, tz))


def minutes_span(minutes: int, language: str) -> str:
    """12 min, 1 h 05 min: how late an update is, in the message's language."""
    short = {"zh-Hans": ("分钟", "小时"), "ru": ("мин", "ч")}.get(language, ("min", "h"))
    if minutes < 90:
        return f"{minutes} {short[0]}"
    return f"{minutes // 60} {short[1]} {minutes % 60:02d} {short[0]}"


@dataclass(frozen=True)
class Localised:
    """Facts' texts in one language, and whether the update's text is in it."""

    page: Page
    incident: Incident
    update: IncidentUpdate | None
    components: dict[str, Component]
    update_translated: bool  # the update's text is in the message's language
    fallback_note: str | None  # the note to show when it is not


def localise(
    page: Page,
    incident: Incident,
    update: IncidentUpdate | None,
    components: dict[str, Component],
    language: str,
) -> Localised:
    """Every translatable text in `language` where a translation exists."""
    original = page.language
    if language == original:
        return Localised(page, incident, update, components, True, None)
    names = {cid: _in(c.name, c.translations, language) for cid, c in components.items()}
    updates = tuple(_update(u, names, language) for u in incident.updates)
    local_incident = replace(
        incident, name=_in(incident.name, incident.translations, language), updates=updates
    )
    local_update = _update(update, names, language) if update is not None else None
    has = update is None or language in languages_of(update.translations, "body")
    return Localised(
        page=replace(page, name=_in(page.name, page.translations, language)),
        incident=local_incident,
        update=local_update,
        components={cid: replace(c, name=names[cid]) for cid, c in components.items()},
        update_translated=has,
        fallback_note=None if has else fallback_note(language, original),
    )


def local_names(
    page: Page, components: list[Component], language: str
) -> tuple[Page, dict[str, str]]:
    """The page and its components (id -> name) named in `language` where translated."""
    if language == page.language:
        return page, {c.id: c.name for c in components}
    named = replace(page, name=_in(page.name, page.translations, language))
    return named, {c.id: _in(c.name, c.translations, language) for c in components}


def _in(text: str, translations: tuple[Translation, ...], language: str) -> str:
    found = translated(translations, "name", language)
    return found if found is not None else text


def _update(update: IncidentUpdate, names: dict[str, str], language: str) -> IncidentUpdate:
    body = translated(update.translations, "body", language)
    affected = tuple(replace(a, name=names.get(a.code, a.name)) for a in update.affected_components)
    text = body if body is not None else update.body
    return replace(update, body=text, affected_components=affected)
