"""Which language a request gets, and the `?lang=` switch: shared by SiteMiddleware (the ASGI
way) and the fast path, so both answer alike.

Every language has its own tree of fixed URLs (/en/history, /ru/history, /zh-Hans/history):
those answer the same bytes to everyone. The unprefixed paths (/, /history) are negotiated:
the cookie `statuspage_lang` (an earlier explicit choice), then Accept-Language (q-values),
then the page's default language. A valid `?lang=TAG` on any page of a tree, prefixed or
not, answers 303 See Other to that language's URL of the page, and sets the cookie; an
invalid one is ignored.

Browsers send a handful of short Accept-Language and cookie values: the choice for short
ones is remembered in a small LRU; long ones (a client's to pick) are worked out each time
and never kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote

from statuspage.languages import COOKIE, QUERY, canonical, codes, negotiate
from statuspage.site.artifacts import Artifact, Headers, Site

COOKIE_AGE = 31_536_000  # a year, in seconds
CACHED_UP_TO = 128  # bytes of Accept-Language a kept choice may have
TAG_UP_TO = 36  # bytes of a cookie's value looked at: longer ones name no language anyway
_COOKIE = COOKIE.encode()
_COOKIE_IS = _COOKIE + b"="
_QUERY = QUERY.encode() + b"="


@dataclass(frozen=True)
class Switch:
    """An explicit choice (`?lang=`): 303 See Other to the page in that language, remembered
    in the cookie."""

    location: str
    language: str

    def headers(self) -> Headers:
        return [
            (b"location", quote(self.location).encode()),
            (b"set-cookie", set_cookie(self.language)),
            (b"cache-control", b"no-store"),
            (b"content-length", b"0"),
        ]


@lru_cache(maxsize=16)  # one per shipped language
def set_cookie(language: str) -> bytes:
    """The Set-Cookie value remembering a reader's language for a year."""
    return f"{COOKIE}={language}; Path=/; Max-Age={COOKIE_AGE}; SameSite=Lax".encode()


def pick(site: Site, path: str, query: bytes, headers: Headers) -> Artifact | Switch | None:
    """What a GET of `path` gets: an artifact, a Switch (`?lang=`), or None (not published)."""
    artifact = site.artifacts.get(path)
    if artifact is not None:
        if artifact.language is None or _QUERY not in query:
            return artifact
        wanted = requested(query)
        bare = path[len(artifact.language) + 1 :]
        return artifact if wanted is None else Switch("/" + wanted + bare, wanted)
    if path not in site.negotiated:
        return None
    if _QUERY in query:
        wanted = requested(query)
        if wanted is not None:
            return Switch("/" + wanted + path, wanted)
    return site.variant(path, choose(site.language, headers))


def requested(query: bytes) -> str | None:
    """The shipped language `?lang=` names in a query string, or None (absent or invalid)."""
    for part in query.split(b"&"):
        name, _, value = part.partition(b"=")
        if name == _QUERY[:-1] and len(value) <= CACHED_UP_TO:
            return canonical(unquote(value.decode("latin-1")))
    return None


def choose(default: str, headers: Headers) -> str:
    """The language for a request at a negotiated path: cookie, Accept-Language, default."""
    accept, cookie = b"", b""
    for name, value in headers:
        if name == b"accept-language":
            accept = value
        elif name == b"cookie" and _COOKIE in value:
            cookie = cookie_choice(value) or cookie
    if len(accept) <= CACHED_UP_TO:
        return _chosen(accept, cookie, default)
    return _choose(accept, cookie, default)


def cookie_choice(header: bytes) -> bytes:
    """The value of the language cookie in a Cookie header (b"" if absent).

    Found with bytes.find (no split of the whole header: it often holds many other cookies)."""
    at = header.find(_COOKIE_IS)
    while at != -1:
        if at == 0 or header[at - 1] in b" ;":  # a whole cookie name, not the end of another
            start = at + len(_COOKIE_IS)
            end = header.find(b";", start)
            value = header[start:end] if end != -1 else header[start:]
            return value.strip().strip(b'"')[:TAG_UP_TO]
        at = header.find(_COOKIE_IS, at + 1)
    return b""


@lru_cache(maxsize=256)
def _chosen(accept: bytes, cookie: bytes, default: str) -> str:
    return _choose(accept, cookie, default)


def _choose(accept: bytes, cookie: bytes, default: str) -> str:
    return negotiate(
        explicit=[cookie.decode("latin-1")], accept=accept.decode("latin-1"), default=default
    )


def tree_language(path: str) -> str | None:
    """The language whose tree a path is in (/ru/anything -> ru), or None (unprefixed)."""
    first = path[1:].partition("/")[0]
    return first if first in codes() else None


def error_language(site: Site, path: str, headers: Headers) -> tuple[str, bool]:
    """The language of an error page for a request, and whether it was negotiated."""
    found = tree_language(path)
    if found is not None and found in site.errors:
        return found, False
    return choose(site.language, headers), True


def slash_redirect(site: Site, path: str) -> str | None:
    """The canonical path of a published page asked with or without its slash: /history/ ->
    /history, /ru -> /ru/."""
    if len(path) > 1 and path.endswith("/") and site.published(path.rstrip("/")):
        return path.rstrip("/")
    if not path.endswith("/") and path + "/" in site.artifacts and tree_language(path):
        return path + "/"
    return None
