"""BuildContext: what the document builders of one publish share.

The snapshot and uptime to show, the page chrome, the renderer, and memos that let a
republish reuse what an earlier one computed. Builders (statuspage.site.documents) take it;
it knows none of them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar, cast

from markupsafe import Markup

from statuspage.site.render import Chrome, Renderer
from statuspage.site.snapshot import Snapshot
from statuspage.site.uptime_view import Uptime

T = TypeVar("T")
_tokens = itertools.count(1)


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

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A value computed in an earlier publish for the same key, or computed now."""
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
        }

    @property
    def language(self) -> str:
        """The BCP 47 tag of the language this build renders (zh-Hans)."""
        return self.renderer.language

    @property
    def page_language(self) -> str:
        """The page's default language: what untranslated texts are written in."""
        return self.snap.page.language

    def render(self, template: str, **context: Any) -> str:
        return self.renderer.page(template, **{**self._base(), **context})

    def fragment(self, key: Hashable, template: str, **context: Any) -> Markup:
        return self.renderer.fragment(key, template, lambda: {**self._base(), **context})

    def lazy(self, key: Hashable, template: str, context: Callable[[], dict[str, Any]]) -> Markup:
        """Like `fragment`, computing the context only when the piece must be rendered."""
        return self.renderer.fragment(key, template, lambda: {**self._base(), **context()})

    def day(self, value: date, pattern: str = "MMM d, y") -> str:
        found = self._days.get((value, pattern))
        if found is None:
            found = self._days[(value, pattern)] = self.renderer.day(value, pattern)
        return found

    def month(self, value: date) -> str:
        return self.day(value, "LLLL y")
