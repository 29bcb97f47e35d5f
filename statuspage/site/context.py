"""BuildContext: what the document builders of one publish share.

The snapshot and uptime to show, the page chrome, the renderer, and memos that let a
republish reuse what an earlier one computed. Builders (statuspage.site.documents) take it;
it knows none of them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Protocol, TypeVar, cast

from markupsafe import Markup

from statuspage.model import Incident, Translation
from statuspage.site.render import Chrome, Renderer, Shown
from statuspage.site.snapshot import Snapshot
from statuspage.site.uptime_view import Uptime

T = TypeVar("T")
_tokens = itertools.count(1)


class Translatable(Protocol):
    """A page, group, component, incident or update: something with translations."""

    @property
    def translations(self) -> tuple[Translation, ...]: ...


@dataclass
class BuildContext:
    """What the document builders of one publish share."""

    snap: Snapshot
    uptime: Mapping[str, Uptime]
    chrome: Chrome
    renderer: Renderer
    _days: dict[tuple[date, str], str] = field(default_factory=dict)
    previous_memo: dict[Hashable, Any] = field(default_factory=dict)
    memo_used: dict[Hashable, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The page's name in this language, and what every keyed piece depends on besides
        # its own inputs: the page's language (what untranslated texts are written in).
        name = self.tr(self.snap.page, "name")
        self.chrome = replace(
            self.chrome,
            name=name.text,
            page_language=self.page_language,
            name_lang=name.lang or "",
        )

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A value computed in an earlier publish for the same key, or computed now (per
        language: what a memo holds is usually rendered text)."""
        key = (self.renderer.language, key)
        if key in self.memo_used:
            return cast(T, self.memo_used[key])
        found = self.previous_memo[key] if key in self.previous_memo else compute()
        self.memo_used[key] = found
        return cast(T, found)

    def token(self, name: str, value: Hashable) -> int:
        """A small number that stays the same while `value` does (a cheap part of keys)."""
        return self.memo((name, value), lambda: next(_tokens))

    def _base(self) -> dict[str, Any]:
        return {
            "chrome": self.chrome,
            "tz": self.snap.tz,
            "locale": self.renderer.locale,
            "language": self.renderer.language,
            "section": "",
            "tr": self.tr,
            "component_name": self.component_name,
        }

    @property
    def language(self) -> str:
        """The BCP 47 tag of the language this build renders (zh-Hans)."""
        return self.renderer.language

    @property
    def page_language(self) -> str:
        """The page's default language: what untranslated texts are written in."""
        return self.snap.page.language

    def tr(self, obj: Translatable, field: str) -> Shown:
        """`field` of `obj` in this build's language, or the original marked as untranslated."""
        original = getattr(obj, field) or ""
        return self.renderer.shown(obj.translations, field, original, self.page_language)

    def component_name(self, component_id: str, fallback: str) -> Shown:
        """A component's name in this language, by id; `fallback` (the name an update
        recorded) for one deleted since."""
        found = self.snap.component_by_id.get(component_id)
        if found is not None:
            return self.tr(found, "name")
        return Shown(fallback, None if self.language == self.page_language else self.page_language)

    def incident_name(self, incident_id: str, fallback: str) -> str:
        """An incident's name in this language, by id (for texts that keep only the id)."""
        if self.language == self.page_language:
            return fallback
        incidents = self.memo(
            ("incidents by id", self.snap.incidents_version),
            lambda: {i.id: i for i in self.snap.incidents},
        )
        found: Incident | None = incidents.get(incident_id)
        return self.tr(found, "name").text if found is not None else fallback

    def render(self, template: str, **context: Any) -> str:
        return self.renderer.page(template, **{**self._base(), **context})

    def fragment(self, key: Hashable, template: str, **context: Any) -> Markup:
        return self.renderer.fragment(key, template, lambda: {**self._base(), **context})

    def lazy(self, key: Hashable, template: str, context: Callable[[], dict[str, Any]]) -> Markup:
        """Like `fragment`, computing the context only when the piece must be rendered."""
        return self.renderer.fragment(key, template, lambda: {**self._base(), **context()})

    def day(self, value: date, skeleton: str = "yMMMd") -> str:
        found = self._days.get((value, skeleton))
        if found is None:
            found = self._days[(value, skeleton)] = self.renderer.day(value, skeleton)
        return found

    def month(self, value: date) -> str:
        found = self._days.get((value, "month"))
        if found is None:
            found = self._days[(value, "month")] = self.renderer.month(value)
        return found
