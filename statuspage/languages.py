"""The languages the product speaks, and choosing one for a reader.

A language is named by its BCP 47 tag everywhere users see it (`en`, `zh-Hans`, `ru`: in
URLs, cookies, settings, subscriber records, comms template folders). Its Babel locale id
(`zh_Hans`) is used only to find catalogues and format dates and numbers. The shipped
languages are English plus every catalogue in statuspage/locale: adding a catalogue adds a
language to the page.

Choosing a reader's language: an explicit choice (`?lang=`, then the cookie) wins, then the
browser's Accept-Language (q-values, most preferred first), then the page's default. A tag
matches a language when its primary subtag matches and its script, where both say one,
agrees (zh-CN is written in Hans: it matches zh-Hans; zh-TW is Hant: it does not).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError

from statuspage.errors import InvalidField
from statuspage.resources import LOCALES

DEFAULT = "en"
COOKIE = "statuspage_lang"
QUERY = "lang"
MAX_HEADER = 512  # bytes of Accept-Language considered; browsers send far fewer


@dataclass(frozen=True)
class Language:
    """One language of the page: its tag, Babel locale id, and its name in itself."""

    code: str  # BCP 47, e.g. zh-Hans
    locale: str  # Babel locale id, e.g. zh_Hans
    name: str  # endonym, e.g. 简体中文
    english_name: str

    @property
    def prefix(self) -> str:
        """The URL prefix of this language's tree: "/ru" for ru, "/en" for en (every language
        has its tree; the unprefixed paths negotiate)."""
        return "/" + self.code


def locale_id(code: str) -> str:
    """A BCP 47 tag as a Babel locale id: zh-Hans -> zh_Hans."""
    return code.replace("-", "_")


def tag(locale: str) -> str:
    """A Babel locale id as a BCP 47 tag: zh_Hans -> zh-Hans."""
    return locale.replace("_", "-")


def _make(code: str) -> Language:
    parsed = Locale.parse(locale_id(code))
    name = NAMES.get(code) or str(parsed.get_display_name(parsed) or code)
    return Language(code, locale_id(code), name, str(parsed.get_display_name("en") or code))


# Names as a reader of each language expects to see them in a language menu.
NAMES = {"en": "English", "zh-Hans": "简体中文", "ru": "Русский"}


@cache
def shipped() -> tuple[Language, ...]:
    """English, then every language with a compiled catalogue, by tag."""
    codes = sorted(
        tag(p.name)
        for p in LOCALES.iterdir()
        if p.is_dir() and (p / "LC_MESSAGES" / "messages.mo").is_file()
    )
    return tuple(_make(c) for c in [DEFAULT, *[c for c in codes if c != DEFAULT]])


def codes() -> tuple[str, ...]:
    return tuple(language.code for language in shipped())


def get(code: str) -> Language:
    """A shipped language by its tag (exactly as `canonical` gives it)."""
    for language in shipped():
        if language.code == code:
            return language
    raise KeyError(code)


def canonical(value: str, offered: tuple[str, ...] | None = None) -> str | None:
    """The offered language a tag names (case-insensitive; `zh`, `zh-CN`, `zh-hans-SG` all
    name zh-Hans; `ru-RU` names ru), or None."""
    if len(value) > 64:  # no tag is that long: not worth keeping in the cache below
        return None
    return _canonical(value, offered)


@lru_cache(maxsize=256)
def _canonical(value: str, offered: tuple[str, ...] | None) -> str | None:
    offered = offered or codes()
    wanted = value.strip().replace("_", "-")
    if not wanted or len(wanted) > 35:
        return None
    for code in offered:
        if code.lower() == wanted.lower():
            return code
    language, script = _subtags(wanted)
    if language is None:
        return None
    for code in offered:
        have_language, have_script = _subtags(code)
        if have_language == language and (script is None or have_script in (None, script)):
            return code
    return None


@lru_cache(maxsize=64)
def _subtags(value: str) -> tuple[str | None, str | None]:
    """The primary language and the script (likely script filled in), lower case."""
    try:
        parsed = Locale.parse(locale_id(value))
    except (ValueError, TypeError, UnknownLocaleError):
        primary = value.split("-")[0].lower()
        return (primary if primary.isalpha() and 2 <= len(primary) <= 8 else None), None
    script = parsed.script
    if script is None:
        likely = _likely_script(parsed)
        script = likely
    return parsed.language.lower(), script.lower() if script else None


def _likely_script(parsed: Locale) -> str | None:
    from babel.core import get_global

    likely = get_global("likely_subtags")
    for key in (f"{parsed.language}_{parsed.territory}", parsed.language):
        found = likely.get(key) if key else None
        if found:
            parts = str(found).split("_")
            return next((p for p in parts[1:] if len(p) == 4), None)
    return None


def accept_language(header: str) -> list[str]:
    """The tags of an Accept-Language header, most preferred first (q=0 left out; `*`
    kept as "*"). Malformed parts are skipped; only the first MAX_HEADER bytes count."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header[:MAX_HEADER].split(",")):
        name, _, params = part.partition(";")
        name = name.strip()
        if not name:
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, index, name))
    return [name for _, _, name in sorted(ranked)]


@lru_cache(maxsize=256)
def from_header(header: str, offered: tuple[str, ...], default: str) -> str:
    """The offered language an Accept-Language header prefers most, else `default`."""
    for wanted in accept_language(header):
        if wanted == "*":
            return default
        found = canonical(wanted, offered)
        if found is not None:
            return found
    return default


def negotiate(
    *,
    explicit: Iterable[str | None] = (),
    accept: str = "",
    offered: tuple[str, ...] | None = None,
    default: str = DEFAULT,
) -> str:
    """The reader's language: the first explicit choice that names an offered language
    (`?lang=`, then the cookie), else the Accept-Language header's best, else `default`."""
    offered = offered or codes()
    default = default if default in offered else offered[0]
    for choice in explicit:
        if choice:
            found = canonical(choice, offered)
            if found is not None:
                return found
    if not accept:
        return default
    if len(accept) > MAX_HEADER:
        return from_header.__wrapped__(accept, offered, default)
    return from_header(accept, offered, default)


def check(code: str, field: str = "language") -> str:
    """A language tag a user typed, as its canonical shipped tag; InvalidField names the
    choices."""
    found = canonical(code)
    if found is None:
        choices = ", ".join(codes())
        raise InvalidField(field, f"unknown language {code!r}; choose one of {choices}")
    return found
