"""Published artifacts: bytes held in memory with a strong ETag, precompressed, ready to send.

A request for a published URL is answered from here without rendering or touching the
database: pick the encoding the client accepts, compare If-None-Match, send the bytes.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from statuspage.site.security_headers import security_headers

try:  # brotli is cheap where its wheel is installed; gzip alone is fine without it
    import brotli
except ImportError:  # pragma: no cover - brotli is a declared dependency
    brotli = None

Headers = list[tuple[bytes, bytes]]
Send = Callable[[dict[str, Any]], Any]
MIN_COMPRESS = 200  # bytes; smaller bodies go out as they are

HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"
TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class CachePolicy:
    """Cache-Control for what a CDN and browsers may keep, and for how long."""

    max_age: int = 10
    stale_while_revalidate: int = 30
    stale_if_error: int = 86400

    def header(self) -> str:
        return (
            f"public, max-age={self.max_age}, stale-while-revalidate="
            f"{self.stale_while_revalidate}, stale-if-error={self.stale_if_error}"
        )


@dataclass(frozen=True)
class Doc:
    """An artifact to publish: rendered only when `key` differs from the last publish's.

    `key` None means "render every time" (the bytes are still compared before recompressing).
    """

    path: str
    content_type: str
    render: Callable[[], str | bytes]
    key: Hashable | None = None
    cors: bool = False
    cache: str | None = None  # a Cache-Control other than the site's
    language: str | None = None  # the tag of a language tree's document (Content-Language)


@dataclass(frozen=True)
class Variant:
    """One encoding of a body, with its headers as ASGI pairs and as HTTP/1.1 header lines."""

    body: bytes
    headers: Headers
    not_modified: Headers
    etag: bytes
    header_lines: bytes = b""
    not_modified_lines: bytes = b""


@dataclass(frozen=True)
class Artifact:
    """One URL's bytes in every encoding, with the headers to send each."""

    path: str
    body: bytes
    identity: Variant
    gzip: Variant | None = None
    br: Variant | None = None
    key: Hashable | None = None
    status: int = 200
    language: str | None = None  # set on the documents of a language tree

    def variant(self, accept_encoding: bytes) -> Variant:
        accepted = accepted_encodings(accept_encoding)
        if self.br is not None and "br" in accepted:
            return self.br
        if self.gzip is not None and "gzip" in accepted:
            return self.gzip
        return self.identity

    def answer(self, headers: Headers) -> tuple[Variant, bool]:
        """The variant a request with these headers gets, and whether it is a 304 (its
        If-None-Match names that variant's ETag)."""
        accept, match = b"", b""
        for name, value in headers:
            if name == b"accept-encoding":
                accept = value
            elif name == b"if-none-match":
                match = value
        variant = self.variant(accept)
        return variant, bool(match) and self.status == 200 and etag_matches(match, variant.etag)

    async def respond(self, scope: Mapping[str, Any], send: Send) -> None:
        """Send this artifact: 304 when If-None-Match matches, no body for HEAD."""
        variant, unchanged = self.answer(scope["headers"])
        if unchanged:
            await send(
                {"type": "http.response.start", "status": 304, "headers": variant.not_modified}
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await send(
            {"type": "http.response.start", "status": self.status, "headers": variant.headers}
        )
        body = b"" if scope["method"] == "HEAD" else variant.body
        await send({"type": "http.response.body", "body": body})


def begin_artifact(
    doc: Doc, body: bytes, cache_control: str, status: int = 200
) -> Callable[[], Artifact]:
    """Start compressing a body in the background; call the result for the Artifact.

    zlib and brotli release the GIL, so compression runs beside the rendering of the next
    documents of a publish.
    """
    digest = hashlib.sha256(body).hexdigest()[:32]
    common: Headers = [
        (b"content-type", doc.content_type.encode()),
        (b"cache-control", (doc.cache or cache_control).encode()),
        (b"vary", VARY),
    ]
    if doc.language:
        common.append((b"content-language", doc.language.encode()))
    if doc.cors:
        common += [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-expose-headers", b"ETag"),
        ]
    common += security_headers(doc.path, doc.content_type)
    identity = _variant(body, f'"{digest}"', None, common)
    if len(body) < MIN_COMPRESS:
        done = Artifact(doc.path, body, identity, None, None, doc.key, status, doc.language)
        return lambda: done
    pool = _executor()
    zipping = pool.submit(gzip.compress, body, 6, mtime=0)
    # Quality 4 on big pages: half the time of 5 for some 15 % more bytes.
    quality = 4 if len(body) > 262_144 else 5
    squeezing = pool.submit(brotli.compress, body, quality=quality) if brotli else None

    def finish() -> Artifact:
        zipped = _variant(zipping.result(), f'"{digest}-gz"', "gzip", common)
        broken = None
        if squeezing is not None:
            broken = _variant(squeezing.result(), f'"{digest}-br"', "br", common)
        return Artifact(doc.path, body, identity, zipped, broken, doc.key, status, doc.language)

    return finish


_pool: list[ThreadPoolExecutor] = []


def _executor() -> ThreadPoolExecutor:
    if not _pool:
        _pool.append(ThreadPoolExecutor(2, thread_name_prefix="compress"))
    return _pool[0]


def _variant(body: bytes, etag: str, encoding: str | None, common: Headers) -> Variant:
    tag = etag.encode()
    extra: Headers = [(b"etag", tag)]
    if encoding:
        extra.append((b"content-encoding", encoding.encode()))
    headers = [*common, *extra, (b"content-length", str(len(body)).encode())]
    not_modified = [*common, (b"etag", tag)]
    return Variant(
        body, headers, not_modified, tag, header_lines(headers), header_lines(not_modified)
    )


VARY = b"Accept-Encoding"
NEGOTIATED_VARY = b"Accept-Encoding, Accept-Language, Cookie"


def negotiated_copy(artifact: Artifact, path: str) -> Artifact:
    """The artifact as served at a negotiated (unprefixed) path: the same bytes and ETags,
    with `Vary: Accept-Encoding, Accept-Language, Cookie` (caches keep one per language)."""
    gz, br = artifact.gzip, artifact.br
    return replace(
        artifact,
        path=path,
        identity=_revary(artifact.identity),
        gzip=None if gz is None else _revary(gz),
        br=None if br is None else _revary(br),
    )


def _revary(variant: Variant) -> Variant:
    headers = [(n, NEGOTIATED_VARY if n == b"vary" else v) for n, v in variant.headers]
    quiet = [(n, NEGOTIATED_VARY if n == b"vary" else v) for n, v in variant.not_modified]
    lines, quiet_lines = header_lines(headers), header_lines(quiet)
    return Variant(variant.body, headers, quiet, variant.etag, lines, quiet_lines)


def header_lines(headers: Headers) -> bytes:
    """Header pairs as HTTP/1.1 header lines, each ending in CRLF."""
    return b"".join(name + b": " + value + b"\r\n" for name, value in headers)


SERVED = ("br", "gzip")  # the codings artifacts come in, besides identity
CACHED_UP_TO = 128  # bytes: longer Accept-Encoding values are parsed each time, never kept


def accepted_encodings(header: bytes) -> frozenset[str]:
    """The codings we serve (br, gzip) that an Accept-Encoding header allows (q=0 refuses
    one; `*` allows the others).

    Browsers send a handful of short values, so short ones are remembered; a value from a
    client is never kept unless it is short (a cache keyed on raw values of any length is a
    way to fill the server's memory).
    """
    if len(header) <= CACHED_UP_TO:
        return _accepted_cached(header)
    return _accepted(header)


@lru_cache(maxsize=64)
def _accepted_cached(header: bytes) -> frozenset[str]:
    return _accepted(header)


def _accepted(header: bytes) -> frozenset[str]:
    """One pass over the comma-separated codings: linear in the header's length."""
    allowed: set[str] = set()
    refused: set[str] = set()
    for part in header.decode("latin-1").lower().split(","):
        name, _, params = part.partition(";")
        name = name.strip()
        if name not in SERVED and name != "*":
            continue
        (allowed if _quality(params) > 0 else refused).add(name)
    if "*" in allowed:
        allowed.update(SERVED)
    return frozenset(allowed.intersection(SERVED) - refused)


def _quality(params: str) -> float:
    quality = 1.0
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                quality = 0.0
    return quality


def etag_matches(header: bytes, etag: bytes) -> bool:
    """If-None-Match uses weak comparison: W/"x" matches "x"; `*` matches anything."""
    for candidate in header.split(b","):
        candidate = candidate.strip()
        if candidate == b"*" or candidate.removeprefix(b"W/") == etag:
            return True
    return False


@dataclass(frozen=True)
class Site:
    """Every published artifact of one revision, by URL path.

    `artifacts` holds the URLs that always answer the same bytes: each language's tree
    (/en/history, /ru/history) and what no language changes (the JSON API, static files).
    `negotiated` holds the unprefixed paths of the language trees (/, /history): one artifact
    per language, chosen per request (statuspage.site.negotiation). `language` is the page's
    default; `errors` the 404 and 500 pages of each language.
    """

    revision: int
    artifacts: Mapping[str, Artifact]
    not_found: Artifact
    server_error: Artifact
    extra: Mapping[str, Any] = field(default_factory=dict)
    negotiated: Mapping[str, Mapping[str, Artifact]] = field(default_factory=dict)
    language: str = "en"
    errors: Mapping[str, tuple[Artifact, Artifact]] = field(default_factory=dict)

    def get(self, path: str, language: str | None = None) -> Artifact | None:
        """The artifact at a path; at a negotiated path, the one of `language` (by default
        the page's default language)."""
        found = self.artifacts.get(path)
        if found is None and path in self.negotiated:
            return self.variant(path, language or self.language)
        return found

    def variant(self, path: str, language: str) -> Artifact:
        """A negotiated path's artifact in a language (the default's if that one is missing)."""
        variants = self.negotiated[path]
        found = variants.get(language) or variants.get(self.language)
        return found if found is not None else next(iter(variants.values()))

    def published(self, path: str) -> bool:
        return path in self.artifacts or path in self.negotiated

    def static_files(self) -> dict[str, Artifact]:
        """The site as a host that cannot negotiate serves it (a static export, a bucket), by
        URL path: each language's tree, the unprefixed pages in the default language, and the
        404 page at /404.html and in each language's tree (/ru/404.html)."""
        files = dict(self.artifacts)
        files.update((path, self.variant(path, self.language)) for path in self.negotiated)
        files["/404.html"] = self.not_found
        files.update((f"/{code}/404.html", pages[0]) for code, pages in self.errors.items())
        return files
