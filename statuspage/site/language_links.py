"""The language links of a page: the switcher and the hreflang alternates in base.html.

Each language's copy of a page lives in that language's tree (/ru/history); the unprefixed
path (/history) is the one that negotiates, so it is the `x-default` alternate. A switcher
link carries `?lang=`: the server answers it with a redirect that remembers the choice in a
cookie (statuspage.site.negotiation); a static host ignores the query and serves the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from statuspage.languages import QUERY, shipped


@dataclass(frozen=True)
class LanguageLink:
    """One language's copy of the page being rendered."""

    code: str  # BCP 47 tag: hreflang and lang
    name: str  # endonym, the switcher's label
    path: str  # the page in that language's tree: /ru/history
    current: bool

    @property
    def switch(self) -> str:
        """The switcher's link: the page in that language, remembering the choice."""
        return f"{self.path}?{QUERY}={self.code}"


@dataclass(frozen=True)
class LanguageLinks:
    """The page's path outside the trees (None: not a published page) and its languages."""

    path: str | None
    languages: tuple[LanguageLink, ...]


@lru_cache(maxsize=4096)
def language_links(current: str, path: str | None) -> LanguageLinks:
    """The links to a page in every shipped language (the tree roots when `path` is None)."""
    links = tuple(
        LanguageLink(lang.code, lang.name, f"/{lang.code}{path or '/'}", lang.code == current)
        for lang in shipped()
    )
    return LanguageLinks(path, links)
